/* REFERENCE for bench/bench_network.py: the network script before issue 15 §9 (xinzhi/platforms/static/platforms/network.js at af575b8) — a graph over 600 nodes laid out synchronously (layoutAnimation off). Not served by the application. */
(function () {
  "use strict";
  var box = document.getElementById("network");
  var data = JSON.parse(document.getElementById("network-data").textContent);
  if (!box || !window.echarts) { return; }
  if (!data.nodes.length) {
    box.style.height = "auto";
    box.textContent = "当前范围和筛选条件下没有创新平台或研发机构。";
    return;
  }
  var chart = echarts.init(box);
  var big = data.nodes.length > 600;
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        if (p.dataType === "edge") { return p.data.relation || ""; }
        var d = p.data, rows = [d.name];
        if (d.level) { rows.push(d.level + (d.status ? " · " + d.status : "")); }
        if (d.field) { rows.push("领域：" + d.field); }
        if (d.hidden_members) { rows.push("另有 " + d.hidden_members + " 家成员未画出"); }
        return rows.map(function (r) { return echarts.format.encodeHTML(String(r)); }).join("<br>");
      }
    },
    legend: [{ data: data.categories.map(function (c) { return c.name; }), top: 0 }],
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 40,
      data: data.nodes, links: data.links, categories: data.categories,
      label: { show: false, position: "right", fontSize: 11 },
      labelLayout: { hideOverlap: true },
      emphasis: { focus: "adjacency", label: { show: true } },
      force: { repulsion: big ? 40 : 90, edgeLength: [20, 80], gravity: 0.08, layoutAnimation: !big },
      lineStyle: { color: "source", opacity: 0.5, curveness: 0.05 },
      edgeSymbol: ["none", "none"]
    }]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
  });
  // larger nodes (regions, platforms) show their labels
  chart.setOption({ series: [{ data: data.nodes.map(function (n) {
    return Object.assign({}, n, { label: { show: n.symbolSize >= 18 } });
  }) }] });
  window.addEventListener("resize", function () { chart.resize(); });
})();
