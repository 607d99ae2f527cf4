// Min SIP – small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  // Read aloud with the browser's own speech synthesis. A page is read as phrases:
  // every label and every value is an utterance of its own (a child hears "When",
  // a pause, "Tuesday 3 June"), each in the language of its text — the page's
  // language, or Swedish for a plan text that has no translation yet. Where the
  // device has no voice for the page's language it says so instead of reading the
  // words with a voice that cannot pronounce them.
  var NOT_READ = "button, .button, script, style, template, textarea, input, select, " +
    "[hidden], [aria-hidden='true'], .visually-hidden, .read-aloud__no-voice";

  // A phrase worth saying has a letter or a digit in it (not just "(" or ":").
  // Built at run time: an older browser without \p{…} must not lose the whole file.
  var WORDS = (function () {
    try { return new RegExp("[\\p{L}\\p{N}]", "u"); } catch (e) { return /[^\s()[\]{}.,:;!?·–—-]/; }
  })();

  function langOf(element) {
    var holder = element && element.closest("[lang]");
    return (holder && holder.getAttribute("lang")) || document.documentElement.lang;
  }

  function primaryLanguage(lang) {
    return (lang || "").toLowerCase().replace("_", "-").split("-")[0];
  }

  // A block, or an element with its own language or direction (a plan text, the
  // child's own words), starts a new phrase; inline words run on.
  function phrasesOf(root) {
    var phrases = [];
    var current = { text: "", lang: langOf(root) };
    function flush() {
      var text = current.text.replace(/\s+/g, " ").trim();
      if (WORDS.test(text)) { phrases.push({ text: text, lang: current.lang }); }
      current.text = "";
    }
    function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        if (!current.text.trim()) { current.lang = langOf(node.parentElement); }
        current.text += node.nodeValue;
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || node.matches(NOT_READ)) { return; }
      var display = window.getComputedStyle(node).display;
      if (display === "none") { return; }
      var apart = node !== root && (display !== "inline" ||
        node.hasAttribute("lang") || node.hasAttribute("dir"));
      if (apart) { flush(); }
      node.childNodes.forEach(walk);
      if (apart) { flush(); }
    }
    walk(root);
    flush();
    return phrases;
  }

  // What someone typed: one phrase per line, in the page's language.
  function phrasesOfField(field) {
    var lang = langOf(field);
    return field.value.split(/\n+/).map(function (line) {
      return { text: line.replace(/\s+/g, " ").trim(), lang: lang };
    }).filter(function (phrase) { return WORDS.test(phrase.text); });
  }

  // The list of voices may arrive a little after the page: wait for it, briefly.
  function voicesReady(synth) {
    return new Promise(function (resolve) {
      var voices = synth.getVoices();
      if (voices.length) { resolve(voices); return; }
      var done = false;
      function finish() {
        if (done) { return; }
        done = true;
        if (synth.removeEventListener) { synth.removeEventListener("voiceschanged", finish); }
        resolve(synth.getVoices());
      }
      if (synth.addEventListener) { synth.addEventListener("voiceschanged", finish); }
      window.setTimeout(finish, 1500);
    });
  }

  function setupReadAloud(root) {
    if (!("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
    var synth = window.speechSynthesis;
    synth.getVoices(); // asks the browser to start loading them
    root.querySelectorAll("[data-read-aloud], [data-read-aloud-field]").forEach(function (button) {
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.hidden = false;
      var label = button.textContent;
      var noVoice = document.getElementById(button.dataset.noVoice || "");
      function done() {
        delete button.dataset.speaking;
        button.textContent = label;
      }
      button.addEventListener("click", function () {
        if (button.dataset.speaking) {
          synth.cancel();
          done();
          return;
        }
        var field = button.dataset.readAloudField && document.getElementById(button.dataset.readAloudField);
        var target = field || document.getElementById(button.dataset.readAloud);
        if (!target) { return; }
        var phrases = field ? phrasesOfField(field) : phrasesOf(target);
        if (!phrases.length) { return; }
        voicesReady(synth).then(function (voices) {
          var spoken = {};
          voices.forEach(function (voice) { spoken[primaryLanguage(voice.lang)] = true; });
          if (!spoken[primaryLanguage(document.documentElement.lang)]) {
            if (noVoice) { noVoice.hidden = false; }
            return;
          }
          if (noVoice) { noVoice.hidden = true; }
          // A phrase in a language without a voice is left out rather than mangled.
          var readable = phrases.filter(function (p) { return spoken[primaryLanguage(p.lang)]; });
          if (!readable.length) { return; }
          synth.cancel();
          button.dataset.speaking = "1";
          button.textContent = button.dataset.labelStop;
          readable.forEach(function (phrase, index) {
            var utterance = new SpeechSynthesisUtterance(phrase.text);
            utterance.lang = phrase.lang;
            if (index === readable.length - 1) { utterance.onend = utterance.onerror = done; }
            synth.speak(utterance);
          });
        });
      });
    });
  }

  // "Leave this page quickly": go, and leave nothing to press Back to.
  function setupQuickExit(root) {
    root.querySelectorAll("[data-quick-exit]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
        clearDrafts();
        // Sign out on the way, so the next person on this device sees nothing.
        var token = JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["X-CSRFToken"];
        if (navigator.sendBeacon && link.dataset.signOut && token) {
          var data = new FormData();
          data.append("csrf_token", token);
          navigator.sendBeacon(link.dataset.signOut, data);
        }
        document.body.hidden = true;
        // A copy kept on this device (offline.js) is deleted before leaving; the
        // wipe gives up after a second and a half so the exit never waits long.
        var wiped = window.MinSipOffline ? window.MinSipOffline.wipe() : Promise.resolve();
        wiped.then(function () { window.location.replace(link.href); });
      });
    });
  }

  // Esc pressed twice within a second and a half leaves like the button: a keyboard
  // shortcut for someone who cannot reach for the mouse in time.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    var exit = document.querySelector("[data-quick-exit]");
    if (exit && now - lastEscape < 1500) {
      lastEscape = 0;
      exit.click();
      return;
    }
    lastEscape = now;
  });

  function setupPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Drafts live in localStorage so that closing the tab loses nothing (issue 14);
  // the key names the person, and signing out, leaving quickly or reaching the
  // sign-in page removes every draft on the device.
  function drafts() {
    try { return window.localStorage || null; } catch (error) { return null; }
  }

  function clearDrafts() {
    var store = drafts();
    if (!store) { return; }
    Object.keys(store).forEach(function (key) {
      if (key.indexOf("draft:") === 0) { store.removeItem(key); }
    });
  }

  // Drafts: the server saves as the person types (htmx). Until it has confirmed,
  // the text is also kept on the device, so a lost connection, a reload or a closed
  // tab loses nothing. It is sent when the connection returns or on the next visit.
  function setupDrafts(root) {
    var store = drafts();
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var key = "draft:" + form.dataset.draftKey;
      var area = form.querySelector("textarea");
      if (!area || !store) { return; }
      var canSave = form.hasAttribute("data-hx-post") && !area.readOnly;
      // The form's autosave listens for "change": the text goes to the server.
      function send() {
        if (store.getItem(key) !== null && canSave) { form.dispatchEvent(new Event("change")); }
      }
      var kept = store.getItem(key);
      if (kept === area.value) { store.removeItem(key); }
      else if (kept !== null && !area.readOnly) {
        area.value = kept;
        var status = document.getElementById("save-status");
        if (status) { status.textContent = form.dataset.msgRestored || ""; }
        // After htmx has set the form up (its own DOMContentLoaded runs first).
        if (navigator.onLine !== false) { window.setTimeout(send, 0); }
      }
      area.addEventListener("input", function () { store.setItem(key, area.value); });
      form.addEventListener("htmx:afterRequest", function (event) {
        if (event.detail.successful && area.value === store.getItem(key)) { store.removeItem(key); }
      });
      form.addEventListener("htmx:sendError", function () {
        var status = document.getElementById("save-status");
        if (status) { status.textContent = form.dataset.msgOffline || ""; }
      });
      form.addEventListener("submit", function () { store.setItem(key, area.value); });
      window.addEventListener("online", send);
    });
    root.querySelectorAll("form[action$='/sign-out']").forEach(function (form) {
      form.addEventListener("submit", clearDrafts);
    });
    // Whoever signs in next on this device must not be offered someone else's text.
    if (document.body.hasAttribute("data-clear-drafts")) { clearDrafts(); }
  }

  function registerServiceWorker() {
    var url = document.body.dataset.sw;
    if (url && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(url, { scope: "/" }).catch(function () { /* optional */ });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    registerServiceWorker();
    setupDrafts(document);
    focusErrors(document);
    setupReadAloud(document);
    setupQuickExit(document);
    setupPrint(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusErrors(event.target);
    // An outerHTML swap replaces the target itself: look through the whole page
    // (buttons already set up are skipped).
    setupReadAloud(document);
  });
})();
