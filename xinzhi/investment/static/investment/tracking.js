// Planned vs actual: the year-to-date completed investment of projects with an annual plan, by month,
// against the plan's time-elapsed line (annual plan × month ÷ 12, 序时进度).
(function () {
  var el = document.getElementById("plan-actual-chart");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.dataset.series || "{}");
  var months = ["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"];
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [el.dataset.planLabel, el.dataset.actualLabel] },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", name: el.dataset.unit },
    series: [
      { name: el.dataset.planLabel, type: "line", data: data.plan, lineStyle: { type: "dashed" } },
      { name: el.dataset.actualLabel, type: "line", data: data.actual, connectNulls: false }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
