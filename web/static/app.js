// Page behaviour, as a static file: the CSP allows no inline script.
// A <select data-resets="field"> empties that field of its form and submits it when changed
// (the grade book: a new class clears the subject).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-resets]")) return;
  var field = select.form && select.form.elements[select.dataset.resets];
  if (field) field.value = "";
  select.form.submit();
});
