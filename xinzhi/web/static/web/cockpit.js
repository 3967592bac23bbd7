// Sparklines of this year's YTD values on the cockpit's target cards.
(function () {
  var data = document.getElementById("cockpit-series");
  if (!data || !window.echarts) return;
  var series = JSON.parse(JSON.parse(data.textContent));
  document.querySelectorAll(".spark[data-indicator]").forEach(function (el) {
    var values = series[el.dataset.indicator] || [];
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 2, right: 2, top: 4, bottom: 2 },
      xAxis: { type: "category", show: false, data: values.map(function (_, i) { return (i + 1) + "月"; }) },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2); } },
      series: [{ type: "line", data: values, symbol: "none", lineStyle: { width: 2, color: "#1d4ed8" },
                 areaStyle: { color: "rgba(29,78,216,.08)" } }]
    });
  });
})();
