// Contribution form: move focus to the first field with an error (the form works without this).
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector(".contribute-field.has-error input, .contribute-field.has-error select, .contribute-field.has-error textarea");
  if (first) { first.focus(); }
});
