/* The console's synthetic-data page: follow a synthesis job (its progress from the jobs API,
   with the session cookie) and reload the page when it ends, which then shows the candidate's
   report or the failure. Plain JavaScript; without it the page's refresh link does the same. */
(function () {
  "use strict";
  var panel = document.getElementById("synth-job");
  if (!panel) return;
  var bar = document.getElementById("synth-progress");
  var label = document.getElementById("synth-job-label");
  var text = JSON.parse(document.getElementById("synth-text").textContent);
  function poll() {
    fetch(panel.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.fraction !== null && job.fraction !== undefined) bar.value = job.fraction;
        if (job.status === "succeeded" || job.status === "failed") {
          label.textContent = job.status === "succeeded" ? text.done : text.failed;
          window.location.reload();
        } else {
          setTimeout(poll, 500);
        }
      }, function () { setTimeout(poll, 2000); });
  }
  poll();
})();
