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
    root.querySelectorAll("[data-read-aloud]").forEach(function (button) {
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        if (window.speechSynthesis.speaking) {
          window.speechSynthesis.cancel();
          return;
        }
        var target = document.getElementById(button.dataset.readAloud);
        if (!target) { return; }
        var clone = target.cloneNode(true);
        clone.querySelectorAll("button, [hidden], .visually-hidden").forEach(function (n) { n.remove(); });
        var holder = target.closest("[lang]") || document.documentElement;
        var utterance = new SpeechSynthesisUtterance(clone.textContent.replace(/\s+/g, " ").trim());
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
        document.body.hidden = true;
        window.location.replace(link.href);
      });
    });
  }

  function setupPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
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
