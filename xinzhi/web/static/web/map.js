// The thematic map: cities of the province; click a city to see its counties, click a county to open its
// indicator page. The title and breadcrumb name the city shown; the rating words are the cockpit's.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.echarts) return;
  var controls = document.getElementById("map-controls"), back = document.getElementById("map-back");
  var chart = echarts.init(el), geo = {}, parent = "330000";
  var WORDS = JSON.parse(document.getElementById("map-words").textContent);
  var RATING_ZH = { blue: WORDS.blue, yellow: WORDS.yellow, red: WORDS.red, grey: WORDS.grey, "": WORDS[""] };
  var COLON = document.documentElement.lang === "en" ? ": " : "：";
  var title = document.getElementById("map-title"), crumbCity = document.getElementById("map-crumb-city");
  var crumbs = document.getElementById("map-crumbs"), hintCity = document.getElementById("map-hint-city");
  var shownRegions = {};
  // the three colourings (ratings.toml §4): the field each reads, its classes in order, their colours
  var VIEWS = {
    trajectory: { field: "rating", order: ["blue", "yellow", "red", "grey", ""],
      colours: ["#2563eb", "#f59e0b", "#dc2626", "#9ca3af", "#d1d5db"],
      labels: ["blue", "yellow", "red", "grey"].map(function (k) { return WORDS[k] + COLON + WORDS.legend[k]; })
        .concat([WORDS[""]]) },
    peers: { field: "level_group", order: ["leading", "strong", "moderate", "emerging", "grey", ""],
      colours: ["#0f766e", "#2dd4bf", "#99f6e4", "#ecfeff", "#9ca3af", "#e5e7eb"],
      labels: ["领先（>125%）", "较强（100%–125%）", "中等（70%–100%）", "追赶（<70%）", "无数据", "不比较"] },
    change: { field: "change_group", order: ["up", "flat", "down", ""],
      colours: ["#16a34a", "#9ca3af", "#ea580c", "#e5e7eb"],
      labels: ["同比提高", "同比持平", "同比下降", "无上年数据"] }
  };
  var PEER_ZH = { leading: "领先", strong: "较强", moderate: "中等", emerging: "追赶", grey: "无数据", "": "—" };
  var CHANGE_ZH = { up: "提高", flat: "持平", down: "下降", "": "—" };
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
  function points() {
    var layer = value("layer");
    if (!layer) return Promise.resolve(null);
    return fetch(el.dataset.points + "?layer=" + layer, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  function draw() {
    var level = parent === "330000" ? "city" : "county";
    var params = new URLSearchParams({ indicator: value("indicator"), period: value("period"), parent: parent });
    Promise.all([loadGeo(level), fetch(el.dataset.values + "?" + params, { credentials: "same-origin" }).then(function (r) { return r.json(); }), points()])
      .then(function (res) {
        var g = res[0], data = res[1], pts = res[2], mapName = "zj-" + parent;
        var features = level === "city" ? g.features : g.features.filter(function (f) { return f.properties.parent === parent; });
        echarts.registerMap(mapName, { type: "FeatureCollection", features: features });
        var byName = {};
        data.regions.forEach(function (r) { byName[r.name] = r; });
        shownRegions = level === "county" ? byName : {};
        showPlace(level);
        var view = VIEWS[value("colour")];
        var seriesData = features.map(function (f) {
          var r = byName[f.properties.name] || { name: f.properties.name, value: null, rating: "" };
          var v = view ? view.order.indexOf(r[view.field] || "") : r.value;
          return { name: f.properties.name, value: v, info: r, code: f.properties.adcode };
        });
        var values = data.regions.map(function (r) { return r.value; }).filter(function (v) { return v != null; });
        var visualMap = view
          ? { type: "piecewise", seriesIndex: 0, left: "left", bottom: 10, pieces: view.order.map(function (k, i) {
              var named = value("colour") === "trajectory" ? {} : ((data.views || {}).classes || {})[value("colour")] || {};
              return { value: i, label: named[k] || view.labels[i], color: view.colours[i] }; }) }
          : { type: "continuous", seriesIndex: 0, min: values.length ? Math.min.apply(null, values) : 0,
              max: values.length ? Math.max.apply(null, values) : 1, left: "left", bottom: 10, text: ["高", "低"],
              calculable: true, inRange: { color: ["#e0f2fe", "#1d4ed8"] } };
        var visible = pts ? pts.points.filter(function (p) { return level === "city" || p.code.slice(0, 4) === parent.slice(0, 4); }) : [];
        var maxTotal = Math.max.apply(null, [1].concat(visible.map(function (p) { return p.total; })));
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            if (p.seriesType === "scatter") {
              var c = p.data.counts, lines = (pts.categories || []).filter(function (k) { return c[k.key]; })
                .map(function (k) { return k.label + "：" + c[k.key]; });
              return "<b>" + p.name + "</b> " + pts.title + " 共" + p.data.total + "<br>" + lines.join("<br>");
            }
            var r = p.data && p.data.info; if (!r || r.value == null) return p.name + "<br>暂无数据";
            return "<b>" + p.name + "</b><br>本期：" + r.value_text + r.unit + "<br>同比：" + (r.yoy_text || "—") + (r.yoy_unit || "") +
              "<br>目标：" + (r.target_text == null ? "—" : r.target_text) + "<br>排名：" + (r.rank || "—") + "/" + (r.peer_count || "—") +
              "<br>评级：" + RATING_ZH[r.rating || ""] + (r.reason ? "<br><span class='s-wrap'>" + r.reason + "</span>" : "") +
              "<br>同级比较：" + PEER_ZH[r.level_group || ""] + (r.level_reason ? "（" + r.level_reason + "）" : "") +
              "<br>同比变化：" + CHANGE_ZH[r.change_group || ""];
          } },
          visualMap: visualMap,
          // on a narrow screen (a phone) the legend would lie over the western regions: the map is drawn
          // above it instead (a piecewise legend item is 14 px high with a 10 px gap; the continuous one ~150 px)
          geo: Object.assign({ map: mapName, roam: true, label: { show: false }, emphasis: { label: { show: false } } },
            chart.getWidth() < 600 ? { top: 10, bottom: view ? view.order.length * 24 + 30 : 180 } : {}),
          series: [
            { type: "map", geoIndex: 0, data: seriesData },
            { type: "scatter", coordinateSystem: "geo", data: visible.map(function (p) {
                return { name: p.name, value: p.value, counts: p.counts, total: p.total, code: p.code }; }),
              symbolSize: function (v) { return 6 + 22 * Math.sqrt(v[2] / maxTotal); },
              itemStyle: { color: "#0f766e", borderColor: "#fff", borderWidth: 1, opacity: 0.85 } },
            // the region names: at each region's centre, with a white halo (legible on every fill); where two
            // would overlap (the small districts of a city centre) one is hidden until the map is zoomed in
            { type: "scatter", coordinateSystem: "geo", silent: true, symbolSize: 0, tooltip: { show: false },
              data: features.filter(function (f) { return f.properties.cp; })
                .map(function (f) { return { name: f.properties.name, value: f.properties.cp }; }),
              label: { show: true, formatter: "{b}", position: "inside", fontSize: level === "city" ? 13 : 12,
                color: "#111827", fontWeight: 500, textBorderColor: "#fff", textBorderWidth: 3 },
              labelLayout: { hideOverlap: true } }
          ]
        }, true);
        back.hidden = parent === "330000" || scopeLevel !== "province";
        var tbody = document.querySelector("#map-table tbody");
        tbody.innerHTML = "";
        data.regions.slice().sort(function (a, b) { return (a.rank || 999) - (b.rank || 999); }).forEach(function (r) {
          var tr = document.createElement("tr");
          [r.name, (r.value_text || "—") + (r.value == null ? "" : r.unit), (r.yoy_text || "—") + (r.yoy_text ? r.yoy_unit : ""),
           r.target_text == null ? "—" : r.target_text, r.rank ? r.rank + "/" + r.peer_count : "—"].forEach(function (t, i) {
            var td = document.createElement("td"); td.textContent = t; if (i > 0) td.className = "num";
            if (i === 0 && level === "county") {  // the county's name opens its indicator page, as a click on the map does
              var a = document.createElement("a"); a.textContent = t; a.href = countyUrl(r); td.textContent = ""; td.appendChild(a);
            }
            tr.appendChild(td);
          });
          [["rating rating-" + (r.rating || "none"), RATING_ZH[r.rating || ""], r.reason],
           ["rating peer-" + (r.level_group || "none"), PEER_ZH[r.level_group || ""], r.level_reason],
           ["rating change-" + (r.change_group || "none"), CHANGE_ZH[r.change_group || ""], ""]].forEach(function (b) {
            var td = document.createElement("td"), span = document.createElement("span");
            span.className = b[0]; span.textContent = b[1]; span.title = b[2] || "";
            td.appendChild(span); tr.appendChild(td);
          });
          tbody.appendChild(tr);
        });
        el.dataset.level = level; el.dataset.parent = parent; el.dataset.rendered = String(data.regions.length);
        el.dataset.pointCount = String(visible.length);
      });
  }
  function cityName(code) {
    var f = (geo.city ? geo.city.features : []).filter(function (x) { return String(x.properties.adcode) === code; })[0];
    return f ? f.properties.name : el.dataset.shownName;
  }
  // the title and the breadcrumb name what is drawn: the province, or the city whose counties are shown
  function showPlace(level) {
    var name = level === "city" ? el.dataset.provinceName : cityName(parent);
    title.textContent = name + title.dataset.suffix;
    document.title = name + title.dataset.suffix + document.title.slice(document.title.lastIndexOf(" · "));
    if (scopeLevel === "province") {
      if (level === "city" && crumbCity) { crumbCity.previousElementSibling.remove(); crumbCity.remove(); crumbCity = null; }
      if (level === "county") {
        if (!crumbCity) {
          var sep = document.createElement("span"); sep.className = "sep"; sep.setAttribute("aria-hidden", "true"); sep.textContent = "›";
          crumbCity = document.createElement("span"); crumbCity.id = "map-crumb-city";
          crumbs.appendChild(sep); crumbs.appendChild(crumbCity);
        }
        crumbCity.textContent = name;
      }
      if (hintCity) hintCity.hidden = level !== "city";
    }
  }
  function openCounty(name) {
    var r = shownRegions[name];
    if (!r) return false;  // outside the user's scope or without data: nothing to open
    window.location.href = countyUrl(r);
    return true;
  }
  function countyUrl(r) {
    var params = new URLSearchParams({ region: r.code, period: value("period") });
    return el.dataset.indicatorUrl.replace("INDICATOR", encodeURIComponent(value("indicator"))) + "?" + params;
  }
  var provinceCrumb = document.getElementById("map-crumb-province");
  if (provinceCrumb) provinceCrumb.addEventListener("click", function (e) {
    if (parent === "330000") return;
    e.preventDefault(); parent = "330000"; draw();
  });
  chart.on("click", function (p) {
    if (p.seriesType === "scatter") return;
    if (parent !== "330000") { openCounty(p.name); return; }
    var code = (p.data && p.data.code) || (geo.city && geo.city.features.filter(function (f) { return f.properties.name === p.name; })
      .map(function (f) { return f.properties.adcode; })[0]);
    if (code) { parent = code; draw(); }
  });
  back.addEventListener("click", function () { parent = "330000"; draw(); });
  controls.addEventListener("change", draw);
  window.addEventListener("resize", function () { chart.resize(); });
  window.xinzhiMap = { chart: chart, open: function (code) { parent = code; draw(); }, openCounty: openCounty };
  draw();
})();
