/* De-identification wizard: detection → policy form → check (apply job, preview, report) → release.
   Plain JavaScript, no framework. The page gives the dataset name and CSRF token in #wz-config;
   every call goes to the privacy API with the session cookie. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("wz-config").textContent);
  var T = cfg.text;
  var API = "/api/v1";
  var ds = encodeURIComponent(cfg.dataset);
  var columns = [];          // scan findings
  var passedPolicy = null;   // JSON of the last policy that passed a check
  var busy = false;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function said(e) { return (cfg.lang === "ko" && e.message_ko) || e.message; }  // the catalogue's Korean
  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function status(id, text, kind) { var p = $(id); p.textContent = text || ""; p.className = "wz-status" + (kind ? " " + kind : ""); }

  function call(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") opts.headers["x-csrf-token"] = cfg.csrf;
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (r) {
      return r.text().then(function (t) {
        var data; try { data = t ? JSON.parse(t) : {}; } catch (e) { data = { error: { message: t.slice(0, 300) } }; }
        if (!r.ok) { var err = new Error((data.error && ((cfg.lang === "ko" && data.error.message_ko) || data.error.message)) || (data.detail && JSON.stringify(data.detail)) || ("HTTP " + r.status)); err.data = data; err.status = r.status; throw err; }
        return data;
      });
    });
  }

  /* Run apply as a job and follow its progress; resolves with the job (succeeded or failed). */
  function runJob(body, bar) {
    bar.hidden = false;
    var prog = bar.querySelector("progress");
    prog.value = 0;
    return call("POST", API + "/datasets/" + ds + "/privacy/apply", body).then(function (started) {
      return new Promise(function (resolve, reject) {
        function poll() {
          call("GET", started.status_url).then(function (job) {
            if (job.fraction !== null && job.fraction !== undefined) prog.value = job.fraction;
            if (job.status === "succeeded") { prog.value = 1; resolve(job); }
            else if (job.status === "failed") { bar.hidden = true; resolve(job); }
            else setTimeout(poll, 200);
          }, reject);
        }
        poll();
      });
    });
  }

  // ----- step 1: detection -------------------------------------------------------------------
  var ROLES = ["direct", "quasi", "sensitive", "other"];
  var MEASURES = ["delete", "mask", "pseudonymize", "mask_identifiers"];
  var HIERARCHIES = ["keep_or_hide", "age", "date", "postcode", "korean_regions", "intervals", "prefix"];
  var keyNames = [];         // the holder's pseudonymisation keys

  function defaultHierarchy(f) {
    var k = f.kind, name = f.column;
    if (k === "age") return { h: "age" };
    if (k === "birth_date" || k === "event_date") return { h: "date" };
    if (k === "postcode") return { h: "postcode" };
    if (k === "region") return { h: "korean_regions", leaf: /시도|province|state/i.test(name) ? "시도" : (/읍면동|동$|dong/i.test(name) ? "읍면동" : "시군구") };
    if (k === "body") return { h: "intervals", widths: "5,10,20" };
    return { h: "keep_or_hide" };
  }

  function select(name, options, value, label) {
    var s = el("select", { name: name, "aria-label": label });
    options.forEach(function (o) { var opt = el("option", { value: o[0], text: o[1] }); if (o[0] === value) opt.selected = true; s.appendChild(opt); });
    return s;
  }
  function input(name, value, label, attrs) {
    var i = el("input", Object.assign({ name: name, type: "text", value: value, "aria-label": label }, attrs || {}));
    return el("label", { class: "wz-inline" }, [el("span", { text: label }), i]);
  }

  function settingsCell(row, f, role) {
    var cell = row.querySelector("td.wz-settings");
    cell.textContent = "";
    var st = row._state;
    if (role === "direct") {
      var m = select("measure", MEASURES.map(function (x) { return [x, T["m_" + x]]; }), st.measure, f.column + " " + T.measure);
      cell.appendChild(m);
      var extra = el("span", { class: "wz-extra" });
      cell.appendChild(extra);
      var drawExtra = function () {
        extra.textContent = "";
        st.measure = m.value;
        if (m.value === "mask") {
          if (f.kind === "rrn" || f.kind === "foreigner_rn") {
            extra.appendChild(el("label", { class: "wz-inline" }, [el("span", { text: T.keep_rrn }),
              select("keep", [["birth_date_and_sex", T.keep_birth_date_and_sex], ["birth_date", T.keep_birth_date], ["none", T.keep_none]], st.keep || "birth_date_and_sex", f.column + " " + T.keep_rrn)]));
          } else {
            extra.appendChild(input("keep_start", st.keep_start || "1", T.keep_start, { type: "number", min: "0", step: "1" }));
            extra.appendChild(input("keep_end", st.keep_end || "0", T.keep_end, { type: "number", min: "0", step: "1" }));
          }
        } else if (m.value === "pseudonymize") {
          extra.appendChild(input("key", st.key || "", T.key_name, { list: "wz-keys", required: "required" }));
          extra.appendChild(input("length", "16", T.pseudonym_length, { type: "number", min: "8", max: "64", step: "1" }));
        }
      };
      m.addEventListener("change", drawExtra);
      drawExtra();
    } else if (role === "quasi") {
      var h = select("hierarchy", HIERARCHIES.map(function (x) { return [x, T["h_" + x]]; }), st.h, f.column + " " + T.hierarchy);
      cell.appendChild(h);
      var hx = el("span", { class: "wz-extra" });
      cell.appendChild(hx);
      var drawH = function () {
        hx.textContent = "";
        st.h = h.value;
        if (h.value === "korean_regions") {
          hx.appendChild(el("label", { class: "wz-inline" }, [el("span", { text: T.leaf }),
            select("leaf", [["읍면동", "읍면동"], ["시군구", "시군구"], ["시도", "시도"]], st.leaf || "시군구", f.column + " " + T.leaf)]));
        } else if (h.value === "intervals") {
          hx.appendChild(input("widths", st.widths || "5,10,20", T.widths));
        } else if (h.value === "prefix") {
          hx.appendChild(input("lengths", st.lengths || "1,0", T.lengths));
        }
      };
      h.addEventListener("change", drawH);
      drawH();
    } else {
      // every column needs a role: one released as it is needs the publisher's reason
      cell.appendChild(el("span", { class: "small muted", text: role === "sensitive" ? T.sensitive_note : T.other_note }));
      cell.appendChild(input("reason", st.reason || "", role === "sensitive" ? T.sensitive_reason : T.reason, { "data-role-reason": "true" }));
      cell.querySelector("[name=reason]").addEventListener("input", function (e) { st.reason = e.target.value; });
    }
    cell.appendChild(input("acknowledge", st.acknowledge || "", T.acknowledge));
    cell.querySelector("[name=acknowledge]").addEventListener("input", function (e) { st.acknowledge = e.target.value; });
  }

  function refreshSensitive() {
    var sel = $("wz-sensitive"), keep = sel.value;
    var names = rows().filter(function (r) { return r.querySelector("select[name=role]").value === "sensitive"; }).map(function (r) { return r.dataset.column; });
    while (sel.options.length > 1) sel.remove(1);
    names.forEach(function (n) { sel.appendChild(el("option", { value: n, text: n })); });
    sel.value = names.indexOf(keep) >= 0 ? keep : (names[0] || "");
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#wz-columns tbody tr")); }

  function drawColumns() {
    var body = document.querySelector("#wz-columns tbody");
    var labels = Array.prototype.map.call(document.querySelectorAll("#wz-columns thead th"), function (th) { return th.textContent; });
    body.textContent = "";
    columns.forEach(function (f) {
      var d = defaultHierarchy(f);
      var row = el("tr", { "data-column": f.column, "data-category": f.category, "data-kind": f.kind });
      var measure = f.kind === "free_text" ? "mask_identifiers" : (f.kind === "record_key" && keyNames.length ? "pseudonymize" : "delete");
      row._state = { measure: measure, key: keyNames[0] || "", h: d.h, leaf: d.leaf, widths: d.widths, lengths: d.lengths };
      var ev = el("ul", { class: "wz-evidence" });
      var said = cfg.lang === "ko" && f.evidence_ko && f.evidence_ko.length ? f.evidence_ko : (f.evidence || []);
      said.forEach(function (e) { ev.appendChild(el("li", { text: e })); });
      if (f.warning) ev.appendChild(el("li", { class: "wz-warning bad", text: (cfg.lang === "ko" && f.warning_ko) || f.warning }));
      var role = select("role", ROLES.map(function (r) { return [r, T["cat_" + r]]; }), f.category, f.column + " " + T.role);
      row.appendChild(el("th", { scope: "row" }, [el("code", { text: f.column })]));
      row.appendChild(el("td", {}, [el("span", { class: "wz-cat wz-cat-" + f.category, text: T["cat_" + f.category] || f.category }), " ", el("span", { class: "small muted", text: (cfg.lang === "ko" ? f.kind_ko : f.kind_en) || f.kind || "" })]));
      row.appendChild(el("td", { class: "num", text: (f.confidence || 0).toFixed(2) }));
      row.appendChild(el("td", {}, [ev]));
      row.appendChild(el("td", {}, [role]));
      row.appendChild(el("td", { class: "wz-settings" }));
      Array.prototype.forEach.call(row.children, function (cell, i) { cell.setAttribute("data-label", labels[i] || ""); });
      body.appendChild(row);
      settingsCell(row, f, f.category);
      role.addEventListener("change", function () { settingsCell(row, f, role.value); refreshSensitive(); });
    });
    refreshSensitive();
  }

  function scan() {
    status("scan-status", T.scanning);
    return call("POST", API + "/datasets/" + ds + "/privacy/scan").then(function (res) {
      columns = res.columns || [];
      drawColumns();
      status("scan-status", "");
      $("wz-columns").setAttribute("data-ready", "true");
    }, function (err) { status("scan-status", T.scan_failed + ": " + err.message, "bad"); });
  }

  function loadKeys() {
    return call("GET", API + "/organizations/" + encodeURIComponent(cfg.organization) + "/privacy/keys").then(function (keys) {
      var dl = $("wz-keys");
      (keys || []).forEach(function (k) { keyNames.push(k.name); dl.appendChild(el("option", { value: k.name })); });
    }, function () { /* no keys to offer: a name can still be typed */ });
  }

  // ----- step 2: model fields ----------------------------------------------------------------
  // The models and their parameters come from the server's criteria registry (cfg.criteria).
  function criterion(name) {
    return cfg.criteria.criteria.filter(function (c) { return c.name === name; })[0];
  }
  function showModelFields() {
    var m = $("wz-model").value;
    document.querySelectorAll("#step-model [data-param]").forEach(function (f) {
      var models = f.getAttribute("data-models").split(" ").filter(Boolean);
      f.hidden = models.length > 0 && models.indexOf(m) < 0;  // no models: always asked (k)
    });
  }
  function paramValue(p) {
    var v = $("wz-" + p.name).value;
    if (p.type === "int") return parseInt(v, 10);
    if (p.type === "float") return parseFloat(v);
    return v || null;  // a choice left empty: the criterion's default
  }

  // ----- the policy --------------------------------------------------------------------------
  function numbers(text) {
    return String(text).split(/[\s,]+/).filter(Boolean).map(Number);
  }
  function buildPolicy() {
    var p = { direct_identifiers: {}, quasi_identifiers: {}, insensitive: {}, acknowledge: {} };
    var sensChosen = $("wz-sensitive").value;
    rows().forEach(function (r) {
      var col = r.dataset.column, role = r.querySelector("select[name=role]").value;
      var q = function (n) { var x = r.querySelector("[name=" + n + "]"); return x ? x.value : null; };
      if (q("acknowledge")) p.acknowledge[col] = q("acknowledge");
      // every column gets a role: "other", and a sensitive column that is not the sensitive
      // attribute, are released as they are, with the publisher's reason (checked by the server)
      if (role === "other" || (role === "sensitive" && col !== sensChosen)) p.insensitive[col] = (q("reason") || "").trim();
      if (role === "direct") {
        var m = q("measure");
        if (m === "mask") {
          p.direct_identifiers[col] = q("keep") !== null ? { mask: { keep: q("keep") } } : { mask: { keep_start: parseInt(q("keep_start") || "0", 10), keep_end: parseInt(q("keep_end") || "0", 10) } };
        } else if (m === "pseudonymize") {
          var len = parseInt(q("length") || "", 10);
          p.direct_identifiers[col] = { pseudonymize: len ? { key: q("key") || "", length: len } : { key: q("key") || "" } };
        } else p.direct_identifiers[col] = m;
      } else if (role === "quasi") {
        var h = q("hierarchy");
        if (h === "korean_regions") p.quasi_identifiers[col] = { korean_regions: q("leaf") };
        else if (h === "intervals") p.quasi_identifiers[col] = { intervals: numbers(q("widths")) };
        else if (h === "prefix") p.quasi_identifiers[col] = { prefix: numbers(q("lengths")) };
        else if (h === "keep_or_hide") p.quasi_identifiers[col] = { prefix: [1, 0] };  // level 0 keeps the value, level 1 is *
        else p.quasi_identifiers[col] = h;
      }
    });
    var model = $("wz-model").value;
    var sens = $("wz-sensitive").value;
    if (sens) p.sensitive = sens;
    if (!Object.keys(p.acknowledge).length) delete p.acknowledge;
    p.model = model;
    p[cfg.criteria.always.name] = paramValue(cfg.criteria.always);
    (criterion(model) || { params: [] }).params.forEach(function (q) {
      var v = paramValue(q);
      if (v !== null) p[q.name] = v;
    });
    p.max_suppression = Math.round(parseFloat($("wz-suppression").value || "0") * 1000) / 100000;
    p.loss = $("wz-loss").value;
    // the registry's options: left out when empty or at their default, so old policies stay as they were
    (cfg.criteria.options || []).forEach(function (o) {
      var box = $("wz-" + o.name);
      if (!box || box.value === "" || box.value === o.default) return;
      p[o.name] = o.type === "choice" ? box.value : parseFloat(box.value);
    });
    return p;
  }

  function showPolicy(p) {
    var text = JSON.stringify(p, null, 2);
    $("wz-policy-json").textContent = text;
    var a = $("wz-policy-download");
    if (a._url) URL.revokeObjectURL(a._url);
    a._url = URL.createObjectURL(new Blob([text + "\n"], { type: "application/json" }));
    a.href = a._url;
  }

  // ----- release button state ----------------------------------------------------------------
  function syncRelease() {
    var current = columns.length ? JSON.stringify(buildPolicy()) : null;
    var ok = passedPolicy !== null && current === passedPolicy && !busy;
    $("wz-release").disabled = !ok;
    var why = $("wz-release-why");
    if (ok) { why.textContent = T.ready; why.className = "small wz-ok"; }
    else if (passedPolicy !== null && current !== passedPolicy) { why.textContent = T.changed; why.className = "small wz-warn"; }
    else { why.textContent = T.need_check; why.className = "small muted"; }
    if (columns.length) showPolicy(buildPolicy());
  }

  // ----- step 3: check ----------------------------------------------------------------------
  function drawPreview(preview, total) {
    var box = $("wz-preview");
    box.textContent = "";
    if (!preview || !preview.rows || !preview.rows.length) {
      box.appendChild(el("p", { class: "notice info", id: "wz-no-preview", text: (preview && preview.withheld) || T.no_preview }));
      return;
    }
    box.appendChild(el("p", { class: "small muted", text: fmt(T.preview_rows, { n: preview.rows.length, total: Number(total).toLocaleString(cfg.lang === "ko" ? "ko-KR" : "en-GB") }) }));
    var head = el("tr", {}, preview.columns.map(function (c) { return el("th", { scope: "col", text: c }); }));
    var body = el("tbody", {}, preview.rows.map(function (r) {
      return el("tr", {}, r.map(function (v) { return el("td", { text: v === null ? "" : String(v) }); }));
    }));
    box.appendChild(el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "wz-preview-h" },
      [el("table", { class: "preview", id: "wz-preview-table" }, [el("thead", {}, [head]), body])]));
  }

  /* The server renders the report it stored for the job; the browser never sends one. */
  function drawReport(job) {
    var box = $("wz-report");
    var url = location.pathname.replace(/\/$/, "") + "/jobs/" + encodeURIComponent(job.id) + "/report?lang=" + cfg.lang;
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.text().then(function (html) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        box.innerHTML = html;  // rendered and escaped by the server's report template
      });
    }).catch(function (e) { box.textContent = T.report_failed + ": " + e.message; });
  }

  function outcome(kind, head, items, fix, engine) {
    var box = $("wz-outcome");
    box.textContent = "";
    var div = el("div", { class: "wz-outcome " + kind, id: "wz-verdict", role: "alert" }, [el("p", { class: "wz-outcome-head", text: head })]);
    if (items && items.length) div.appendChild(el("ul", {}, items.map(function (t) { return el("li", { text: t }); })));
    if (fix) div.appendChild(el("p", {}, [el("strong", { text: T.suggest + ": " }), fix]));
    if (engine && cfg.lang !== "en") div.appendChild(el("p", { class: "small muted", lang: "en", text: engine }));
    box.appendChild(div);
  }

  function check() {
    var policy = buildPolicy();
    showPolicy(policy);
    if (!Object.keys(policy.quasi_identifiers).length) { outcome("bad", T.failed, [T.need_qi]); return; }
    var noReason = Object.keys(policy.insensitive).filter(function (c) { return !policy.insensitive[c]; });
    if (noReason.length) {
      outcome("bad", T.failed, [T.need_reason + noReason.join(", ")]);
      document.body.setAttribute("data-checked", "failed");
      return;
    }
    var crit = criterion(policy.model);
    if (crit && crit.needs_sensitive && !policy.sensitive) { outcome("bad", T.failed, [T.need_sensitive]); return; }
    var snapshot = JSON.stringify(policy);
    busy = true; passedPolicy = null; syncRelease();
    $("wz-check").disabled = true;
    status("wz-check-status", T.checking);
    $("wz-outcome").textContent = ""; $("wz-report").textContent = "";
    runJob({ policy: policy }, $("wz-check-progress")).then(function (job) {
      if (job.status === "failed") {
        var err = job.error || {}, d = err.details || {};
        var noSolution = d.most_general_node_suppresses !== undefined;
        var items = noSolution ? [T.no_solution, fmt(T.most_general, { n: d.most_general_node_suppresses, limit: d.suppression_limit })] : [said(err) || T.failed];
        outcome("bad", T.failed, items, noSolution ? T.suggest_model : T.suggest_fix_input, noSolution ? said(err) : null);
        status("wz-check-status", "");
        drawPreview(null);
        return;
      }
      var res = job.result || {};
      if (res.passed) { passedPolicy = snapshot; outcome("ok", T.passed); }
      else outcome("bad", T.failed, res.failures || [], T.suggest_model);
      status("wz-check-status", "");
      drawPreview(res.preview, res.rows);
      return drawReport(job);
    }).catch(function (err) {
      outcome("bad", T.failed, [err.message]);
      status("wz-check-status", "");
    }).then(function () {
      busy = false; $("wz-check").disabled = false; syncRelease();
      document.body.setAttribute("data-checked", passedPolicy ? "passed" : "failed");
    });
  }

  // ----- step 4: release --------------------------------------------------------------------
  // The new dataset's metadata as shown (prefilled from the source): "" clears a field, and an
  // empty description asks for the default one (source, model, date).
  function releaseMetadata() {
    var out = {};
    ["description", "license", "theme", "temporal_start", "temporal_end", "spatial", "contact_name", "contact_email"].forEach(function (k) {
      out[k] = $("wz-" + k.replace("_", "-")).value.trim();
    });
    out.description = out.description || null;
    out.keywords = $("wz-keywords").value.split(",").map(function (w) { return w.trim(); }).filter(Boolean);
    return out;
  }

  function release() {
    if (passedPolicy === null) return;
    var policy = JSON.parse(passedPolicy);
    var target = $("wz-target").value.trim();
    busy = true; syncRelease();
    status("wz-release-status", T.releasing);
    $("wz-release-result").textContent = "";
    var body = { policy: policy, release: Object.assign({ target: target, access_level: $("wz-access").value, title: $("wz-title").value.trim() || null }, releaseMetadata()) };
    runJob(body, $("wz-release-progress")).then(function (job) {
      if (job.status === "failed") {
        var err = job.error || {};
        status("wz-release-status", T.release_failed + ": " + (said(err) || ""), "bad");
        return;
      }
      var rel = job.result.release;
      status("wz-release-status", T.released, "ok");
      var q = "?lang=" + cfg.lang;
      $("wz-release-result").appendChild(el("ul", { class: "wz-links", id: "wz-released" }, [
        el("li", {}, [el("a", { href: "/datasets/" + encodeURIComponent(rel.target_dataset) + q, id: "wz-released-dataset" }, [T.open_dataset + ": " + rel.target_dataset + " v" + rel.target_version])]),
        el("li", {}, [el("a", { href: "/console/privacy/releases/" + rel.id + q, id: "wz-released-record" }, [T.open_record + " #" + rel.id])])
      ]));
    }).catch(function (err) {
      status("wz-release-status", T.release_failed + ": " + err.message, "bad");
    }).then(function () { busy = false; syncRelease(); });
  }

  // ----- wiring ------------------------------------------------------------------------------
  $("wz-target").value = cfg.target;
  $("wz-title").value = cfg.title;
  $("wz-model").addEventListener("change", showModelFields);
  showModelFields();
  var form = $("wz-form");
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  ["input", "change"].forEach(function (type) {
    form.addEventListener(type, function (e) { if (!e.target.closest("#step-release")) syncRelease(); });
  });
  $("wz-check").addEventListener("click", check);
  $("wz-release").addEventListener("click", release);
  loadKeys().then(scan).then(syncRelease);
})();
