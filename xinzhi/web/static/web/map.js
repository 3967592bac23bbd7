// The thematic map: cities of the province; click a city to see its counties.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.echarts) return;
  var controls = document.getElementById("map-controls"), back = document.getElementById("map-back");
  var chart = echarts.init(el), geo = {}, parent = "330000";
  var COLOURS = { blue: "#2563eb", yellow: "#f59e0b", red: "#dc2626", grey: "#9ca3af", "": "#d1d5db" };
  var RATING_ZH = { blue: "蓝", yellow: "黄", red: "红", grey: "灰（无数据）", "": "未评级" };
  // A county user's scope is one county: start at its city (the map needs a polygon set to draw).
  var scope = el.dataset.scope, scopeLevel = el.dataset.scopeLevel;
  if (scopeLevel === "city") parent = scope;
  if (scopeLevel === "county") parent = scope.slice(0, 4) + "00";

  function loadGeo(level) {
    if (geo[level]) return Promise.resolve(geo[level]);
    return fetch(el.dataset["geo" + level.charAt(0).toUpperCase() + level.slice(1)], { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (g) { geo[level] = g; return g; });
  }
  function value(name) { return controls.elements[name].value; }
  function draw() {
    var level = parent === "330000" ? "city" : "county";
    var params = new URLSearchParams({ indicator: value("indicator"), period: value("period"), parent: parent });
    Promise.all([loadGeo(level), fetch(el.dataset.values + "?" + params, { credentials: "same-origin" }).then(function (r) { return r.json(); })])
      .then(function (res) {
        var g = res[0], data = res[1], mapName = "zj-" + parent;
        var features = level === "city" ? g.features : g.features.filter(function (f) { return f.properties.parent === parent; });
        echarts.registerMap(mapName, { type: "FeatureCollection", features: features });
        var byName = {};
        data.regions.forEach(function (r) { byName[r.name] = r; });
        var byRating = value("colour") === "rating";
        var seriesData = features.map(function (f) {
          var r = byName[f.properties.name] || { name: f.properties.name, value: null, rating: "" };
          var item = { name: f.properties.name, value: r.value, info: r, code: f.properties.adcode };
          if (byRating) item.itemStyle = { areaColor: COLOURS[r.rating || ""] };
          return item;
        });
        var values = data.regions.map(function (r) { return r.value; }).filter(function (v) { return v != null; });
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            var r = p.data && p.data.info; if (!r || r.value == null) return p.name + "<br>暂无数据";
            return "<b>" + p.name + "</b><br>本期：" + r.value_text + r.unit + "<br>同比：" + (r.yoy_text || "—") + (r.yoy_unit || "") +
              "<br>目标：" + (r.target_text == null ? "—" : r.target_text + r.unit) + "<br>排名：" + (r.rank || "—") + "/" + (r.peer_count || "—") +
              "<br>评级：" + RATING_ZH[r.rating || ""] + (r.reason ? "<br><span style='white-space:normal'>" + r.reason + "</span>" : "");
          } },
          visualMap: byRating || !values.length ? undefined : { min: Math.min.apply(null, values), max: Math.max.apply(null, values),
            left: "left", bottom: 10, text: ["高", "低"], calculable: true, inRange: { color: ["#e0f2fe", "#1d4ed8"] } },
          series: [{ type: "map", map: mapName, roam: true, label: { show: true, fontSize: 11 }, data: seriesData,
                     emphasis: { label: { show: true } } }]
        }, true);
        back.hidden = parent === "330000" || scopeLevel !== "province";
        var tbody = document.querySelector("#map-table tbody");
        tbody.innerHTML = "";
        data.regions.slice().sort(function (a, b) { return (a.rank || 999) - (b.rank || 999); }).forEach(function (r) {
          var tr = document.createElement("tr");
          [r.name, (r.value_text || "—") + (r.value == null ? "" : r.unit), (r.yoy_text || "—") + (r.yoy_text ? r.yoy_unit : ""),
           r.target_text == null ? "—" : r.target_text + r.unit, r.rank ? r.rank + "/" + r.peer_count : "—"].forEach(function (t, i) {
            var td = document.createElement("td"); td.textContent = t; if (i > 0) td.className = "num"; tr.appendChild(td);
          });
          var td = document.createElement("td"), span = document.createElement("span");
          span.className = "rating rating-" + (r.rating || "none"); span.textContent = RATING_ZH[r.rating || ""].slice(0, 1); span.title = r.reason || "";
          td.appendChild(span); tr.appendChild(td); tbody.appendChild(tr);
        });
        el.dataset.level = level; el.dataset.parent = parent; el.dataset.rendered = String(data.regions.length);
      });
  }
  chart.on("click", function (p) {
    if (parent === "330000" && p.data && p.data.code) { parent = p.data.code; draw(); }
  });
  back.addEventListener("click", function () { parent = "330000"; draw(); });
  controls.addEventListener("change", draw);
  window.addEventListener("resize", function () { chart.resize(); });
  window.xinzhiMap = { chart: chart, open: function (code) { parent = code; draw(); } };
  draw();
})();
