// Running total on the judge's scoring screen. The server re-checks every value.
(function () {
  var form = document.getElementById("score-form");
  var out = document.getElementById("running-total");
  if (!form || !out) return;
  function update() {
    var sum = 0;
    form.querySelectorAll(".score-input").forEach(function (el) {
      var v = el.value.trim();
      var max = parseInt(el.getAttribute("max"), 10);
      var ok = v === "" || (/^\d+$/.test(v) && parseInt(v, 10) <= max);
      el.classList.toggle("is-invalid", !ok);
      if (ok && v !== "") sum += parseInt(v, 10);
    });
    out.textContent = sum;
  }
  form.addEventListener("input", update);
  update();
})();
