// The preview form without a submit click: shows the value fields the chosen condition needs
// and applies a new chart or sort column at once. The form works without it.
(function () {
  var form = document.getElementById("preview-form");
  if (!form) return;
  var op = form.querySelector("#fo");
  function fields() {
    var range = op.value === "range";
    form.querySelector(".op-one").hidden = range;
    form.querySelector(".op-range").hidden = !range;
  }
  op.addEventListener("change", fields);
  fields();
  ["chart", "sort", "order"].forEach(function (id) {
    var el = form.querySelector("#" + id);
    if (el) el.addEventListener("change", function () { form.requestSubmit(); });
  });
})();
