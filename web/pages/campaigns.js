// Campaigns (专项工作): the list; one campaign's roll-up by level with an
// ECharts trend; the not-done list of a unit as cards with stage buttons
// (a grid worker's phone list); report downloads. Over /api/v1/campaigns.
(function () {
  "use strict";
  var chart = null;

  function stageName(ui, st) { return ui.lang() === "en" ? st.en : st.zh; }

  function showList(ui, box) {
    var t = ui.t, el = ui.el;
    box.appendChild(el("h2", t("nav_campaigns")));
    var status = box.appendChild(el("p", t("loading"), "muted"));
    var wrap = box.appendChild(el("div", null, "table-wrap"));
    var table = wrap.appendChild(el("table", null, "campaign-list"));
    var head = table.appendChild(el("thead")).appendChild(el("tr"));
    [t("c_name"), t("c_template"), t("c_items"), t("c_query"), t("c_created")].forEach(function (h) { head.appendChild(el("th", h)); });
    var body = table.appendChild(el("tbody"));
    ui.api("GET", "/api/v1/campaigns").then(function (r) {
      if (r.status !== 200) { status.textContent = ui.errorText(r); return; }
      status.textContent = r.json.items.length ? "" : t("c_none");
      r.json.items.forEach(function (c) {
        var tr = el("tr");
        tr.dataset.id = String(c.id);
        var a = el("a", c.name);
        a.href = "#campaigns/" + c.id;
        tr.appendChild(el("td")).appendChild(a);
        tr.appendChild(el("td", ui.tOr("tpl_", c.template || "custom")));
        tr.appendChild(el("td", c.items + " " + t(c.kind === "household" ? "c_households" : "c_people")));
        tr.appendChild(el("td", c.query || t("c_everyone")));
        tr.appendChild(el("td", c.created_at.slice(0, 10)));
        body.appendChild(tr);
      });
      var who = ui.me();
      if (who && (who.role === "admin" || who.role === "county")) createForm(ui, box, r.json.templates);
    }, function () { status.textContent = t("network"); });
  }

  function createForm(ui, box, templates) {
    var t = ui.t, el = ui.el;
    var form = box.appendChild(el("form", null, "bar campaign-create"));
    form.appendChild(el("h3", t("c_new")));
    var name = el("input");
    name.required = true;
    name.placeholder = t("c_name");
    name.id = "c-new-name";
    var tpl = el("select");
    tpl.id = "c-new-template";
    templates.forEach(function (x) { tpl.appendChild(new Option(ui.lang() === "en" ? x.en : x.zh, x.code)); });
    var where = el("input");
    where.id = "c-new-where";
    where.placeholder = "tag=退役军人 age>=60";
    tpl.addEventListener("change", function () {
      var x = templates.filter(function (y) { return y.code === tpl.value; })[0];
      where.value = x ? x.query : "";
    });
    tpl.dispatchEvent(new Event("change"));
    [name, tpl, where].forEach(function (i) { form.appendChild(i); });
    form.appendChild(el("button", t("c_create"))).type = "submit";
    var msg = form.appendChild(el("span", "", "muted"));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      msg.textContent = t("loading");
      ui.api("POST", "/api/v1/campaigns", { name: name.value, template: tpl.value, where: where.value })
        .then(function (r) {
          if (r.status === 201) { location.hash = "#campaigns/" + r.json.id; return; }
          msg.textContent = ui.errorText(r) + (r.json && r.json.error && r.json.error.field ? "（" + r.json.error.field + "）" : "");
          msg.className = "error";
        }, function () { msg.textContent = t("network"); });
    });
  }

  function pct(v) { return (Math.round(v * 100) / 100).toFixed(2) + "%"; }

  function showCampaign(ui, box, id) {
    var t = ui.t, el = ui.el;
    var state = { unit: "", level: "" };
    box.appendChild(el("p")).appendChild(el("a", t("c_back"))).href = "#campaigns";
    var title = box.appendChild(el("h2", t("loading")));
    var meta = box.appendChild(el("p", "", "muted"));
    var summary = box.appendChild(el("div", null, "unit-cards"));
    var bar = box.appendChild(el("div", null, "bar"));
    var levelSel = el("select");
    levelSel.id = "c-level";
    ["county", "township", "community", "grid1", "grid2", "grid3"].forEach(function (l) { levelSel.appendChild(new Option(t("lv_" + l), l)); });
    var lab = bar.appendChild(el("label"));
    lab.appendChild(el("span", t("c_level")));
    lab.appendChild(levelSel);
    var dl = bar.appendChild(el("span", null, "downloads"));
    ["xlsx", "html"].forEach(function (f) {
      var a = el("a", t("c_report") + " " + f.toUpperCase());
      a.href = "/api/v1/campaigns/" + id + "/report?format=" + f;
      a.setAttribute("download", "");
      dl.appendChild(a);
    });
    var rollStatus = box.appendChild(el("p", "", "muted"));
    var wrap = box.appendChild(el("div", null, "table-wrap"));
    var table = wrap.appendChild(el("table", null, "rollup"));
    var thead = table.appendChild(el("thead")), tbody = table.appendChild(el("tbody"));
    var chartBox = box.appendChild(el("div", null, "chart"));
    chartBox.id = "campaign-chart";
    var listHead = box.appendChild(el("h3", t("c_pending")));
    var listStatus = box.appendChild(el("p", "", "muted"));
    var list = box.appendChild(el("div", null, "item-cards"));
    var stages = [];

    function loadRollup() {
      rollStatus.textContent = t("loading");
      ui.api("GET", "/api/v1/campaigns/" + id + "/rollup" + ui.qs({ level: levelSel.value })).then(function (r) {
        ui.clear(thead); ui.clear(tbody);
        if (r.status !== 200) { rollStatus.textContent = ui.errorText(r); return; }
        rollStatus.textContent = r.json.units.length ? "" : t("c_no_units");
        var h = thead.appendChild(el("tr"));
        [t("c_rank"), t("c_unit"), t("c_total")].forEach(function (x) { h.appendChild(el("th", x)); });
        stages.slice(1).forEach(function (s) { h.appendChild(el("th", stageName(ui, s))); });
        h.appendChild(el("th", t("c_done")));
        r.json.units.sort(function (a, b) { return a.rank - b.rank; }).forEach(function (u) {
          var tr = el("tr");
          tr.dataset.code = u.code;
          tr.tabIndex = 0;
          tr.appendChild(el("td", u.rank));
          tr.appendChild(el("td", u.name === u.code ? u.code : u.name + " " + u.code));
          u.reached.forEach(function (v) { tr.appendChild(el("td", v, "num")); });
          tr.appendChild(el("td", pct(u.done_pct), "num"));
          tr.addEventListener("click", function () { state.unit = u.code; loadTrend(); loadItems(); });
          tbody.appendChild(tr);
        });
      }, function () { rollStatus.textContent = t("network"); });
    }

    function loadTrend() {
      ui.api("GET", "/api/v1/campaigns/" + id + "/history" + ui.qs({ unit: state.unit })).then(function (r) {
        if (r.status !== 200 || typeof echarts === "undefined") return;
        if (!chart || chart.getDom() !== chartBox) chart = echarts.init(chartBox, null, { renderer: "canvas" });
        var days = r.json.days;
        chart.setOption({
          title: { text: t("c_trend") + " · " + r.json.unit, left: "center", top: 6, textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          legend: { top: 30 },
          grid: { left: 56, right: 24, top: 64, bottom: 32 },
          xAxis: { type: "category", data: days.map(function (d) { return d.day.slice(5); }) },
          yAxis: { type: "value" },
          series: r.json.stages.slice(1).map(function (s, k) {
            return { name: stageName(ui, s), type: "line", showSymbol: false,
                     data: days.map(function (d) { return d.reached[k + 1]; }) };
          })
        }, true);
        chart.resize();
      });
    }

    function itemCard(it) {
      var card = el("div", null, "item-card");
      card.dataset.id = String(it.id);
      var who = it.person ? it.person.name + " · " + it.person.id_number : t("c_household") + " " + it.household.number;
      card.appendChild(el("strong", who));
      if (it.person) card.appendChild(el("p", it.person.address, "muted"));
      var st = card.appendChild(el("p", stageName(ui, stages[it.stage]), "stage"));
      st.dataset.stage = stages[it.stage].code;
      var buttons = card.appendChild(el("div", null, "stage-buttons"));
      stages.forEach(function (s, k) {
        if (k <= it.stage) return;
        var b = el("button", stageName(ui, s));
        b.type = "button";
        b.dataset.stage = s.code;
        b.addEventListener("click", function () {
          var body = { stage: s.code };
          if (s.receipt) {
            var note = window.prompt(t("c_receipt"));
            if (!note) return;
            body.note = note;
          }
          b.disabled = true;
          ui.api("POST", "/api/v1/campaigns/" + id + "/items/" + it.id + "/mark", body).then(function (r) {
            if (r.status !== 200) { st.textContent = ui.errorText(r); st.className = "error"; b.disabled = false; return; }
            var fresh = itemCard(r.json);
            card.parentNode.replaceChild(fresh, card);
            if (r.json.stage === stages.length - 1) fresh.classList.add("done");
          }, function () { b.disabled = false; st.textContent = t("network"); });
        });
        buttons.appendChild(b);
      });
      return card;
    }

    function loadItems() {
      listHead.textContent = t("c_pending") + (state.unit ? " · " + state.unit : "");
      listStatus.textContent = t("loading");
      ui.api("GET", "/api/v1/campaigns/" + id + "/items" + ui.qs({ pending: 1, unit: state.unit, limit: 50 })).then(function (r) {
        ui.clear(list);
        if (r.status !== 200) { listStatus.textContent = ui.errorText(r); return; }
        listStatus.textContent = t("c_pending_n", { n: r.json.total, shown: r.json.items.length });
        r.json.items.forEach(function (it) { list.appendChild(itemCard(it)); });
      }, function () { listStatus.textContent = t("network"); });
    }

    ui.api("GET", "/api/v1/campaigns/" + id).then(function (r) {
      if (r.status !== 200) { ui.clear(box).appendChild(ui.errorBox(r)); return; }
      var c = r.json;
      stages = c.stages;
      title.textContent = c.name;
      meta.textContent = (c.query || t("c_everyone")) + " · " + c.items + " " +
        t(c.kind === "household" ? "c_households" : "c_people") + " · " + stages.map(function (s) { return stageName(ui, s); }).join(" → ");
      c.units.forEach(function (u) {
        var card = summary.appendChild(el("div", null, "unit-card"));
        card.appendChild(el("strong", u.name === u.code ? u.code : u.name));
        card.appendChild(el("span", pct(u.done_pct), "big"));
        card.appendChild(el("span", u.reached[u.reached.length - 1] + " / " + u.reached[0], "muted"));
      });
      // The first level the principal sees in full.
      var first = c.units[0];
      if (first) levelSel.value = first.level === "county" ? "township" : first.level;
      state.unit = first ? first.code : "";
      levelSel.addEventListener("change", loadRollup);
      loadRollup();
      loadTrend();
      loadItems();
    }, function () { ui.clear(box).appendChild(ui.el("p", t("network"), "error")); });
  }

  window.WG_PAGES.push({
    name: "campaigns",
    zh: {
      nav_campaigns: "专项工作", c_name: "名称", c_template: "类型", c_items: "对象", c_query: "条件",
      c_created: "创建", c_none: "还没有专项工作", c_people: "人", c_households: "户", c_household: "户号",
      c_everyone: "全体", c_new: "新建专项工作", c_create: "创建", c_back: "返回专项工作列表",
      c_level: "层级", c_report: "下载报告", c_rank: "排名", c_unit: "单位", c_total: "总数",
      c_done: "完成率", c_no_units: "此层级没有可见的单位", c_trend: "每日进度", c_pending: "未完成名单",
      c_pending_n: "共 {n} 项未完成，显示 {shown} 项", tpl_testing: "核酸检测", tpl_vaccination: "疫苗接种",
      tpl_policy: "政策推送", tpl_visit: "入户走访", tpl_custom: "自定义",
      lv_county: "县", lv_township: "乡镇（街道）", lv_community: "村（社区）", lv_grid1: "一级网格",
      lv_grid2: "二级网格", lv_grid3: "三级网格", c_receipt: "回执编号"
    },
    en: {
      nav_campaigns: "Campaigns", c_name: "Name", c_template: "Kind", c_items: "Population", c_query: "Query",
      c_created: "Created", c_none: "No campaigns yet", c_people: "people", c_households: "households",
      c_household: "Household", c_everyone: "everyone", c_new: "New campaign", c_create: "Create",
      c_back: "Back to campaigns", c_level: "Level", c_report: "Report", c_rank: "Rank", c_unit: "Unit",
      c_total: "Total", c_done: "Done", c_no_units: "No visible units at this level", c_trend: "Daily progress",
      c_pending: "Not done yet", c_pending_n: "{n} not done, {shown} shown", tpl_testing: "Mass testing",
      tpl_vaccination: "Vaccination", tpl_policy: "Policy push", tpl_visit: "Visit round", tpl_custom: "Custom",
      lv_county: "County", lv_township: "Township", lv_community: "Community", lv_grid1: "Level-1 grid",
      lv_grid2: "Level-2 grid", lv_grid3: "Level-3 grid", c_receipt: "Receipt number"
    },
    show: function (ui, arg) {
      var box = ui.clear(ui.$("page-campaigns"));
      if (/^\d+$/.test(arg || "")) showCampaign(ui, box, arg); else showList(ui, box);
    }
  });
})();
