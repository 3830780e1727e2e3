/* datanuri publisher console: upload a version with a progress bar, then follow the ingest job;
   copy buttons for one-time secrets. Plain JavaScript, no build step. The upload goes to the REST
   API with the session cookie and the page's CSRF token in the x-csrf-token header. */
(function () {
  "use strict";

  var POLL_MS = 400;

  function byId(id) { return document.getElementById(id); }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function fmtBytes(n) {
    var units = ["B", "KB", "MB", "GB", "TB"], size = n, i = 0;
    while (size >= 1024 && i < units.length - 1) { size /= 1024; i += 1; }
    return i === 0 ? size + " B" : size.toFixed(1) + " " + units[i];
  }

  function fmtNum(n, lang) {
    return typeof n === "number" ? n.toLocaleString(lang === "ko" ? "ko-KR" : "en-GB") : String(n);
  }

  function setBar(bar, pct) {
    var value = Math.max(0, Math.min(100, Math.round(pct)));
    bar.setAttribute("aria-valuenow", String(value));
    bar.querySelector(".fill").style.width = value + "%";
    var label = byId(bar.id.replace("bar-", "pct-"));
    if (label) label.textContent = value + "%";
  }

  /* ----- upload ----------------------------------------------------------------------------- */
  function setupUpload(form, text) {
    var panel = byId("upload-progress"), status = byId("upload-status"), errorBox = byId("upload-error");
    var result = byId("upload-result"), button = byId("upload-button");
    var barUpload = byId("bar-upload"), barIngest = byId("bar-ingest");
    var name = form.dataset.dataset, csrf = form.dataset.csrf, lang = form.dataset.lang;
    function said(err) { return (lang === "ko" && err.message_ko) || err.message; }  // the catalogue's Korean

    function showError(message, problems, bar, code) {
      errorBox.textContent = "";
      errorBox.appendChild(el("strong", {}, text.failed));
      var strict = problems && problems.length;
      var summary = (text.codes || {})[code];
      if (summary && !strict && lang !== "en") errorBox.appendChild(el("p", { "class": "summary" }, summary));
      var english = code && !(lang === "ko" && /[가-힣]/.test(message));  // no Korean in the catalogue
      errorBox.appendChild(el("p", english ? { lang: "en" } : {}, message));
      if (strict) {
        errorBox.appendChild(el("p", {}, text.strict_help));
        errorBox.appendChild(problemTable(problems, text));
      }
      errorBox.hidden = false;
      if (bar) bar.classList.add("failed");
      if (!panel.hidden) status.textContent = text.failed;
      button.disabled = false;
      errorBox.setAttribute("tabindex", "-1");
      errorBox.focus();
    }

    function reset() {
      errorBox.hidden = true;
      result.hidden = true;
      result.textContent = "";
      barUpload.classList.remove("failed");
      barIngest.classList.remove("failed");
      panel.hidden = true;
      setBar(barUpload, 0);
      setBar(barIngest, 0);
      status.textContent = "";
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      reset();
      var saved = byId("saved");
      if (saved) saved.hidden = true;  // "created, now upload" is no longer news
      var file = form.elements.file.files[0];
      if (!file) { showError(text.choose); return; }
      if (file.size === 0) { showError(text.empty); return; }
      var maxBytes = Number(form.dataset.maxBytes);
      if (maxBytes && file.size > maxBytes) {
        showError(fill(text.too_large, { size: fmtBytes(file.size), max: fmtBytes(maxBytes) }));
        return;
      }
      var data = new FormData(form);
      button.disabled = true;
      panel.hidden = false;
      status.textContent = fill(text.uploading, { pct: 0 });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/datasets/" + encodeURIComponent(name) + "/versions");
      xhr.setRequestHeader("x-csrf-token", csrf);
      xhr.setRequestHeader("accept", "application/json");
      xhr.responseType = "json";
      var lastSaid = -1;
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var pct = e.loaded / e.total * 100;
        setBar(barUpload, pct);
        var tens = Math.floor(pct / 25);  // speak at most every quarter, not on every event
        if (tens !== lastSaid) { lastSaid = tens; status.textContent = fill(text.uploading, { pct: Math.round(pct) }); }
      };
      xhr.onerror = function () { showError(text.network, null, barUpload); };
      xhr.onload = function () {
        var body = xhr.response || {};
        if (xhr.status !== 202 || !body.job) {
          var err = body.error || {};
          showError(said(err) || (xhr.status + " " + xhr.statusText), (err.details || {}).problems, barUpload, err.code);
          return;
        }
        setBar(barUpload, 100);
        status.textContent = text.uploaded;
        follow(body.job.id);
      };
      xhr.send(data);
    });

    function follow(jobId) {
      var lastSaid = -1;
      function poll() {
        fetch("/api/v1/jobs/" + encodeURIComponent(jobId), { credentials: "same-origin", headers: { accept: "application/json" } })
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (r) {
            if (!r.ok) { showError(said(r.body.error || {}) || text.network, null, barIngest, (r.body.error || {}).code); return; }
            var job = r.body;
            if (job.status === "succeeded") {
              setBar(barIngest, 100);
              status.textContent = text.done;
              showResult(job.result || {});
              return;
            }
            if (job.status === "failed") {
              var err = job.error || {};
              showError(said(err) || text.failed, (err.details || {}).problems, barIngest, err.code);
              return;
            }
            if (job.status === "queued") {
              status.textContent = text.waiting;
            } else if (typeof job.fraction === "number") {
              var pct = Math.min(99, job.fraction * 100);  // 100 only once the version exists
              setBar(barIngest, pct);
              var step = Math.floor(pct / 25);
              if (step !== lastSaid) { lastSaid = step; status.textContent = fill(text.ingesting, { pct: Math.round(pct) }); }
            }
            window.setTimeout(poll, POLL_MS);
          })
          .catch(function () { showError(text.network, null, barIngest); });
      }
      poll();
    }

    function showResult(res) {
      var v = res.version || {};
      result.textContent = "";
      var head = el("h3", { id: "result-h" }, fill(res.created ? text.published : text.same, { n: v.number }));
      result.appendChild(head);
      result.appendChild(el("p", { id: "result-rows" }, fill(text.rows, { rows: fmtNum(v.row_count, lang), cols: fmtNum(v.column_count, lang) })));
      var said = lang === "ko" ? (res.message_ko || res.message) : res.message;
      if (said) result.appendChild(el("p", { id: "result-message", lang: lang === "ko" && res.message_ko ? "ko" : "en" }, said));
      var link = el("a", { href: form.dataset.publicUrl, id: "result-public", "class": "button" }, text.public);
      var actions = el("p", { "class": "actions" });
      actions.appendChild(link);
      var again = el("a", { href: window.location.pathname + "?lang=" + lang, "class": "button secondary", id: "result-again" }, text.again);
      actions.appendChild(again);
      result.appendChild(actions);
      var box = el("div", { id: "result-problems" });
      result.appendChild(box);
      result.hidden = false;
      button.disabled = false;
      form.reset();
      result.focus();
      refreshSection("versions-section");
      fetch("/api/v1/datasets/" + encodeURIComponent(name) + "/versions/" + v.number + "/problems",
            { credentials: "same-origin", headers: { accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          var items = p.items || [];
          if (!p.count) { box.appendChild(el("p", { "class": "notice ok" }, text.problems_none)); return; }
          box.appendChild(el("h4", { id: "problems-h" }, fill(text.problems_h, { count: fmtNum(p.count, lang) })));
          box.appendChild(el("p", { "class": "help" }, text.problems_help));
          if (items.length < p.count) box.appendChild(el("p", { "class": "help" }, fill(text.problems_more, { shown: items.length })));
          box.appendChild(problemTable(items, text));
        })
        .catch(function () { box.appendChild(el("p", { "class": "error" }, text.network)); });
    }
  }

  /* Replace a section of this page with its fresh server-rendered copy (e.g. the versions list). */
  function refreshSection(id) {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var here = byId(id);
        if (fresh && here) here.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the list stays as it was; a reload shows it */ });
  }

  function problemTable(items, text) {
    var wrap = el("div", { "class": "table-wrap", tabindex: "0", role: "region", "aria-label": text.problems_h.replace("{count}", items.length) });
    var table = el("table", { "class": "problems" });
    var head = el("tr");
    [["line", "num"], ["column", ""], ["kind", ""], ["value", ""], ["message", ""]].forEach(function (c) {
      head.appendChild(el("th", { scope: "col", "class": c[1] }, text[c[0]]));
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    items.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("td", { "class": "num" }, p.line === null || p.line === undefined ? "" : p.line));
      tr.appendChild(el("td", {}, p.column || ""));
      tr.appendChild(el("td", {}, (text.kinds || {})[p.kind] || p.kind));
      var val = el("td", { "class": "value" });
      if (p.value !== null && p.value !== undefined) val.appendChild(el("code", {}, p.value));
      tr.appendChild(val);
      var ko = (document.documentElement.getAttribute("lang") || "").indexOf("ko") === 0;
      tr.appendChild(el("td", { "class": "message" }, (ko && p.message_ko) || p.message));
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  /* ----- copy buttons ----------------------------------------------------------------------- */
  function setupCopy(button) {
    var target = document.querySelector(button.dataset.copy);
    var said = document.querySelector(button.dataset.copyStatus || "#copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = target.value || target.textContent;
      function done(ok) { if (said) said.textContent = ok ? button.dataset.copied : button.dataset.copyFailed; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(function () { done(true); }, function () { fallback(); });
      } else {
        fallback();
      }
      function fallback() {
        target.focus();
        target.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        done(ok);
      }
    });
  }

  function start() {
    var textEl = byId("console-text");
    var form = byId("upload-form");
    if (form && textEl) setupUpload(form, JSON.parse(textEl.textContent));
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), setupCopy);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
