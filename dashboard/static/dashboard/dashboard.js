/* Draws the dashboard charts with the vendored Chart.js from the JSON in #chart-data. */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  var RED = "#b4161b", BLUE = "#0d6efd", GREEN = "#198754", GREY = "#ced4da", GOLD = "#d8a200", ORANGE = "#fd7e14";
  var stacked = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };

  var d = data.deadlines;
  new Chart(document.getElementById("chart-deadlines"), {
    type: "bar",
    data: {
      labels: d.map(function (r) { return r.label; }),
      datasets: [
        { label: "已通过", data: d.map(function (r) { return r.approved; }), backgroundColor: GREEN },
        { label: "已提交待审", data: d.map(function (r) { return r.submitted; }), backgroundColor: BLUE },
        { label: "未提交", data: d.map(function (r) { return r.pending; }), backgroundColor: GREY }
      ]
    },
    options: { maintainAspectRatio: false, indexAxis: "y",
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } } }
  });

  var o = data.outcomes, palette = [RED, GOLD, BLUE, GREEN, "#6f42c1"];
  new Chart(document.getElementById("chart-outcomes"), {
    type: "bar",
    data: {
      labels: o.months.map(function (m) { return m.replace(/^\d+年/, ""); }),
      datasets: o.series.map(function (s, i) { return { label: s.label, data: s.counts, backgroundColor: palette[i % palette.length] }; })
    },
    options: { maintainAspectRatio: false, scales: stacked, plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } }
  });

  var e = data.entries, colors = { draft: GREY, submitted: BLUE, returned: ORANGE, passed: GREEN };
  new Chart(document.getElementById("chart-entries"), {
    type: "bar",
    data: {
      labels: e.tracks,
      datasets: e.series.map(function (s) { return { label: s.label, data: s.counts, backgroundColor: colors[s.state] || RED }; })
    },
    options: { maintainAspectRatio: false, scales: stacked, plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } }
  });
})();
