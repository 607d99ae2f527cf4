// Min SIP – "Keep my plan on this phone" (issue 14). Off unless the person turns it
// on, on this device. The choice is the existence of a cache named after the person
// (body data-person); the service worker keeps that person's family pages in it and
// shows them without a connection. Signing out, leaving quickly, the sign-in page and
// anyone else signing in wipe it. Every page works without this file.
(function () {
  "use strict";

  var PREFIX = "min-sip-kept-";
  var DATABASE = "min-sip"; // IndexedDB: anything kept for the person goes with the rest

  function cachesOK() { return "caches" in window; }

  // Delete every kept copy (all people) and the database. Never hangs a way out:
  // after 1.5 s the caller goes on regardless.
  function wipe() {
    var work = Promise.resolve();
    if (cachesOK()) {
      work = caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf(PREFIX) === 0; })
          .map(function (key) { return caches.delete(key); }));
      });
    }
    work = work.then(function () {
      if (!window.indexedDB) { return; }
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DATABASE);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }).catch(function () { /* nothing to delete */ });
    return Promise.race([work, new Promise(function (resolve) { window.setTimeout(resolve, 1500); })]);
  }

  // Someone else's copy never stays next to the signed-in person's.
  function dropOthers(person) {
    if (!cachesOK()) { return Promise.resolve(); }
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf(PREFIX) === 0 && key !== PREFIX + person;
      }).map(function (key) { return caches.delete(key); }));
    });
  }

  function showKeptNote() {
    var note = document.querySelector("[data-kept-at]");
    var at = note && note.getAttribute("data-kept-at");
    if (!at) { return; }
    var when = new Date(at);
    if (isNaN(when.getTime())) { return; }
    var text;
    try {
      text = when.toLocaleString(document.documentElement.lang || undefined,
        { dateStyle: "medium", timeStyle: "short" });
    } catch (error) { text = when.toLocaleString(); }
    note.textContent = (note.dataset.label || "").replace("{time}", text);
    note.hidden = false;
  }

  function setupChoice(person) {
    var section = document.querySelector("[data-keep-choice]");
    if (!section || !person || !cachesOK() || !("serviceWorker" in navigator)) { return; }
    var button = section.querySelector("[data-keep-button]");
    var status = section.querySelector("[data-keep-status]");
    function show(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      status.textContent = on ? status.dataset.on : status.dataset.off;
    }
    caches.has(PREFIX + person).then(function (on) {
      section.hidden = false;
      show(on);
    });
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") === "true";
      var done = on ? wipe() : dropOthers(person).then(function () { return caches.open(PREFIX + person); });
      done.then(function () { show(!on); });
    });
  }

  // Sign-out wipes first and then sends the form (form.submit() fires no second
  // submit event). Offline the form cannot reach the server, but the copy is gone.
  function setupSignOut(root) {
    root.querySelectorAll("form[action$='/sign-out']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.wiped) { return; }
        event.preventDefault();
        wipe().then(function () {
          form.dataset.wiped = "1";
          form.submit();
        });
      });
    });
  }

  window.MinSipOffline = { wipe: wipe };

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var person = body.dataset.person || "";
    // The sign-in and invitation pages: nobody is signed in on this tab any more.
    if (body.hasAttribute("data-clear-drafts")) { wipe(); }
    else if (person && cachesOK()) { dropOthers(person); }
    showKeptNote();
    setupChoice(person);
    setupSignOut(document);
  });
})();
