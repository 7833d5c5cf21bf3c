// Kindergarten daily grid (templates/preschool/notes.html): keeps the "Ăn ít"/"Ngủ ít" chips and the
// Ăn/Ngủ selects in step, marks changed children and counts them. The form works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var grid = document.getElementById("grid");
  if (!grid) { return; }
  var count = document.getElementById("count");

  function unusual(kid) {
    var marked = Array.prototype.some.call(kid.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; });
    var texts = Array.prototype.some.call(kid.querySelectorAll("input[name^=p-], input[name^=vs-], input[name^=sk-], input[name^=nk-], textarea"),
      function (t) { return t.value.trim() !== ""; });
    var levels = Array.prototype.some.call(kid.querySelectorAll("select"), function (s) { return s.value !== "tot"; });
    return marked || texts || levels;
  }

  function refresh() {
    var kids = grid.querySelectorAll("fieldset.kid");
    var n = 0;
    kids.forEach(function (kid) {
      var odd = unusual(kid);
      kid.classList.toggle("unusual", odd);
      if (odd) { n += 1; }
    });
    if (count) { count.textContent = n + "/" + kids.length + " trẻ có ghi chú; các trẻ còn lại: bình thường."; }
  }

  grid.addEventListener("change", function (event) {
    var t = event.target;
    if (t.dataset && t.dataset.sync) {
      var select = grid.querySelector("select[name='" + t.dataset.sync + "']");
      if (select) { select.value = t.checked ? "it" : "tot"; }
    } else if (t.tagName === "SELECT") {
      var chip = grid.querySelector("input[data-sync='" + t.name + "']");
      if (chip) { chip.checked = t.value === "it"; }
    }
    refresh();
  });
  grid.addEventListener("input", refresh);
  refresh();
});
