// The console's coverage picker: show the 시군구 of the chosen 시도 only (without JavaScript every
// 시도 stays listed). The first 시도 with a ticked box is chosen on load.
(function () {
  "use strict";
  var pick = document.getElementById("sido-pick");
  if (!pick) return;
  var groups = document.querySelectorAll("#region-picker .sido-group");
  function show(code) {
    groups.forEach(function (g) { g.hidden = g.getAttribute("data-sido") !== code; });
  }
  var start = null;
  groups.forEach(function (g) {
    if (start === null && g.querySelector("input:checked")) start = g.getAttribute("data-sido");
  });
  if (start !== null) pick.value = start;
  show(pick.value);
  pick.addEventListener("change", function () { show(pick.value); });
})();
