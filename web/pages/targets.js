// Targets (周通报、月调度、季推进): an indicator's completion and ranking for
// a period, laggards highlighted, a chart of completion against the pace
// and the weekly trend; report downloads. Over /api/v1/targets and
// /api/v1/reports.
(function () {
  "use strict";
  var bars = null, trend = null;

  function pct(v) { return (Math.round(v * 100) / 100).toFixed(2) + "%"; }
  function num(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  window.WG_PAGES.push({
    name: "targets",
    zh: {
      nav_targets: "目标考核", tg_indicator: "指标", tg_period: "周期", tg_show: "查看", tg_none: "还没有指标",
      tg_unit: "单位", tg_target: "目标", tg_this: "本期完成", tg_cum: "累计完成", tg_pct: "完成率",
      tg_pace: "时序进度", tg_rank: "排名", tg_behind: "滞后", tg_ok: "正常", tg_state: "状态",
      tg_reports: "报告下载", tg_weekly: "周通报", tg_monthly: "月调度", tg_quarterly: "季推进",
      tg_download: "下载", tg_bars: "各单位完成率（虚线为时序进度）", tg_trend: "每期完成",
      tg_period_ph: "2026-W47 / 2026-11 / 2026-Q4"
    },
    en: {
      nav_targets: "Targets", tg_indicator: "Indicator", tg_period: "Period", tg_show: "Show", tg_none: "No indicators yet",
      tg_unit: "Unit", tg_target: "Target", tg_this: "This period", tg_cum: "To date", tg_pct: "Done",
      tg_pace: "Pace", tg_rank: "Rank", tg_behind: "behind", tg_ok: "on track", tg_state: "State",
      tg_reports: "Reports", tg_weekly: "Weekly notice", tg_monthly: "Monthly dispatch", tg_quarterly: "Quarterly review",
      tg_download: "Download", tg_bars: "Completion by unit (dashed: pace)", tg_trend: "Actuals per period",
      tg_period_ph: "2026-W47 / 2026-11 / 2026-Q4"
    },
    show: function (ui) {
      var t = ui.t, el = ui.el;
      var box = ui.clear(ui.$("page-targets"));
      box.appendChild(el("h2", t("nav_targets")));
      var form = box.appendChild(el("form", null, "bar"));
      var l1 = form.appendChild(el("label"));
      l1.appendChild(el("span", t("tg_indicator")));
      var sel = l1.appendChild(el("select"));
      sel.id = "tg-indicator";
      var l2 = form.appendChild(el("label"));
      l2.appendChild(el("span", t("tg_period")));
      var period = l2.appendChild(el("input"));
      period.id = "tg-period";
      period.placeholder = t("tg_period_ph");
      form.appendChild(el("button", t("tg_show"))).type = "submit";
      var status = box.appendChild(el("p", t("loading"), "muted"));
      var wrap = box.appendChild(el("div", null, "table-wrap"));
      var table = wrap.appendChild(el("table", null, "targets"));
      var head = table.appendChild(el("thead")).appendChild(el("tr"));
      [t("tg_unit"), t("tg_target"), t("tg_this"), t("tg_cum"), t("tg_pct"), t("tg_pace"), t("tg_rank"), t("tg_state")]
        .forEach(function (h) { head.appendChild(el("th", h)); });
      var body = table.appendChild(el("tbody"));
      var barBox = box.appendChild(el("div", null, "chart"));
      barBox.id = "targets-chart";
      var trendBox = box.appendChild(el("div", null, "chart"));
      trendBox.id = "targets-trend";

      // Report downloads.
      box.appendChild(el("h3", t("tg_reports")));
      var rep = box.appendChild(el("form", null, "bar"));
      var kind = rep.appendChild(el("select"));
      kind.id = "tg-report-kind";
      ["weekly", "monthly", "quarterly"].forEach(function (k) { kind.appendChild(new Option(t("tg_" + k), k)); });
      var rperiod = rep.appendChild(el("input"));
      rperiod.id = "tg-report-period";
      rperiod.placeholder = t("tg_period_ph");
      var fmt = rep.appendChild(el("select"));
      ["xlsx", "html"].forEach(function (f) { fmt.appendChild(new Option(f.toUpperCase(), f)); });
      var link = rep.appendChild(el("a", t("tg_download")));
      link.id = "tg-report-link";
      link.setAttribute("download", "");
      function updateLink() {
        link.href = "/api/v1/reports/" + kind.value + ui.qs({ period: rperiod.value.trim(), format: fmt.value });
      }
      [kind, rperiod, fmt].forEach(function (x) { x.addEventListener("change", updateLink); x.addEventListener("input", updateLink); });

      function load() {
        status.textContent = t("loading");
        ui.api("GET", "/api/v1/targets/" + encodeURIComponent(sel.value) + ui.qs({ period: period.value.trim() })).then(function (r) {
          ui.clear(body);
          if (r.status !== 200) { status.textContent = ui.errorText(r); return; }
          var d = r.json;
          status.textContent = d.name + "（" + d.unit + "）· " + d.period;
          if (!period.value) period.value = d.period;
          if (!rperiod.value) { rperiod.value = d.period; updateLink(); }
          d.lines.forEach(function (l) {
            var tr = el("tr", null, l.behind ? "behind" : "");
            tr.dataset.division = l.division;
            tr.appendChild(el("td", l.name));
            tr.appendChild(el("td", num(l.target), "num"));
            tr.appendChild(el("td", num(l.actual_period), "num"));
            tr.appendChild(el("td", num(l.actual_cum), "num"));
            tr.appendChild(el("td", pct(l.pct), "num"));
            tr.appendChild(el("td", pct(l.pace), "num"));
            tr.appendChild(el("td", l.rank + "/" + l.peers));
            tr.appendChild(el("td", t(l.behind ? "tg_behind" : "tg_ok")));
            body.appendChild(tr);
          });
          if (typeof echarts === "undefined") return;
          var top = d.lines[0], units = d.lines.filter(function (l) { return top && l.level !== top.level; });
          if (!bars || bars.getDom() !== barBox) bars = echarts.init(barBox, null, { renderer: "canvas" });
          bars.setOption({
            title: { text: t("tg_bars"), left: "center", top: 6, textStyle: { fontSize: 14 } },
            tooltip: { trigger: "axis" },
            grid: { left: 110, right: 40, top: 40, bottom: 24 },
            xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
            yAxis: { type: "category", inverse: true, data: units.map(function (l) { return l.name; }) },
            series: [{ type: "bar", data: units.map(function (l) {
              return { value: l.pct, itemStyle: { color: l.behind ? "#d9534f" : "#3b7dd8" } };
            }), markLine: top ? { symbol: "none", lineStyle: { type: "dashed" }, data: [{ xAxis: top.pace }] } : undefined }]
          }, true);
          bars.resize();
          var periods = Object.keys(d.actuals).sort();
          if (!trend || trend.getDom() !== trendBox) trend = echarts.init(trendBox, null, { renderer: "canvas" });
          trend.setOption({
            title: { text: t("tg_trend") + "（" + d.unit + "）", left: "center", top: 6, textStyle: { fontSize: 14 } },
            tooltip: { trigger: "axis" },
            grid: { left: 56, right: 24, top: 40, bottom: 32 },
            xAxis: { type: "category", data: periods },
            yAxis: { type: "value" },
            series: [{ type: "line", showSymbol: false, data: periods.map(function (p) { return d.actuals[p]; }) }]
          }, true);
          trend.resize();
        }, function () { status.textContent = t("network"); });
      }
      form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
      ui.api("GET", "/api/v1/targets").then(function (r) {
        if (r.status !== 200) { status.textContent = ui.errorText(r); return; }
        if (!r.json.items.length) { status.textContent = t("tg_none"); return; }
        r.json.items.forEach(function (i) { sel.appendChild(new Option(i.name + "（" + i.unit + "）", i.code)); });
        load();
      }, function () { status.textContent = t("network"); });
    }
  });
})();
