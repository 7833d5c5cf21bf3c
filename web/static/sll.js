// SLL Gateway: the few page behaviours that need a script (served from /static: the CSP forbids inline code).
// A <select data-submit-clears="NAME"> submits its form at once, clearing the field NAME first
// (the grade book's class picker: a new class starts without the old class's subject).
document.querySelectorAll("select[data-submit-clears]").forEach(function (select) {
  select.addEventListener("change", function () {
    var other = select.form.elements[select.dataset.submitClears];
    if (other) { other.value = ""; }
    select.form.submit();
  });
});
// <input type="checkbox" data-select-all="NAME"> ticks or unticks every checkbox NAME of its form.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
