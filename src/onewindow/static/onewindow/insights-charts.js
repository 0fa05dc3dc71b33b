/* OneWindow dashboard charts (统计分析): draws the charts described in the JSON script
   #insights-chart-data with the vendored ECharts (static/vendor/echarts-5.6.0.min.js).
   Readable without colour: values are printed on every bar and point, series carry
   decal patterns (aria.decal), and ECharts' aria description is on each chart; the
   table under each chart holds the same numbers. No data is fetched: the page has it. */
(function () {
  "use strict";

  var source = document.getElementById("insights-chart-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var instances = [];

  function format(unit, quietZeros) {
    return function (params) {
      var value = Array.isArray(params.value) ? params.value[params.value.length - 1] : params.value;
      if (value === null || value === undefined || value === "-") {
        return quietZeros ? "" : "—";
      }
      if (quietZeros && value === 0) {
        return "";
      }
      return unit === "%" ? value + "%" : String(value);
    };
  }

  /* Lines are told apart by their marker and dash as well as by colour. */
  var SYMBOLS = ["circle", "triangle", "rect", "diamond"];
  var DASHES = ["solid", "dashed", "dotted", "solid"];

  function axisLabel(unit) {
    return unit === "%" ? { formatter: "{value}%" } : {};
  }

  /* A day on the axis as 12-07: the year is in the period above, and ten dates of
     2026-12-07 side by side ran into each other. */
  var DAY = /^\d{4}-(\d{2}-\d{2})$/;

  function categoryLabel(value) {
    var day = DAY.exec(value);
    return day ? day[1] : value;
  }

  function options(chart) {
    var horizontal = chart.kind === "barh";
    var type = chart.kind === "line" ? "line" : "bar";
    var categoryAxis = {
      type: "category",
      data: chart.categories,
      axisLabel: {
        interval: horizontal ? 0 : "auto",
        hideOverlap: true,
        width: horizontal ? 140 : 90,
        overflow: "truncate",
        formatter: categoryLabel
      },
      inverse: horizontal
    };
    var valueAxis = { type: "value", minInterval: chart.unit === "%" ? 0 : 1, axisLabel: axisLabel(chart.unit) };
    if (chart.unit === "%") {
      valueAxis.max = 100;
    }
    return {
      animation: !still,
      aria: { enabled: true, decal: { show: true } },
      title: { show: false, text: chart.title },
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis", valueFormatter: function (value) {
        return value === null || value === undefined ? "—" : (chart.unit === "%" ? value + "%" : value);
      } },
      // Horizontal bars print their values past the bar's end: room for "100%".
      grid: { left: 8, right: horizontal ? 52 : 24, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: chart.series.map(function (serie, index) {
        var line = type === "line";
        return {
          name: serie.name,
          type: type,
          data: serie.data.map(function (value) { return value === null ? "-" : value; }),
          connectNulls: false,
          symbol: line ? SYMBOLS[index % SYMBOLS.length] : undefined,
          symbolSize: line ? 8 : undefined,
          lineStyle: line ? { type: DASHES[index % DASHES.length], width: 2 } : undefined,
          barMaxWidth: 36,
          // Values that would print over each other are left to the table below.
          labelLayout: { hideOverlap: true },
          label: {
            show: true,
            position: horizontal ? "right" : "top",
            // A line of days shows its non-zero values only (the table has them all).
            formatter: format(chart.unit, line)
          }
        };
      })
    };
  }

  data.charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element || !chart.categories.length) {
      return;
    }
    if (chart.kind === "barh") {
      var rowHeight = 24 + chart.series.length * 16;
      element.style.height = Math.max(220, 60 + chart.categories.length * rowHeight) + "px";
    }
    var instance = window.echarts.init(element, null, { renderer: "canvas", locale: data.locale });
    instance.setOption(options(chart));
    element.setAttribute("role", "img");
    instances.push(instance);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) {
      window.clearTimeout(pending);
    }
    pending = window.setTimeout(function () {
      instances.forEach(function (instance) { instance.resize(); });
    }, 150);
  });
})();
