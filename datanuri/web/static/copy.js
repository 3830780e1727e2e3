/* Copy buttons for code blocks (the dataset page's API examples): a button with
   data-copy-code="#id" copies that element's text and says so in #api-copy-status.
   Plain JavaScript, no build step; buttons stay hidden without it. */
(function () {
  "use strict";
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  function setup(button) {
    var target = document.querySelector(button.dataset.copyCode);
    var said = document.getElementById("api-copy-status");
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(ok) {
        if (said) said.textContent = ok ? said.dataset.copied : said.dataset.copyFailed;
      }
      function fallback() {
        selectText(target);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        done(ok);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(target.textContent).then(function () { done(true); }, fallback);
      } else {
        fallback();
      }
    });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-code]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
