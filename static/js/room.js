// 现场答辩 room: the presentation countdown on the projector and control page, the fullscreen button.
// The server sends the seconds left (data-remaining) with every board it renders; the clock here only
// counts down between two polls, so a skewed projector clock does not matter.
(function () {
  var deadline = null;

  function read() {
    var el = document.querySelector("[data-remaining]");
    deadline = el ? Date.now() + parseInt(el.getAttribute("data-remaining"), 10) * 1000 : null;
    tick();
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var el = document.querySelector("[data-remaining]");
    if (!el || deadline === null) return;
    var left = Math.round((deadline - Date.now()) / 1000);
    var over = left < 0;
    var s = Math.abs(left);
    el.textContent = (over ? "超时 " : "") + pad(Math.floor(s / 60)) + ":" + pad(s % 60);
    el.classList.toggle("room-overtime", over);
    el.classList.toggle("room-last-minute", !over && left <= 60);
  }

  document.addEventListener("DOMContentLoaded", read);
  document.body.addEventListener("htmx:afterSwap", read);
  setInterval(tick, 250);

  var fs = document.getElementById("room-fullscreen");
  if (fs) {
    fs.addEventListener("click", function () {
      var root = document.documentElement;
      if (!document.fullscreenElement && root.requestFullscreen) root.requestFullscreen();
      else if (document.exitFullscreen) document.exitFullscreen();
    });
  }
})();
