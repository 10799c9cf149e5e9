// Matters (事项): the queue per role (overdue first, in red), a matter's
// detail with its timeline, map position and the steps the user may take,
// a report form for phones (device location, photos scaled down before
// upload), and the figures page with rankings. Hash routes: #matters,
// #matters/new, #matters/figures, #matters/ID.
(function () {
  "use strict";
  var ui = null, map = null, figChart = null;

  var STATUS_CLASS = { reported: "st-new", accepted: "st-new", dispatched: "st-work",
    in_progress: "st-work", handled: "st-check", verified: "st-check", suspended: "st-hold" };

  function section() { return ui.$("page-matters"); }
  function t(k, v) { return ui.t(k, v); }
  function fmtTime(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : "—"; }
  function button(label, fn, cls) {
    var b = ui.el("button", label, cls);
    b.type = "button";
    b.addEventListener("click", fn);
    return b;
  }
  function link(label, hash) {
    var a = ui.el("a", label);
    a.href = hash;
    return a;
  }
  function status(box, text, isError) {
    var p = ui.el("p", text, isError ? "error" : "muted");
    p.setAttribute("aria-live", "polite");
    box.appendChild(p);
    return p;
  }
  function tabs(active) {
    var bar = ui.el("div", null, "bar matter-tabs");
    [["queue", "#matters"], ["new", "#matters/new"], ["figures", "#matters/figures"]].forEach(function (x) {
      var a = link(t("mt_tab_" + x[0]), x[1]);
      if (x[0] === active) a.setAttribute("aria-current", "page");
      bar.appendChild(a);
    });
    return bar;
  }

  // ---- the queue ------------------------------------------------------------
  var categories = null;
  function loadCategories() {
    if (categories) return Promise.resolve(categories);
    return ui.api("GET", "/api/v1/matter-categories").then(function (r) {
      categories = r.status === 200 ? r.json.items : [];
      return categories;
    });
  }
  function catName(code) {
    var c = (categories || []).filter(function (x) { return x.code === code; })[0];
    return c ? (ui.lang() === "en" ? c.name_en : c.name_zh) : code;
  }

  function showQueue(queue, open) {
    var box = ui.clear(section());
    box.appendChild(tabs("queue"));
    var bar = ui.el("form", null, "bar");
    var sel = ui.el("select");
    sel.id = "mq-queue";
    ["mine", "all", "reported"].forEach(function (q) {
      var o = new Option(t("mt_q_" + q), q);
      if (q === queue) o.selected = true;
      sel.appendChild(o);
    });
    var lab = ui.el("label");
    lab.appendChild(ui.el("span", t("mt_queue")));
    lab.appendChild(sel);
    bar.appendChild(lab);
    var cb = ui.el("input");
    cb.type = "checkbox";
    cb.id = "mq-open";
    cb.checked = open;
    var lab2 = ui.el("label");
    lab2.appendChild(cb);
    lab2.appendChild(ui.el("span", t("mt_open_only")));
    bar.appendChild(lab2);
    sel.addEventListener("change", function () { showQueue(sel.value, cb.checked); });
    cb.addEventListener("change", function () { showQueue(sel.value, cb.checked); });
    box.appendChild(bar);
    var st = status(box, t("loading"));
    st.id = "mq-status";
    var wrap = ui.el("div", null, "table-wrap");
    var table = ui.el("table");
    table.id = "matters-table";
    var head = ui.el("tr");
    ["mt_id", "mt_title", "mt_category", "status", "mt_level", "mt_due"].forEach(function (k) { head.appendChild(ui.el("th", t(k))); });
    table.appendChild(ui.el("thead")).appendChild(head);
    var body = table.appendChild(ui.el("tbody"));
    wrap.appendChild(table);
    box.appendChild(wrap);
    loadCategories().then(function () {
      return ui.api("GET", "/api/v1/matters" + ui.qs({ queue: queue, open: open ? "true" : "", limit: 200 }));
    }).then(function (r) {
      if (r.status !== 200) { st.textContent = ui.errorText(r); st.className = "error"; return; }
      st.textContent = t("mt_count", { n: r.json.total, k: r.json.items.length });
      st.dataset.total = String(r.json.total);
      r.json.items.forEach(function (m) {
        var tr = ui.el("tr", null, m.overdue ? "overdue" : "");
        tr.dataset.id = String(m.id);
        tr.tabIndex = 0;
        tr.appendChild(ui.el("td", "#" + m.id));
        var td = ui.el("td");
        td.appendChild(link(m.title, "#matters/" + m.id));
        tr.appendChild(td);
        tr.appendChild(ui.el("td", catName(m.category)));
        tr.appendChild(ui.el("td", ui.lang() === "en" ? m.status : m.status_zh, STATUS_CLASS[m.status] || ""));
        tr.appendChild(ui.el("td", t("mt_lv_" + m.level_name)));
        tr.appendChild(ui.el("td", (m.overdue ? t("mt_overdue") + " " : "") + fmtTime(m.due_at)));
        tr.addEventListener("click", function (ev) { if (ev.target.tagName !== "A") location.hash = "#matters/" + m.id; });
        tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") location.hash = "#matters/" + m.id; });
        body.appendChild(tr);
      });
    }, function () { st.textContent = t("network"); });
  }

  // ---- one matter -------------------------------------------------------------
  var NEEDS = { reject: "note", rework: "note", suspend: "note", reopen: "note", extend: "hours",
    extend_deny: "note", dispatch: "handler", merge: "into", evaluate: "satisfaction" };

  function stepForm(m, action, done) {
    var f = ui.el("form", null, "step-form");
    var need = NEEDS[action];
    var input = null, note = null;
    if (need === "handler") { input = ui.el("input"); input.placeholder = t("mt_handler_ph"); input.required = true; }
    if (need === "into") { input = ui.el("input"); input.inputMode = "numeric"; input.placeholder = t("mt_into_ph"); input.required = true; }
    if (need === "hours") { input = ui.el("input"); input.type = "number"; input.min = "1"; input.max = "2160"; input.value = "24"; }
    if (need === "satisfaction") {
      input = ui.el("select");
      [5, 4, 3, 2, 1].forEach(function (n) { input.appendChild(new Option(t("mt_sat_" + n), String(n))); });
    }
    if (input) f.appendChild(input);
    note = ui.el("input");
    note.placeholder = t("mt_note_ph");
    if (need === "note" || need === "hours") note.required = true;
    f.appendChild(note);
    var go = ui.el("button", t("mt_a_" + action));
    go.type = "submit";
    f.appendChild(go);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      if (note.value.trim()) body.note = note.value.trim();
      if (need === "handler") body.handler = input.value.trim();
      if (need === "into") body.into = Number(input.value);
      if (need === "hours") body.hours = Number(input.value);
      if (need === "satisfaction") body.satisfaction = Number(input.value);
      ui.api("POST", "/api/v1/matters/" + m.id + "/" + action, body).then(done, function () { done(null); });
    });
    return f;
  }

  function showMatter(id, message) {
    var box = ui.clear(section());
    box.appendChild(tabs(""));
    var st = status(box, message || t("loading"));
    ui.api("GET", "/api/v1/matters/" + id).then(function (r) {
      if (r.status !== 200) { st.textContent = ui.errorText(r); st.className = "error"; return; }
      if (!message) st.textContent = "";
      var m = r.json;
      var card = ui.el("div", null, "matter-card" + (m.overdue ? " overdue" : ""));
      card.id = "matter";
      card.dataset.id = String(m.id);
      card.dataset.status = m.status;
      card.appendChild(ui.el("h2", "#" + m.id + " " + m.title));
      var grids = (m.grids || []).filter(function (g) { return g; });
      card.appendChild(ui.dl([
        [t("status"), (ui.lang() === "en" ? m.status : m.status_zh) + (m.overdue ? " · " + t("mt_overdue") : ""), "status"],
        [t("mt_category"), catName(m.category)],
        [t("mt_level"), t("mt_lv_" + m.level_name)],
        [t("mt_handler"), m.handler ? m.handler.login : null],
        [t("mt_due"), fmtTime(m.due_at)],
        [t("mt_expected"), fmtTime(m.expected_at)],
        [t("mt_reported"), fmtTime(m.reported_at)],
        [t("mt_reporter"), [m.reporter.login, m.reporter.name, m.reporter.phone].filter(function (x) { return x; }).join(" ")],
        [t("grid"), grids.length ? grids[grids.length - 1] : null],
        [t("address"), m.address],
        [t("mt_description"), m.description || null],
        [t("mt_satisfaction"), m.satisfaction ? m.satisfaction + " / 5" : null],
        [t("mt_merged_into"), m.merged_into ? link("#" + m.merged_into, "#matters/" + m.merged_into) : null]
      ]));
      box.appendChild(card);
      if (m.lon !== null && m.lat !== null && window.L) {
        var mapDiv = ui.el("div", null, "matter-map");
        mapDiv.id = "matter-map";
        box.appendChild(mapDiv);
        if (map) { map.remove(); map = null; }
        map = L.map(mapDiv, { attributionControl: false }).setView([m.lat, m.lon], 17);
        L.circleMarker([m.lat, m.lon], { radius: 9, color: "#b71c1c", weight: 2, fillOpacity: 0.6 }).addTo(map);
        var code = grids.length ? grids[grids.length - 1] : null;
        if (code) ui.api("GET", "/api/v1/grids/" + code).then(function (g) {
          if (g.status === 200 && g.json.bbox && map) {
            var b = g.json.bbox;
            L.rectangle([[b[1], b[0]], [b[3], b[2]]], { color: "#5c2a1f", weight: 1, fill: false, dashArray: "4 4" }).addTo(map);
          }
        });
      }
      // the steps this user may take now
      var acts = ui.el("div", null, "matter-actions");
      acts.id = "matter-actions";
      var formBox = ui.el("div");
      (m.actions || []).forEach(function (a) {
        var b = button(t("mt_a_" + a), function () {
          ui.clear(formBox).appendChild(stepForm(m, a, function (res) {
            if (!res) { showMatter(m.id, t("network")); return; }
            if (res.status !== 200) { ui.clear(formBox).appendChild(ui.errorBox(res)); return; }
            showMatter(m.id, t("mt_done", { a: t("mt_a_" + a) }));
          }));
        });
        b.dataset.action = a;
        acts.appendChild(b);
      });
      if (m.actions && m.actions.length) {
        box.appendChild(ui.el("h3", t("mt_steps")));
        box.appendChild(acts);
        box.appendChild(formBox);
      }
      // timeline
      box.appendChild(ui.el("h3", t("mt_timeline")));
      var ol = ui.el("ol", null, "timeline");
      ol.id = "matter-timeline";
      (m.timeline || []).forEach(function (e) {
        var li = ui.el("li", null, e.action === "escalate" ? "escalated" : "");
        li.appendChild(ui.el("time", fmtTime(e.at)));
        li.appendChild(ui.el("strong", " " + t("mt_a_" + e.action) + " "));
        li.appendChild(ui.el("span", e.actor + (e.note ? "：" + e.note : "")));
        if (e.satisfaction) li.appendChild(ui.el("span", " · " + t("mt_sat_" + e.satisfaction)));
        (e.photos || []).forEach(function (p) {
          var img = ui.el("img");
          img.src = p.url;
          img.alt = t("mt_photo");
          img.className = "thumb";
          li.appendChild(img);
        });
        ol.appendChild(li);
      });
      box.appendChild(ol);
      if (m.merged && m.merged.length) {
        box.appendChild(ui.el("h3", t("mt_merged")));
        var ul = ui.el("ul");
        m.merged.forEach(function (x) { ul.appendChild(ui.el("li")).appendChild(link("#" + x.id + " " + x.title, "#matters/" + x.id)); });
        box.appendChild(ul);
      }
    }, function () { st.textContent = t("network"); });
  }

  // ---- the report form ---------------------------------------------------------
  // Photos are scaled to at most 1600 px and sent as JPEG, so a phone's
  // camera picture fits the server's body cap.
  function shrink(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var c = document.createElement("canvas");
      c.width = Math.round(bmp.width * scale);
      c.height = Math.round(bmp.height * scale);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (res) { c.toBlob(function (b) { res(b || file); }, "image/jpeg", 0.82); });
    }, function () { return file; });
  }
  function upload(blob) {
    return ui.api("GET", "/api/v1/session").then(function (s) {
      var fd = new FormData();
      fd.append("photo", blob, "photo.jpg");
      return fetch("/api/v1/photos", { method: "POST", credentials: "same-origin", body: fd,
        headers: { "X-CSRF-Token": s.json ? s.json.csrf : "" } }).then(function (res) {
        return res.json().then(function (j) { return { status: res.status, json: j }; });
      });
    });
  }

  function showNew() {
    var box = ui.clear(section());
    box.appendChild(tabs("new"));
    var f = ui.el("form", null, "report-form");
    f.id = "matter-form";
    function field(label, input) {
      var l = ui.el("label");
      l.appendChild(ui.el("span", label));
      l.appendChild(input);
      f.appendChild(l);
      return input;
    }
    var cat = field(t("mt_category"), ui.el("select"));
    cat.id = "mf-category";
    cat.required = true;
    var title = field(t("mt_title"), ui.el("input"));
    title.id = "mf-title";
    title.required = true;
    title.maxLength = 40;
    var desc = field(t("mt_description"), ui.el("textarea"));
    desc.id = "mf-description";
    desc.rows = 3;
    var lon = ui.el("input"), lat = ui.el("input");
    lon.id = "mf-lon";
    lat.id = "mf-lat";
    lon.inputMode = lat.inputMode = "decimal";
    lon.placeholder = "lon 111.67";
    lat.placeholder = "lat 38.28";
    var where = ui.el("div", null, "bar");
    where.appendChild(lon);
    where.appendChild(lat);
    var locate = button(t("mt_here"), function () {
      if (!navigator.geolocation) { msg.textContent = t("mt_no_geo"); return; }
      msg.textContent = t("mt_locating");
      navigator.geolocation.getCurrentPosition(function (p) {
        lon.value = p.coords.longitude.toFixed(6);
        lat.value = p.coords.latitude.toFixed(6);
        msg.textContent = t("mt_located", { m: Math.round(p.coords.accuracy) });
      }, function (e) { msg.textContent = t("mt_no_geo") + " (" + e.message + ")"; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    locate.id = "mf-here";
    where.appendChild(locate);
    var wl = ui.el("div");
    wl.appendChild(ui.el("span", t("mt_location")));
    wl.appendChild(where);
    f.appendChild(wl);
    var addr = field(t("address"), ui.el("input"));
    addr.id = "mf-address";
    var photo = ui.el("input");
    photo.type = "file";
    photo.accept = "image/*";
    photo.setAttribute("capture", "environment");
    photo.id = "mf-photo";
    field(t("mt_photo"), photo);
    var go = ui.el("button", t("mt_submit"));
    go.type = "submit";
    f.appendChild(go);
    var msg = ui.el("p", "", "muted");
    msg.id = "mf-status";
    msg.setAttribute("aria-live", "polite");
    f.appendChild(msg);
    box.appendChild(f);
    var dups = ui.el("div");
    dups.id = "mf-duplicates";
    box.appendChild(dups);
    loadCategories().then(function (cs) {
      cs.filter(function (c) { return c.active; }).forEach(function (c) {
        cat.appendChild(new Option(ui.lang() === "en" ? c.name_en : c.name_zh, c.code));
      });
    });
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      go.disabled = true;
      msg.textContent = t("loading");
      var body = { category: cat.value, title: title.value.trim() };
      if (desc.value.trim()) body.description = desc.value.trim();
      if (addr.value.trim()) body.address = addr.value.trim();
      if (lon.value && lat.value) { body.lon = Number(lon.value); body.lat = Number(lat.value); }
      var first = photo.files && photo.files[0];
      var p = first ? shrink(first).then(upload).then(function (r) {
        if (r.status !== 201) throw r;
        body.photos = [r.json.sha256];
      }) : Promise.resolve();
      p.then(function () { return ui.api("POST", "/api/v1/matters", body); }).then(function (r) {
        go.disabled = false;
        if (r.status !== 201) { msg.textContent = ui.errorText(r); msg.className = "error"; return; }
        msg.className = "muted";
        msg.textContent = t("mt_reported_ok", { id: r.json.id });
        msg.dataset.id = String(r.json.id);
        ui.clear(dups);
        var d = r.json.duplicates || [];
        if (d.length) {
          dups.appendChild(ui.el("h3", t("mt_dups")));
          var ul = ui.el("ul");
          d.forEach(function (x) { ul.appendChild(ui.el("li")).appendChild(link("#" + x.id + " " + x.title + " · " + x.status_zh, "#matters/" + x.id)); });
          dups.appendChild(ul);
        }
        dups.appendChild(ui.el("p")).appendChild(link(t("mt_open_new"), "#matters/" + r.json.id));
      }, function (r) {
        go.disabled = false;
        msg.textContent = r && r.status ? ui.errorText(r) : t("network");
        msg.className = "error";
      });
    });
  }

  // ---- figures -----------------------------------------------------------------
  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function showFigures(by) {
    var box = ui.clear(section());
    box.appendChild(tabs("figures"));
    var bar = ui.el("div", null, "bar");
    var sel = ui.el("select");
    sel.id = "mfig-by";
    [["grid1", "mt_by_grid1"], ["grid2", "mt_by_grid2"], ["grid3", "mt_by_grid3"], ["community", "community"],
     ["township", "mt_by_township"], ["worker", "mt_by_worker"], ["category", "mt_category"]].forEach(function (x) {
      var o = new Option(t(x[1]), x[0]);
      if (x[0] === by) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () { showFigures(sel.value); });
    var lab = ui.el("label");
    lab.appendChild(ui.el("span", t("mt_by")));
    lab.appendChild(sel);
    bar.appendChild(lab);
    box.appendChild(bar);
    var st = status(box, t("loading"));
    st.id = "mfig-status";
    var chartDiv = ui.el("div", null, "chart");
    chartDiv.id = "mfig-chart";
    box.appendChild(chartDiv);
    var wrap = ui.el("div", null, "table-wrap");
    var table = ui.el("table");
    table.id = "mfig-table";
    var head = ui.el("tr");
    ["mt_rank", "mt_group", "mt_received", "mt_due_n", "mt_closed", "mt_closure", "mt_ontime",
     "mt_rework", "mt_extension", "mt_handle_h", "mt_overdue_open", "mt_satisfaction"].forEach(function (k) { head.appendChild(ui.el("th", t(k))); });
    table.appendChild(ui.el("thead")).appendChild(head);
    var body = table.appendChild(ui.el("tbody"));
    wrap.appendChild(table);
    box.appendChild(wrap);
    var started = Date.now();
    loadCategories().then(function () {
      return ui.api("GET", "/api/v1/matter-figures" + ui.qs({ by: by }));
    }).then(function (r) {
      if (r.status !== 200) { st.textContent = ui.errorText(r); st.className = "error"; return; }
      var f = r.json, tot = f.total;
      st.textContent = tot ? t("mt_fig_total", { r: tot.received, c: pct(tot.closure_rate), o: pct(tot.on_time_rate), s: tot.satisfaction || "—", ms: Date.now() - started })
                           : t("mt_fig_rows", { n: f.rows.length });
      st.dataset.rows = String(f.rows.length);
      function row(x) {
        var tr = ui.el("tr");
        tr.appendChild(ui.el("td", x.rank || ""));
        tr.appendChild(ui.el("td", by === "category" ? catName(x.key) : x.key));
        [x.received, x.due, x.closed, pct(x.closure_rate), pct(x.on_time_rate), pct(x.rework_rate),
         pct(x.extension_rate), x.mean_hours.handle === null ? "—" : x.mean_hours.handle,
         x.overdue_open, x.satisfaction === null ? "—" : x.satisfaction].forEach(function (v, i) {
          tr.appendChild(ui.el("td", v, i === 8 && x.overdue_open > 0 ? "overdue-n" : ""));
        });
        return tr;
      }
      f.rows.slice(0, 300).forEach(function (x) { body.appendChild(row(x)); });
      if (window.echarts) {
        if (figChart) figChart.dispose();
        figChart = echarts.init(chartDiv, null, { renderer: "canvas" });
        var top = f.rows.slice(0, 15);
        figChart.setOption({
          title: { text: t("mt_fig_chart"), left: "center", top: 4, textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          legend: { top: 28, data: [t("mt_closure"), t("mt_ontime")] },
          grid: { left: 48, right: 16, top: 64, bottom: 72 },
          xAxis: { type: "category", data: top.map(function (x) { return by === "category" ? catName(x.key) : x.key.slice(-6); }), axisLabel: { rotate: 40 } },
          yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
          series: [
            { name: t("mt_closure"), type: "bar", data: top.map(function (x) { return x.closure_rate === null ? 0 : Math.round(x.closure_rate * 1000) / 10; }), itemStyle: { color: "#fc9272" } },
            { name: t("mt_ontime"), type: "bar", data: top.map(function (x) { return x.on_time_rate === null ? 0 : Math.round(x.on_time_rate * 1000) / 10; }), itemStyle: { color: "#b71c1c" } }
          ]
        }, true);
      }
    }, function () { st.textContent = t("network"); });
  }

  var zh = {
    nav_matters: "事项", mt_tab_queue: "我的事项", mt_tab_new: "上报事项", mt_tab_figures: "考核统计",
    mt_queue: "队列", mt_q_mine: "待我处理", mt_q_all: "辖区全部", mt_q_reported: "我上报的",
    mt_open_only: "只看未结案", mt_id: "编号", mt_title: "标题", mt_category: "类别", mt_level: "层级",
    mt_due: "时限", mt_expected: "预计办结", mt_reported: "上报时间", mt_reporter: "上报人",
    mt_handler: "处置人", mt_description: "描述", mt_satisfaction: "满意度", mt_merged_into: "已合并至",
    mt_overdue: "已超时", mt_count: "共 {n} 件，显示 {k} 件（超时的排在前面）",
    mt_lv_grid: "网格", mt_lv_community: "社区", mt_lv_township: "乡镇", mt_lv_county: "县级",
    mt_steps: "可办理", mt_timeline: "办理过程", mt_merged: "合并进来的重复事项", mt_photo: "照片",
    mt_done: "已{a}", mt_note_ph: "说明 / 理由", mt_handler_ph: "网格员账号", mt_into_ph: "合并到事项编号",
    mt_a_report: "上报", mt_a_accept: "立案", mt_a_reject: "不予立案", mt_a_dispatch: "派遣",
    mt_a_start: "开始处置", mt_a_handle: "处置反馈", mt_a_verify: "核查通过", mt_a_rework: "返工",
    mt_a_close: "结案", mt_a_evaluate: "评价", mt_a_extend: "申请延期", mt_a_extend_approve: "批准延期",
    mt_a_extend_deny: "驳回延期", mt_a_suspend: "挂账", mt_a_resume: "恢复办理", mt_a_reopen: "未解决，重新打开",
    mt_a_merge: "合并为重复", mt_a_escalate: "上报上级",
    mt_sat_5: "非常满意", mt_sat_4: "满意", mt_sat_3: "基本满意", mt_sat_2: "不满意", mt_sat_1: "非常不满意",
    mt_location: "位置", mt_here: "使用当前位置", mt_locating: "正在定位…", mt_located: "已定位（精度约 {m} 米）",
    mt_no_geo: "无法获取位置", mt_submit: "提交上报", mt_reported_ok: "已上报，事项编号 #{id}",
    mt_dups: "附近 50 米内同类未结事项（可能重复）", mt_open_new: "查看刚上报的事项 →",
    mt_by: "统计维度", mt_by_grid1: "一级网格", mt_by_grid2: "二级网格", mt_by_grid3: "三级网格",
    mt_by_township: "乡镇", mt_by_worker: "网格员", mt_rank: "排名", mt_group: "对象",
    mt_received: "受理", mt_due_n: "应结案", mt_closed: "结案", mt_closure: "结案率", mt_ontime: "按期结案率",
    mt_rework: "返工率", mt_extension: "延期率", mt_handle_h: "平均处置（时）", mt_overdue_open: "超时未结",
    mt_fig_total: "全县：受理 {r} 件，结案率 {c}，按期结案率 {o}，满意度 {s}（{ms} 毫秒）",
    mt_fig_rows: "{n} 个对象", mt_fig_chart: "结案率与按期结案率（前 15 名）"
  };
  var en = {
    nav_matters: "Matters", mt_tab_queue: "My queue", mt_tab_new: "Report", mt_tab_figures: "Figures",
    mt_queue: "Queue", mt_q_mine: "For me", mt_q_all: "All in my area", mt_q_reported: "Reported by me",
    mt_open_only: "Open only", mt_id: "No.", mt_title: "Title", mt_category: "Category", mt_level: "Level",
    mt_due: "Deadline", mt_expected: "Expected", mt_reported: "Reported", mt_reporter: "Reporter",
    mt_handler: "Handler", mt_description: "Description", mt_satisfaction: "Satisfaction", mt_merged_into: "Merged into",
    mt_overdue: "OVERDUE", mt_count: "{n} matters, {k} shown (overdue first)",
    mt_lv_grid: "grid", mt_lv_community: "community", mt_lv_township: "township", mt_lv_county: "county",
    mt_steps: "Steps", mt_timeline: "Timeline", mt_merged: "Duplicates merged into it", mt_photo: "Photo",
    mt_done: "{a}: done", mt_note_ph: "note / reason", mt_handler_ph: "grid worker's login", mt_into_ph: "merge into matter no.",
    mt_a_report: "Report", mt_a_accept: "Accept", mt_a_reject: "Reject", mt_a_dispatch: "Dispatch",
    mt_a_start: "Start", mt_a_handle: "Handled", mt_a_verify: "Verify", mt_a_rework: "Rework",
    mt_a_close: "Close", mt_a_evaluate: "Evaluate", mt_a_extend: "Ask for more time", mt_a_extend_approve: "Approve extension",
    mt_a_extend_deny: "Deny extension", mt_a_suspend: "Suspend", mt_a_resume: "Resume", mt_a_reopen: "Not fixed: reopen",
    mt_a_merge: "Merge as duplicate", mt_a_escalate: "Escalate",
    mt_sat_5: "very satisfied", mt_sat_4: "satisfied", mt_sat_3: "fair", mt_sat_2: "dissatisfied", mt_sat_1: "very dissatisfied",
    mt_location: "Location", mt_here: "Use my location", mt_locating: "Locating…", mt_located: "Located (±{m} m)",
    mt_no_geo: "Location unavailable", mt_submit: "Report", mt_reported_ok: "Reported as matter #{id}",
    mt_dups: "Open matters of the category within 50 m (possible duplicates)", mt_open_new: "Open the new matter →",
    mt_by: "By", mt_by_grid1: "Level-1 grid", mt_by_grid2: "Level-2 grid", mt_by_grid3: "Level-3 grid",
    mt_by_township: "Township", mt_by_worker: "Grid worker", mt_rank: "Rank", mt_group: "Group",
    mt_received: "Received", mt_due_n: "Due", mt_closed: "Closed", mt_closure: "Closure rate", mt_ontime: "On-time rate",
    mt_rework: "Rework", mt_extension: "Extension", mt_handle_h: "Mean handling (h)", mt_overdue_open: "Overdue open",
    mt_fig_total: "County: {r} received, closure {c}, on time {o}, satisfaction {s} ({ms} ms)",
    mt_fig_rows: "{n} groups", mt_fig_chart: "Closure and on-time rates (top 15)"
  };

  window.WG_PAGES.push({
    name: "matters", zh: zh, en: en,
    show: function (u, arg) {
      ui = u;
      if (map && !arg.match(/^\d+$/)) { map.remove(); map = null; }
      if (arg === "new") showNew();
      else if (arg === "figures") showFigures("grid1");
      else if (/^\d+$/.test(arg)) showMatter(arg);
      else {
        var me = ui.me();
        showQueue(me && (me.role === "member" || me.role === "auditor") ? "reported" : "mine", true);
      }
    }
  });
})();
