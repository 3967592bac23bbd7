// Revenue (year-to-date) of this year against last year, by month.
(function () {
  var el = document.getElementById("revenue-chart");
  if (!el || !window.echarts) return;
  var series = JSON.parse(el.dataset.series || "{}");
  var years = Object.keys(series).sort();
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: years.map(function (y) { return y + "年"; }) },
    xAxis: { type: "category", data: ["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"] },
    yAxis: { type: "value", name: "万元" },
    series: years.map(function (y) { return { name: y + "年", type: "line", data: series[y], connectNulls: false }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
