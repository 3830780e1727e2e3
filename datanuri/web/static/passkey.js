// Passkeys on the login pages: fetch WebAuthn options for the pending login, ask the browser's
// authenticator, and submit its answer (PublicKeyCredential.toJSON()) with the form.
(function () {
  "use strict";
  const button = document.getElementById("use-passkey");
  if (!button || !window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
    return; // no passkeys here: the code and recovery-code fields still work
  }
  button.hidden = false;
  const form = button.form;
  const status = document.getElementById("passkey-status");
  button.addEventListener("click", async function () {
    try {
      const r = await fetch(form.dataset.passkeyOptions, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ challenge: form.elements.challenge.value }),
      });
      if (!r.ok) throw new Error(String(r.status));
      const options = (await r.json()).options;
      const credential = button.dataset.passkey === "create"
        ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
        : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      form.elements.passkey.value = JSON.stringify(credential.toJSON());
      if (form.elements.code) form.elements.code.value = "";
      form.submit();
    } catch (e) {
      status.textContent = status.dataset.failed;
    }
  });
})();
