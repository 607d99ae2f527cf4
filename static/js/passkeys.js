// Passkey ceremonies in the browser. The server sends WebAuthn options as JSON
// (py_webauthn's options_to_json) and verifies what comes back. All text shown
// comes from the page (translated on the server); this file has no words of its own.
(function () {
  "use strict";

  function b64urlToBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function bufferToB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Fallbacks for browsers without parse*OptionsFromJSON / toJSON.
  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    var options = Object.assign({}, json);
    options.challenge = b64urlToBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: b64urlToBuffer(json.user.id) });
    options.excludeCredentials = (json.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: b64urlToBuffer(c.id) });
    });
    return options;
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    var options = Object.assign({}, json);
    options.challenge = b64urlToBuffer(json.challenge);
    options.allowCredentials = (json.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: b64urlToBuffer(c.id) });
    });
    return options;
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") { return credential.toJSON(); }
    var r = credential.response;
    var response = { clientDataJSON: bufferToB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = bufferToB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = bufferToB64url(r.authenticatorData);
      response.signature = bufferToB64url(r.signature);
      response.userHandle = r.userHandle ? bufferToB64url(r.userHandle) : null;
    }
    return {
      id: credential.id, rawId: bufferToB64url(credential.rawId), type: credential.type,
      response: response, clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null
    };
  }

  function csrfToken() {
    var holder = document.body.getAttribute("data-hx-headers");
    try { return JSON.parse(holder)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new ServerRefusal(data.error); }
        return data;
      });
    });
  }

  function ServerRefusal(message) { this.message = message; }

  function say(root, key, text) {
    var status = root.querySelector("[data-passkey-status]");
    var messages = root.querySelector(".passkey-messages");
    status.textContent = text || (messages && messages.getAttribute("data-msg-" + key)) || "";
  }

  function explain(root, error) {
    if (error instanceof ServerRefusal && error.message) { say(root, "", error.message); return; }
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      say(root, "cancelled"); return;
    }
    say(root, "failed");
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch);
  }

  function prepare(root) {
    var button = root.querySelector("[data-passkey-button]");
    if (!supported()) {
      var note = root.querySelector("[data-passkey-unsupported]");
      if (note) { note.hidden = false; }
      return null;
    }
    if (button) { button.hidden = false; }
    return button;
  }

  function setupRegister(form) {
    var button = prepare(form);
    if (!button) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var body = { token: data.get("token") || "", code: data.get("code") || "" };
      button.disabled = true;
      say(form, "working");
      postJSON(form.dataset.optionsUrl, body).then(function (options) {
        return navigator.credentials.create({ publicKey: creationOptions(options) });
      }).then(function (credential) {
        body.credential = credentialJSON(credential);
        body.name = data.get("name") || "";
        return postJSON(form.dataset.verifyUrl, body);
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function (error) {
        explain(form, error);
      }).finally(function () { button.disabled = false; });
    });
  }

  var conditional = null;

  function signIn(root, mediation) {
    var controller = new AbortController();
    var request = postJSON(root.dataset.optionsUrl, {}).then(function (options) {
      var args = { publicKey: requestOptions(options), signal: controller.signal };
      if (mediation) { args.mediation = mediation; }
      return navigator.credentials.get(args);
    }).then(function (credential) {
      return postJSON(root.dataset.verifyUrl, {
        credential: credentialJSON(credential), next: root.dataset.next || ""
      });
    }).then(function (result) {
      window.location.assign(result.redirect);
    });
    return { controller: controller, done: request };
  }

  function setupSignIn(root) {
    var button = prepare(root);
    if (!button) { return; }
    // Conditional UI: passkeys offered in the autofill of fields marked "webauthn".
    if (PublicKeyCredential.isConditionalMediationAvailable && document.querySelector("[autocomplete~='webauthn']")) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (!available) { return; }
        conditional = signIn(root, "conditional");
        conditional.done.catch(function () { /* dismissed autofill: nothing to say */ });
      });
    }
    button.addEventListener("click", function () {
      if (conditional) { conditional.controller.abort(); conditional = null; }
      button.disabled = true;
      say(root, "working");
      signIn(root, null).done.catch(function (error) { explain(root, error); })
        .finally(function () { button.disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey-register]").forEach(setupRegister);
    document.querySelectorAll("[data-passkey-sign-in]").forEach(setupSignIn);
  });
})();
