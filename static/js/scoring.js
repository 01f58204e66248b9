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

// 现场答辩 phone: the room's poll (#room-poll) reloads the page whenever the room changes (another judge
// submitted, the next entry). While this judge has typed scores or is sending them, a reload would wipe
// what they typed or abort their own submission, so the poll waits; sending the form brings the room's
// current state anyway.
(function () {
  var form = document.getElementById("score-form");
  if (!form || !document.getElementById("room-poll")) return;
  var busy = false;
  form.addEventListener("input", function () { busy = true; });
  form.addEventListener("submit", function () { busy = true; });
  function holdPoll(e) {
    if (busy && e.detail && e.detail.elt && e.detail.elt.id === "room-poll") e.preventDefault();
  }
  document.body.addEventListener("htmx:beforeRequest", holdPoll);
  document.body.addEventListener("htmx:beforeOnLoad", holdPoll);
})();
