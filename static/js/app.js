// Min SIP – small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  // Read aloud with the browser's own speech synthesis, in the text's language.
  function setupReadAloud(root) {
    if (!("speechSynthesis" in window)) { return; }
    root.querySelectorAll("[data-read-aloud], [data-read-aloud-field]").forEach(function (button) {
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        if (window.speechSynthesis.speaking) {
          window.speechSynthesis.cancel();
          return;
        }
        var field = button.dataset.readAloudField && document.getElementById(button.dataset.readAloudField);
        var target = field || document.getElementById(button.dataset.readAloud);
        if (!target) { return; }
        var text = field ? field.value : (function () {
          var clone = target.cloneNode(true);
          clone.querySelectorAll("button, [hidden], .visually-hidden").forEach(function (n) { n.remove(); });
          return clone.textContent;
        })();
        var holder = target.closest("[lang]") || document.documentElement;
        var utterance = new SpeechSynthesisUtterance(text.replace(/\s+/g, " ").trim());
        utterance.lang = holder.getAttribute("lang") || document.documentElement.lang;
        utterance.onend = utterance.onerror = function () { button.textContent = label; };
        button.textContent = button.dataset.labelStop;
        window.speechSynthesis.speak(utterance);
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
        var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
        if (navigator.sendBeacon && link.dataset.signOut && token) {
          var data = new FormData();
          data.append("csrf_token", token);
          navigator.sendBeacon(link.dataset.signOut, data);
        }
        document.body.hidden = true;
        window.location.replace(link.href);
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

  function clearDrafts() {
    if (!window.sessionStorage) { return; }
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf("draft:") === 0) { sessionStorage.removeItem(key); }
    });
  }

  // Drafts: the server saves as the person types (htmx). Until it has confirmed,
  // the text is also kept in this tab's sessionStorage, so a lost connection or a
  // reload loses nothing. Signing out wipes it.
  function setupDrafts(root) {
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var key = "draft:" + form.dataset.draftKey;
      var area = form.querySelector("textarea");
      if (!area || !window.sessionStorage) { return; }
      var kept = sessionStorage.getItem(key);
      if (kept === area.value) { sessionStorage.removeItem(key); }
      else if (kept !== null && !area.readOnly) {
        area.value = kept;
        var status = document.getElementById("save-status");
        if (status) { status.textContent = form.dataset.msgRestored || ""; }
      }
      area.addEventListener("input", function () { sessionStorage.setItem(key, area.value); });
      form.addEventListener("htmx:afterRequest", function (event) {
        if (event.detail.successful) { sessionStorage.removeItem(key); }
      });
      form.addEventListener("htmx:sendError", function () {
        var status = document.getElementById("save-status");
        if (status) { status.textContent = form.dataset.msgOffline || ""; }
      });
      form.addEventListener("submit", function () { sessionStorage.setItem(key, area.value); });
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
    setupReadAloud(event.target);
  });
})();
