// Notices on this phone (Web Push). The button appears only where the browser has
// service workers, PushManager and notifications, and the page carries the server's
// key. Permission is asked only when the person presses it. Every word shown comes
// from the page (translated on the server); this file has none of its own.
(function () {
  "use strict";

  function b64urlToBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function setup(section) {
    var button = section.querySelector("[data-push-toggle]");
    var status = section.querySelector("[role=status]");
    var devices = document.getElementById("push-devices");
    var key = section.dataset.key;
    if (!button || !key || !("serviceWorker" in navigator) || !("PushManager" in window) ||
        !("Notification" in window)) { return; }
    var unsupported = section.querySelector("[data-push-unsupported]");
    if (unsupported) { unsupported.hidden = true; }

    function say(message) { status.textContent = message || ""; }
    function show(subscribed) {
      button.dataset.subscribed = subscribed ? "1" : "";
      button.textContent = subscribed ? section.dataset.labelOff : section.dataset.labelOn;
      button.hidden = false;
    }
    function counted(result) {
      if (devices && result.data && result.data.devices_text) {
        devices.textContent = result.data.devices_text;
      }
    }

    function subscribe(registration) {
      var options = { userVisibleOnly: true, applicationServerKey: b64urlToBytes(key) };
      return registration.pushManager.subscribe(options).catch(function (error) {
        // Subscribed earlier with another server key: start again with ours.
        if (error && error.name === "InvalidStateError") {
          return registration.pushManager.getSubscription().then(function (old) {
            return (old ? old.unsubscribe() : Promise.resolve()).then(function () {
              return registration.pushManager.subscribe(options);
            });
          });
        }
        throw error;
      });
    }

    function turnOn(registration) {
      return Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { say(section.dataset.msgDenied); return; }
        return subscribe(registration).then(function (subscription) {
          return postJSON(section.dataset.subscribe, subscription.toJSON()).then(function (result) {
            if (!result.ok) { throw new Error("refused"); }
            counted(result);
            show(true);
            say(section.dataset.msgOn);
          });
        });
      });
    }

    function turnOff(registration) {
      return registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) { show(false); say(section.dataset.msgOff); return; }
        return postJSON(section.dataset.unsubscribe, { endpoint: subscription.endpoint })
          .then(function (result) {
            // 404: the server had already forgotten this phone; off either way.
            if (!result.ok && result.status !== 404) { throw new Error("refused"); }
            counted(result);
            return subscription.unsubscribe();
          }).then(function () { show(false); say(section.dataset.msgOff); });
      });
    }

    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription().then(function (subscription) {
        show(!!subscription && Notification.permission === "granted");
        button.addEventListener("click", function () {
          if (button.disabled) { return; }
          button.disabled = true;
          say("");
          var act = button.dataset.subscribed ? turnOff : turnOn;
          act(registration).catch(function () { say(section.dataset.msgFailed); })
            .then(function () { button.disabled = false; });
        });
      });
    }).catch(function () { /* no service worker: the button stays hidden */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-push]").forEach(setup);
  });
})();
