// Root-cause template: a live total of the shares, so a planner sees 90% before saving.
// The page works without it (the server checks the total and says what is wrong).
(function () {
  var form = document.querySelector("form.rc-form");
  var out = document.getElementById("rc-total");
  if (!form || !out) return;
  var boxes = form.querySelectorAll(".shares input[type=number]");
  function update() {
    var total = 0;
    boxes.forEach(function (box) { total += Number(box.value) || 0; });
    out.textContent = String(total);
    out.parentElement.classList.toggle("off", total !== 100);
  }
  boxes.forEach(function (box) { box.addEventListener("input", update); });
  update();
})();
