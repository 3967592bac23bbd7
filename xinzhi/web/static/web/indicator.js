// This year against last year, month by month (YTD).
(function () {
  var el = document.getElementById("trend"), data = document.getElementById("trend-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(JSON.parse(data.textContent));
  var months = ["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"];
  echarts.init(el).setOption({
    tooltip: { trigger: "axis" }, legend: { data: [d.year + "年", (d.year - 1) + "年"] },
    xAxis: { type: "category", data: months }, yAxis: { type: "value", scale: true },
    series: [{ name: d.year + "年", type: "line", data: d["this"] }, { name: (d.year - 1) + "年", type: "line", data: d.last, lineStyle: { type: "dashed" } }]
  });
})();
