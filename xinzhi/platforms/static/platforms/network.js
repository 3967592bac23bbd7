/* Platform network (xinzhi/platforms/network.py → #network-data): an ECharts force-directed graph.
   The province view arrives aggregated (a node per city, per city and platform kind, per 415X cluster);
   clicking an aggregate fetches that city's detailed graph (network.json?region=<city>) and puts it in
   place. The force layout always runs animated, frame by frame, so the page never blocks on it. */
(function () {
  "use strict";
  var box = document.getElementById("network");
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var note = document.getElementById("network-status");
  if (!box || !window.echarts) { return; }
  if (!data.nodes.length) {
    box.style.height = "auto";
    box.textContent = "当前范围和筛选条件下没有创新平台或研发机构。";
    return;
  }
  var chart = echarts.init(box);
  var nodes = data.nodes.slice(), links = data.links.slice(), expanded = {};
  var jsonUrl = box.getAttribute("data-json");

  function shown(n) {
    return n.kind === "group" || n.kind === "cluster" || n.kind === "region" || n.symbolSize >= 18;
  }

  function draw() {
    var big = nodes.length > 600;
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") { return echarts.format.encodeHTML(String(p.data.relation || "")); }
          var d = p.data, rows = [d.name];
          if (d.summary) { rows.push(d.summary); }
          if (d.level) { rows.push(d.level + (d.status ? " · " + d.status : "")); }
          if (d.field) { rows.push("领域：" + d.field); }
          if (d.hidden_members) { rows.push("另有 " + d.hidden_members + " 家成员未画出"); }
          if (d.expand && !expanded[d.expand]) { rows.push("点击展开该市的平台、企业和研发机构"); }
          return rows.map(function (r) { return echarts.format.encodeHTML(String(r)); }).join("<br>");
        }
      },
      legend: [{ data: data.categories.map(function (c) { return c.name; }), top: 0 }],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 40,
        data: nodes.map(function (n) { return Object.assign({}, n, { label: { show: shown(n) } }); }),
        links: links, categories: data.categories,
        label: { show: false, position: "right", fontSize: 11 },
        labelLayout: big ? undefined : { hideOverlap: true },
        emphasis: { focus: big ? "none" : "adjacency", label: { show: true } },
        force: { repulsion: big ? 40 : 120, edgeLength: [20, 90], gravity: 0.08, layoutAnimation: true },
        lineStyle: { color: "source", opacity: 0.5, curveness: 0.05 },
        edgeSymbol: ["none", "none"]
      }]
    });
  }

  function say(text) { if (note) { note.textContent = text; } }

  function expand(code) {
    expanded[code] = "loading";
    say("正在展开……");
    var started = performance.now();
    fetch(jsonUrl + "&region=" + encodeURIComponent(code), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (g) {
        var city = "r:" + code;
        nodes = nodes.filter(function (n) { return !(n.kind === "group" && n.expand === code); });
        var ids = {};
        nodes.forEach(function (n) { ids[n.id] = true; });
        links = links.filter(function (l) { return ids[l.source] && ids[l.target]; });
        g.nodes.forEach(function (n) {
          if (ids[n.id]) { return; }  // already drawn (e.g. an enterprise in two cities' alliances)
          nodes.push(n);
          ids[n.id] = true;
          if (n.kind === "region" && n.id !== city) { links.push({ source: n.id, target: city, relation: "下辖" }); }
        });
        g.links.forEach(function (l) { links.push(l); });
        expanded[code] = true;
        draw();
        window.__networkExpanded = performance.now() - started;
        window.__networkExpandedCode = code;
        say("已展开 " + (nodes.find(function (n) { return n.id === city; }) || {}).name +
            (g.truncated ? "；节点过多，另有 " + g.truncated + " 个研发机构未画出" : "") + "。");
      })
      .catch(function () { expanded[code] = false; say("展开失败，请重试。"); });
  }

  draw();
  window.__networkDrawn = performance.now();
  window.xinzhiNetwork = { expand: expand };  // the same step as a click on a city's aggregate (bench)
  chart.on("click", function (p) {
    if (p.dataType !== "node") { return; }
    if (p.data.url) { window.location.href = p.data.url; return; }
    if (p.data.expand && !expanded[p.data.expand]) { expand(p.data.expand); }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
