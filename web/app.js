// The wangge web UI: sign-in, grid map (Leaflet, drawn from wangge's own
// geometry), dashboard (ECharts) and resident ledger, over the JSON API of
// docs/api.md. Strictly CSP-clean: no inline script or style attributes,
// DOM built with textContent only. Chinese by default, English switchable.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  // Pages defined in their own files (web/pages/*.js, loaded before this
  // one) register themselves: WG_PAGES.push({name, zh: {...}, en: {...},
  // show: function (ui, arg) {...}}). Each gets a nav link from index.html
  // and a <section id="page-NAME" class="page">; "#NAME/ARG" passes ARG.
  var extraPages = (window.WG_PAGES || []).slice();

  // ---- text -------------------------------------------------------------
  var T = {
    zh: {
      title: "网格化服务管理", subtitle: "wangge · 岚县示范",
      nav_map: "网格地图", nav_dashboard: "数据看板", nav_ledger: "人口台账",
      sign_in: "登录", sign_out: "退出", login: "账号", password: "密码",
      sign_in_failed: "登录失败", network: "网络错误，无法连接服务器。",
      level: "网格级别", level1: "一级网格", level2: "二级网格", level3: "三级网格",
      grid_code_ph: "网格编码", community_ph: "12 位社区代码", search: "查找",
      card_hint: "点击地图上的网格查看网格卡片。", settings: "底图设置",
      tiles_note: "默认不加载底图，地图由 wangge 自己的网格几何绘制。可填写同源的瓦片地址（如经反向代理的天地图），形如 /tiles/{z}/{x}/{y}.png。",
      save: "保存", per_level: "各级网格", grids: "网格数", households: "户数",
      residents: "人数", tags: "重点人群", tag: "类别", grid: "网格", community: "社区",
      all: "全部", resident_id: "居民编号", open: "打开", name: "姓名", sex: "性别",
      id_number: "身份证号", birth: "出生日期", address: "住址", prev: "上一页",
      next: "下一页", back: "返回台账", loading: "正在加载…",
      map_count: "{n} 个网格", map_none: "此级别没有可见的网格",
      card_title: "网格卡片", code: "编码", parent: "上级网格", children: "下级网格",
      area: "面积", phone: "电话", relation: "与户主关系", residence: "户籍类型",
      status: "状态", household: "户号", since: "登记日期", history: "变动记录",
      valid_from: "起", valid_to: "止", event: "事件", reason: "原因",
      floors: " 层", map_matters: "在办事项", overdue_mark: "【超期】", colour_by: "着色", piece_floors: "分拆楼栋",
      floors_range: "{a}–{b} 层（{h} 户）", rules: "规则检查", rule_ok: "符合规则", rule_forced: "不可避免的违规",
      rule_avoidable: "可避免的违规", vk_over: "户数超上限", vk_under: "户数低于下限",
      vk_noncontiguous: "不连通", vk_nesting: "嵌套错误", vk_unit_over: "单个楼栋超上限",
      vk_isolated: "孤立楼栋", vk_no_count: "总户数无法按界限划分", vk_cross_group: "跨区域", vk_unassigned: "未分配",
      address_ph: "小区 楼栋 单元 室", effective: "生效日期", current: "当前", total: "共 {n} 人，第 {a}–{b} 条",
      none_found: "没有找到居民", denied: "无权查看（403）", not_found: "未找到（404）",
      bad_request: "输入有误（400）", error: "错误", plan: "划分方案 #{p}（台账版本 {v}）",
      chart_title: "各级网格户数与人数", legend: "户数", tiles_saved: "已保存底图设置",
      role_admin: "管理员", role_county: "县级", role_township: "乡镇", role_community: "社区",
      "role_grid-worker": "网格员", role_member: "党员/志愿者", role_auditor: "审计",
      ev_import: "导入", ev_birth: "出生", ev_death: "死亡", ev_move: "迁移",
      ev_move_out: "迁出", ev_move_in: "迁入", ev_tag: "标签变更", ev_correction: "更正",
      st_active: "在册", st_moved_out: "已迁出", st_dead: "已死亡",
      rs_registered: "户籍", rs_resident: "常住", rs_floating: "流动",
      nav_plans: "划分方案", plan_id: "编号", created: "创建", bounds: "户数界限", note: "说明",
      pst_draft: "草案", pst_active: "使用中", pst_retired: "已停用", activate: "启用",
      compare: "与使用中方案比较", activated: "方案 #{p} 已启用",
      diff: "方案 #{a} → #{b}：网格 {ga} → {gb}；未变 {u}，变动 {c}，停用 {r}，新增 {n}；网格变动的户数 {h} / {t}",
      no_plans: "还没有划分方案", plans_denied: "划分方案仅对县级办公室可见（403）"
    },
    en: {
      title: "Grid governance", subtitle: "wangge · Lan County demo",
      nav_map: "Grid map", nav_dashboard: "Dashboard", nav_ledger: "Ledger",
      sign_in: "Sign in", sign_out: "Sign out", login: "Login", password: "Password",
      sign_in_failed: "Sign-in failed", network: "Network error: the server cannot be reached.",
      level: "Level", level1: "Level 1", level2: "Level 2", level3: "Level 3",
      grid_code_ph: "Grid code", community_ph: "12-digit community code", search: "Search",
      card_hint: "Click a grid on the map to see its card.", settings: "Base map",
      tiles_note: "No base map by default: the map is drawn from wangge's own grid geometry. A same-origin tile URL (e.g. Tianditu behind a reverse proxy) can be set, like /tiles/{z}/{x}/{y}.png.",
      save: "Save", per_level: "Grids per level", grids: "Grids", households: "Households",
      residents: "Residents", tags: "Special groups", tag: "Group", grid: "Grid",
      community: "Community", all: "All", resident_id: "Resident id", open: "Open",
      name: "Name", sex: "Sex", id_number: "ID number", birth: "Born", address: "Address",
      floors: " floors", map_matters: "Open matters", overdue_mark: "[overdue]", colour_by: "Colour", piece_floors: "Split entrance",
      floors_range: "floors {a}–{b} ({h} households)", rules: "Rule check", rule_ok: "Meets the rules", rule_forced: "Forced violation",
      rule_avoidable: "Avoidable violation", vk_over: "too many households", vk_under: "too few households",
      vk_noncontiguous: "not contiguous", vk_nesting: "nesting error", vk_unit_over: "one building above the bound",
      vk_isolated: "isolated building", vk_no_count: "total fits no count of grids", vk_cross_group: "spans areas", vk_unassigned: "unassigned",
      address_ph: "estate building entrance room", prev: "Previous", next: "Next", back: "Back to the ledger", loading: "Loading…",
      map_count: "{n} grids", map_none: "No visible grids at this level",
      card_title: "Grid card", code: "Code", parent: "Parent grid", children: "Sub-grids",
      area: "Area", phone: "Phone", relation: "Relation to head", residence: "Residence",
      status: "Status", household: "Household", since: "Since", history: "History",
      valid_from: "From", valid_to: "To", event: "Event", reason: "Reason",
      effective: "Effective", current: "current", total: "{n} residents, {a}–{b}",
      none_found: "No residents found", denied: "Not allowed (403)", not_found: "Not found (404)",
      bad_request: "Invalid input (400)", error: "Error", plan: "Plan #{p} (ledger version {v})",
      chart_title: "Households and residents per level", legend: "Households",
      tiles_saved: "Base map setting saved",
      role_admin: "admin", role_county: "county", role_township: "township",
      role_community: "community", "role_grid-worker": "grid worker", role_member: "member",
      role_auditor: "auditor",
      ev_import: "import", ev_birth: "birth", ev_death: "death", ev_move: "move",
      ev_move_out: "moved out", ev_move_in: "moved in", ev_tag: "tag change",
      ev_correction: "correction", st_active: "active", st_moved_out: "moved out",
      st_dead: "dead", rs_registered: "registered", rs_resident: "resident",
      rs_floating: "floating",
      nav_plans: "Plans", plan_id: "Plan", created: "Created", bounds: "Bounds", note: "Note",
      pst_draft: "draft", pst_active: "active", pst_retired: "retired", activate: "Activate",
      compare: "Compare with the active plan", activated: "Plan #{p} is now active",
      diff: "Plan #{a} → #{b}: grids {ga} → {gb}; {u} unchanged, {c} changed, {r} retired, {n} new; households whose grid changed {h} / {t}",
      no_plans: "No plans yet", plans_denied: "Plans are visible to the county office (403)"
    }
  };
  extraPages.forEach(function (pg) {
    ["zh", "en"].forEach(function (l) {
      if (pg[l]) Object.keys(pg[l]).forEach(function (k) { T[l][k] = pg[l][k]; });
    });
  });
  var lang = (function () {
    try { return localStorage.getItem("wg_lang") === "en" ? "en" : "zh"; } catch (e) { return "zh"; }
  })();
  function t(key, vars) {
    var s = T[lang][key];
    if (s === undefined) s = T.zh[key];
    if (s === undefined) return key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  function tOr(prefix, value) { var k = prefix + value; return (T[lang][k] !== undefined) ? t(k) : value; }
  function applyLang() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = t("title") + " · wangge";
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-ph]").forEach(function (el) { el.placeholder = t(el.dataset.i18nPh); });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
    $("lang").textContent = lang === "en" ? "中文" : "English";
    $("lang").lang = lang === "en" ? "zh-CN" : "en";
  }

  // ---- DOM helpers ------------------------------------------------------
  function el(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) e.textContent = String(value);
    if (cls) e.className = cls;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function dl(rows) {
    var d = el("dl");
    rows.forEach(function (r) {
      d.appendChild(el("dt", r[0]));
      var dd = el("dd");
      if (r[1] instanceof Node) dd.appendChild(r[1]); else dd.textContent = (r[1] === null || r[1] === undefined) ? "—" : String(r[1]);
      if (r[2]) dd.dataset.field = r[2];
      d.appendChild(dd);
    });
    return d;
  }
  function errorText(r) {
    var key = r.status === 403 ? "denied" : r.status === 404 ? "not_found" : r.status === 400 ? "bad_request" : null;
    var msg = r.json && r.json.error ? r.json.error.message : "";
    return (key ? t(key) : t("error") + " " + r.status) + (msg ? "：" + msg : "");
  }
  function errorBox(r) {
    var p = el("p", errorText(r), "error");
    p.dataset.status = String(r.status);
    return p;
  }

  // ---- API --------------------------------------------------------------
  var csrf = "", me = null;
  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    if (method !== "GET" && csrf) opts.headers["X-CSRF-Token"] = csrf;
    return fetch(path, opts).then(function (res) {
      return res.json().then(function (json) { return { status: res.status, json: json }; },
                             function () { return { status: res.status, json: null }; });
    }).then(function (r) {
      if (r.status === 401 && me && path !== "/api/v1/session") signedOut();
      return r;
    });
  }
  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== "" && params[k] !== null && params[k] !== undefined)
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  // ---- session ----------------------------------------------------------
  var stats = null;
  function signedIn(who) {
    me = who;
    csrf = who.csrf;
    $("who-name").textContent = who.login + "（" + tOr("role_", who.role) + "）";
    $("who").hidden = false;
    $("nav").hidden = false;
    $("sign-in").hidden = true;
    stats = null;
    layerLevel = null;
    loadStats().then(function () { route(); });
  }
  function signedOut() {
    me = null;
    csrf = "";
    stats = null;
    $("who").hidden = true;
    $("nav").hidden = true;
    document.querySelectorAll(".page").forEach(function (p) { p.hidden = true; });
    cardHint();
    clear(document.querySelector("#residents tbody"));
    clear($("resident"));
    if (gridLayer && map) { map.removeLayer(gridLayer); gridLayer = null; }
    if (matterLayer && map) { map.removeLayer(matterLayer); matterLayer = null; }
    $("map-matters").checked = false;
    $("sign-in").hidden = false;
    document.body.dataset.page = "sign-in";
  }
  function loadStats() {
    return api("GET", "/api/v1/stats").then(function (r) {
      stats = r.status === 200 ? r.json : null;
      var sel = $("f-tag");
      while (sel.options.length > 1) sel.remove(1);
      if (stats) stats.tags.forEach(function (tg) {
        sel.appendChild(new Option(lang === "en" ? tg.name_en : tg.name_zh, tg.code));
      });
    }, function () { stats = null; });
  }
  function tagName(code) {
    var found = stats && stats.tags.filter(function (x) { return x.code === code; })[0];
    return found ? (lang === "en" ? found.name_en : found.name_zh) : code;
  }

  // ---- routing ----------------------------------------------------------
  function route() {
    if (!me) return;
    var h = location.hash.replace(/^#/, "") || "map";
    var m = /^resident\/(\d+)$/.exec(h);
    var extra = null, arg = "";
    extraPages.forEach(function (pg) {
      if (h === pg.name || h.indexOf(pg.name + "/") === 0) { extra = pg; arg = h.slice(pg.name.length + 1); }
    });
    var page = m ? "resident" : extra ? extra.name :
      (["map", "dashboard", "ledger", "plans"].indexOf(h) >= 0 ? h : "map");
    document.querySelectorAll(".page").forEach(function (p) { p.hidden = p.id !== "page-" + page; });
    document.querySelectorAll("#nav a").forEach(function (a) {
      if (a.dataset.page === page || (page === "resident" && a.dataset.page === "ledger")) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    document.body.dataset.page = page;
    if (page === "map") showMap();
    else if (page === "dashboard") showDashboard();
    else if (page === "ledger") { if (!ledgerLoaded) searchResidents(0); }
    else if (page === "plans") showPlans("");
    else if (extra) extra.show(ui, arg);
    else showResident(m[1]);
  }
  window.addEventListener("hashchange", route);

  // ---- plans ------------------------------------------------------------
  // The county's plans: compare a draft with the plan in use; the county
  // office activates one (POST with the CSRF token; audited by the server).
  function showPlans(message) {
    var body = clear(document.querySelector("#plans tbody"));
    clear($("plan-diff"));
    $("plans-status").textContent = t("loading");
    api("GET", "/api/v1/plans").then(function (r) {
      $("plans-status").textContent = message || "";
      if (r.status === 403) { $("plans-status").textContent = t("plans_denied"); return; }
      if (r.status !== 200) { $("plans-status").textContent = errorText(r); return; }
      var items = r.json.items || [];
      if (!items.length) { $("plans-status").textContent = t("no_plans"); return; }
      var active = items.filter(function (p) { return p.status === "active"; })[0];
      var mayActivate = me && (me.role === "admin" || me.role === "county");
      items.forEach(function (p) {
        var tr = document.createElement("tr");
        tr.appendChild(el("td", "#" + p.id));
        tr.appendChild(el("td", tOr("pst_", p.status)));
        tr.appendChild(el("td", (p.created_at || "").replace("T", " ").replace("Z", "")));
        tr.appendChild(el("td", p.bounds));
        tr.appendChild(el("td", p.note || ""));
        var td = document.createElement("td");
        if (active && p.id !== active.id) {
          var cmp = el("button", t("compare"));
          cmp.type = "button";
          cmp.addEventListener("click", function () { comparePlans(active.id, p.id); });
          td.appendChild(cmp);
        }
        if (mayActivate && p.status === "draft") {
          var act = el("button", t("activate"));
          act.type = "button";
          act.addEventListener("click", function () { activatePlan(p.id); });
          td.appendChild(act);
        }
        tr.appendChild(td);
        body.appendChild(tr);
      });
    }, function () { $("plans-status").textContent = t("network"); });
  }
  function comparePlans(a, b) {
    api("GET", "/api/v1/plans/" + a + "/diff/" + b).then(function (r) {
      var box = clear($("plan-diff"));
      if (r.status !== 200) { box.appendChild(el("p", errorText(r), "error")); return; }
      var d = r.json;
      box.appendChild(el("p", t("diff", { a: d.from, b: d.to, ga: d.grids_from, gb: d.grids_to,
        u: d.unchanged, c: d.changed, r: d.retired, n: d.new, h: d.households_changed,
        t: d.households })));
    }, function () { $("plans-status").textContent = t("network"); });
  }
  function activatePlan(id) {
    api("POST", "/api/v1/plans/" + id + "/activate", {}).then(function (r) {
      if (r.status !== 200) { $("plans-status").textContent = errorText(r); return; }
      layerLevel = null;
      showPlans(t("activated", { p: id }));
    }, function () { $("plans-status").textContent = t("network"); });
  }

  // ---- map --------------------------------------------------------------
  var buildingLayer = null, matterLayer = null;
  // Open matters in the user's scope as dots (overdue in red); a click opens
  // the matter (web/pages/matters.js).
  function showMatters() {
    if (matterLayer && map) { map.removeLayer(matterLayer); matterLayer = null; }
    if (!map || !$("map-matters").checked) { $("map").dataset.matters = ""; return; }
    api("GET", "/api/v1/matters" + qs({ queue: "all", open: "true", limit: 1000 })).then(function (r) {
      if (r.status !== 200 || !$("map-matters").checked) return;
      if (matterLayer) map.removeLayer(matterLayer);
      var items = (r.json.items || []).filter(function (m) { return m.lon !== null && m.lat !== null; });
      matterLayer = L.layerGroup(items.map(function (m) {
        var dot = L.circleMarker([m.lat, m.lon], { className: "wg-matter", radius: 5, weight: 1,
          color: "#7f1d1d", fillColor: m.overdue ? "#dc2626" : "#f59e0b", fillOpacity: 0.95 });
        dot.bindTooltip((m.overdue ? t("overdue_mark") + " " : "") + m.title);
        dot.on("click", function () { location.hash = "#matters/" + m.id; });
        dot.on("add", function () {
          var e = dot.getElement();
          if (e) { e.setAttribute("data-matter", String(m.id)); if (m.overdue) e.setAttribute("data-overdue", "1"); }
        });
        return dot;
      })).addTo(map);
      $("map").dataset.matters = String(items.length);
    });
  }
  // The buildings of the open grid, as small dots (the standard addresses'
  // positions), so a worker sees which houses a grid holds.
  function showBuildings(code) {
    if (buildingLayer && map) { map.removeLayer(buildingLayer); buildingLayer = null; }
    if (!map) return;
    api("GET", "/api/v1/buildings" + qs({ grid: code, limit: 1000 })).then(function (r) {
      if (r.status !== 200 || $("card").dataset.code !== code) return;
      if (buildingLayer) map.removeLayer(buildingLayer);
      buildingLayer = L.layerGroup(r.json.items.filter(function (b) { return b.lon || b.lat; }).map(function (b) {
        var m = L.circleMarker([b.lat, b.lon], { className: "wg-building", radius: 3, weight: 1,
          color: "#1e3a8a", fillColor: "#3b82f6", fillOpacity: 0.9 });
        m.bindTooltip((b.estate ? b.estate + " " : "") + b.name + (b.floors ? " · " + b.floors + t("floors") : ""));
        m.on("add", function () { var e = m.getElement(); if (e) e.setAttribute("data-building", String(b.id)); });
        return m;
      })).addTo(map);
      $("card").dataset.buildings = String(r.json.items.length);
    });
  }
  var map = null, gridLayer = null, dotLayer = null, tileLayer = null, layerLevel = null, legend = null, selected = null;
  var COLOURS = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"];
  var breaks = [], minHouseholds = 0;
  var RULE_COLOURS = { ok: "#74c476", forced: "#fdae6b", avoidable: "#de2d26" };
  function colourMode() { return $("map-colour").value === "rules" ? "rules" : "households"; }
  function ruleClass(p) { return !p.violation ? "ok" : p.violation_forced ? "forced" : "avoidable"; }
  // The fill of a grid: by households (quantiles) or by the plan's rule check.
  function fillOf(p) {
    return colourMode() === "rules" ? RULE_COLOURS[ruleClass(p)] : colour(p.households || 0);
  }
  function colour(h) {
    for (var i = 0; i < breaks.length; i++) if (h <= breaks[i]) return COLOURS[i];
    return COLOURS[COLOURS.length - 1];
  }
  function tilesUrl() { try { return localStorage.getItem("wg_tiles") || ""; } catch (e) { return ""; } }
  function setTiles() {
    if (tileLayer) { map.removeLayer(tileLayer); tileLayer = null; }
    var url = tilesUrl();
    if (url) tileLayer = L.tileLayer(url, { maxZoom: 19 }).addTo(map);
  }
  function ensureMap() {
    if (map) return;
    map = L.map("map", { attributionControl: false, preferCanvas: false, zoomSnap: 0.25 });
    map.setView([38.28, 111.67], 11);
    setTiles();
    legend = L.control({ position: "bottomright" });
    legend.onAdd = function () { return L.DomUtil.create("div", "legend"); };
    legend.addTo(map);
    map.on("zoomend", showDots);
    $("tiles-url").value = tilesUrl();
  }
  function defaultLevel() {
    if (stats && stats.levels.length) return stats.levels[0].level;
    return 1;
  }
  function showMap() {
    ensureMap();
    map.invalidateSize();
    if (layerLevel === null) {
      $("map-level").value = String(defaultLevel());
      loadGrids(Number($("map-level").value));
    }
  }
  function drawLegend() {
    var box = legend.getContainer();
    clear(box);
    if (colourMode() === "rules") {
      box.appendChild(el("strong", t("rules")));
      ["ok", "forced", "avoidable"].forEach(function (k) {
        var row = el("div");
        row.appendChild(el("span", "", "swatch " + k));
        row.appendChild(el("span", t("rule_" + k)));
        box.appendChild(row);
      });
      return;
    }
    box.appendChild(el("strong", t("households")));
    var lo = minHouseholds;
    breaks.forEach(function (b, i) {
      var row = el("div");
      row.appendChild(el("span", "", "swatch c" + i));
      row.appendChild(el("span", lo === b ? String(b) : lo + "–" + b));
      box.appendChild(row);
      lo = b + 1;
    });
  }
  function loadGrids(level) {
    $("map-status").textContent = t("loading");
    layerLevel = level;
    return api("GET", "/api/v1/grids" + qs({ level: level, format: "geojson" })).then(function (r) {
      if (gridLayer) { map.removeLayer(gridLayer); gridLayer = null; }
      if (dotLayer) { map.removeLayer(dotLayer); dotLayer = null; }
      if (buildingLayer) { map.removeLayer(buildingLayer); buildingLayer = null; }
      if (r.status !== 200) { $("map-status").textContent = errorText(r); return; }
      var feats = r.json.features.filter(function (f) { return f.geometry; });
      var hs = feats.map(function (f) { return f.properties.households || 0; }).sort(function (a, b) { return a - b; });
      breaks = [];
      minHouseholds = hs.length ? hs[0] : 0;
      if (hs.length) {
        for (var i = 1; i <= COLOURS.length; i++) {
          var b = hs[Math.min(hs.length - 1, Math.ceil(hs.length * i / COLOURS.length) - 1)];
          if (!breaks.length || b > breaks[breaks.length - 1]) breaks.push(b);
        }
      }
      drawLegend();
      var few = feats.length <= 40;
      gridLayer = L.geoJSON({ type: "FeatureCollection", features: feats }, {
        style: function (f) {
          return { className: "wg-grid", color: "#5c2a1f", weight: 1, fillOpacity: 0.7,
                   fillColor: fillOf(f.properties) };
        },
        onEachFeature: function (f, layer) {
          if (few) layer.bindTooltip(f.id.slice(-2), { permanent: true, direction: "center", className: "grid-label" });
          else layer.bindTooltip(f.id + " · " + (f.properties.households || 0) + " " + t("households"), { sticky: true });
          layer.on("click", function () { openCard(f.id); });
          layer.on("add", function () {
            var e = layer.getElement();
            if (e) {
              e.setAttribute("data-code", f.id);
              e.setAttribute("data-households", String(f.properties.households || 0));
              e.setAttribute("data-rule", ruleClass(f.properties));
            }
          });
        }
      }).addTo(map);
      // A village grid is a few pixels wide at county scale: a dot at its
      // centre keeps it visible and clickable until the map is zoomed in.
      dotLayer = L.layerGroup(feats.map(function (f) {
        var b = f.properties.bbox;
        var dot = L.circleMarker([(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], { wgProps: f.properties,
          className: "wg-grid-dot", radius: 5, weight: 1, color: "#5c2a1f", fillOpacity: 0.9,
          fillColor: fillOf(f.properties) });
        dot.bindTooltip(f.id + " · " + (f.properties.households || 0) + " " + t("households"));
        dot.on("click", function () { openCard(f.id); });
        return dot;
      }));
      $("map-status").textContent = feats.length ? t("map_count", { n: feats.length }) : t("map_none");
      $("map-status").dataset.count = String(feats.length);
      if (feats.length) map.fitBounds(gridLayer.getBounds(), { padding: [12, 12] });
      showDots();
    }, function () { $("map-status").textContent = t("network"); });
  }
  function showDots() {
    if (!dotLayer) return;
    var small = false;
    if (gridLayer) {
      // Dots while the median grid is under 12 pixels across.
      var sizes = [];
      gridLayer.eachLayer(function (layer) {
        var b = layer.getBounds(), a = map.latLngToLayerPoint(b.getNorthWest()), c = map.latLngToLayerPoint(b.getSouthEast());
        sizes.push(Math.max(c.x - a.x, c.y - a.y));
      });
      sizes.sort(function (x, y) { return x - y; });
      small = sizes.length > 0 && sizes[Math.floor(sizes.length / 2)] < 12;
    }
    if (small && !map.hasLayer(dotLayer)) dotLayer.addTo(map);
    if (!small && map.hasLayer(dotLayer)) map.removeLayer(dotLayer);
  }
  function highlight(code) {
    if (!gridLayer) return;
    gridLayer.eachLayer(function (layer) {
      var on = layer.feature.id === code;
      layer.setStyle({ weight: on ? 3 : 1, color: on ? "#1d4ed8" : "#5c2a1f" });
      if (on) layer.bringToFront();
    });
    selected = code;
  }
  function cardHint() {
    var card = clear($("card"));
    delete card.dataset.code;
    var p = el("p", t("card_hint"), "muted");
    p.dataset.i18n = "card_hint";
    card.appendChild(p);
  }
  function zoomTo(bbox) {
    if (map && bbox) map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { maxZoom: 15, padding: [40, 40] });
  }
  // The organisation part of a grid card (workers, building heads, Party
  // organisation, members); its words come from web/pages/org.js.
  function orgCard(g) {
    var people = function (xs, label) {
      var ul = el("ul", null, "card-people");
      xs.slice(0, 12).forEach(function (p) { ul.appendChild(el("li", label(p))); });
      if (xs.length > 12) ul.appendChild(el("li", "… " + xs.length, "muted"));
      return xs.length ? ul : null;
    };
    var m = g.members || {};
    return dl([
      [t("card_workers"), people(g.workers || [], function (w) {
        return w.name + "（" + (w.full_time ? t("staff_full") : t("staff_part")) + "）" + (w.phone || "");
      }), "workers"],
      [t("card_heads"), people(g.building_heads || [], function (h) { return h.building_name + " · " + h.name; }), "heads"],
      [t("card_above"), people(g.workers_above || [], function (w) {
        return t("level" + (w.grid.length - 12) / 2) + " " + w.grid.slice(-2) + " · " + w.name + (w.phone ? " " + w.phone : "");
      }), "workers-above"],
      [t("card_party"), g.party ? t("porg_" + g.party.kind) + " · " + g.party.name :
        (g.party_above || []).length ? g.party_above.map(function (o) { return t("porg_" + o.kind) + " · " + o.name; }).join("；") : null, "party"],
      [t("card_members"), t("card_members_text").replace("{p}", m.party || 0).replace("{r}", m.registered || 0)
        .replace("{v}", m.volunteers || 0), "members"]
    ]);
  }
  function openCard(code, zoom) {
    var card = $("card");
    clear(card).appendChild(el("p", t("loading"), "muted"));
    return api("GET", "/api/v1/grids/" + encodeURIComponent(code)).then(function (r) {
      clear(card);
      if (r.status !== 200) { card.appendChild(errorBox(r)); return; }
      var g = r.json;
      card.dataset.code = g.code;
      card.appendChild(el("h2", t("card_title")));
      var parent = g.parent;
      var parentNode = null;
      if (parent && parent.length >= 14 && parent.length !== 12) {
        parentNode = el("a", parent);
        parentNode.href = "#map";
        parentNode.addEventListener("click", function (ev) { ev.preventDefault(); openCard(parent); });
      }
      var tags = el("ul", null, "tags");
      Object.keys(g.tags || {}).forEach(function (k) { tags.appendChild(el("li", tagName(k) + " " + g.tags[k])); });
      card.appendChild(dl([
        [t("code"), g.code, "code"],
        [t("level"), t("level" + g.level), "level"],
        [t("households"), g.households, "households"],
        [t("residents"), g.residents, "residents"],
        [t("parent"), parentNode || parent, "parent"],
        [t("community"), g.community, "community"],
        [t("area"), g.area ? Math.round(g.area / 100) / 100 + " ha" : null, "area"],
        [t("children"), (g.children || []).length ? g.children.length : null, "children"],
        [t("tags"), tags, "tags"],
        [t("piece_floors"), (g.pieces || []).length ? g.pieces.map(function (pc) {
          return pc.floors ? t("floors_range", { a: pc.floors[0], b: pc.floors[1], h: pc.households }) : t("households") + " " + pc.households;
        }).join("；") : null, "pieces"],
        [t("rules"), g.violation ? t("rule_" + (g.violation_forced ? "forced" : "avoidable")) + " · " + tOr("vk_", g.violation) : t("rule_ok"), "rules"]
      ]));
      if (g.workers) card.appendChild(orgCard(g));
      var list = el("a", t("nav_ledger") + " →");
      list.href = "#ledger";
      list.addEventListener("click", function () { $("f-grid").value = g.code; $("f-community").value = ""; ledgerLoaded = false; });
      card.appendChild(el("p")).appendChild(list);
      if (g.level !== layerLevel && map) {
        $("map-level").value = String(g.level);
        loadGrids(g.level).then(function () { highlight(g.code); if (zoom) zoomTo(g.bbox); showBuildings(g.code); });
      } else { highlight(g.code); if (zoom) zoomTo(g.bbox); showBuildings(g.code); }
    }, function () { clear(card).appendChild(el("p", t("network"), "error")); });
  }
  $("map-level").addEventListener("change", function () { loadGrids(Number(this.value)); });
  $("map-matters").addEventListener("change", showMatters);
  $("map-colour").addEventListener("change", function () {
    if (gridLayer) gridLayer.setStyle(function (f) { return { fillColor: fillOf(f.properties) }; });
    if (dotLayer) dotLayer.eachLayer(function (d) { d.setStyle({ fillColor: fillOf(d.options.wgProps) }); });
    if (legend) drawLegend();
  });
  $("grid-search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var code = $("grid-code").value.trim();
    if (code) openCard(code, true);
  });
  $("tiles-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    try { localStorage.setItem("wg_tiles", $("tiles-url").value.trim()); } catch (e) { /* private mode */ }
    setTiles();
    $("map-status").textContent = t("tiles_saved");
  });

  // ---- dashboard --------------------------------------------------------
  var chart = null;
  function showDashboard() {
    var status = $("dash-status");
    status.textContent = t("loading");
    loadStats().then(function () {
      var lv = clear(document.querySelector("#levels tbody"));
      var tg = clear(document.querySelector("#tags tbody"));
      if (!stats) { status.textContent = t("error"); return; }
      status.textContent = t("plan", { p: stats.plan, v: stats.ledger_version });
      stats.levels.forEach(function (l) {
        var tr = el("tr");
        tr.appendChild(el("td", t("level" + l.level)));
        tr.appendChild(el("td", l.grids));
        tr.appendChild(el("td", l.households));
        tr.appendChild(el("td", l.residents));
        lv.appendChild(tr);
      });
      stats.tags.forEach(function (x) {
        var tr = el("tr");
        tr.appendChild(el("td", lang === "en" ? x.name_en : x.name_zh));
        tr.appendChild(el("td", x.residents));
        tg.appendChild(tr);
      });
      if (!chart) chart = echarts.init($("chart"), null, { renderer: "canvas" });
      chart.setOption({
        title: { text: t("chart_title"), left: "center", top: 6, textStyle: { fontSize: 15 } },
        tooltip: { trigger: "axis" },
        legend: { top: 34, data: [t("households"), t("residents"), t("grids")] },
        grid: { left: 56, right: 56, top: 72, bottom: 32 },
        xAxis: { type: "category", data: stats.levels.map(function (l) { return t("level" + l.level); }) },
        yAxis: [{ type: "value", name: t("residents") }, { type: "value", name: t("grids"), splitLine: { show: false } }],
        series: [
          { name: t("households"), type: "bar", data: stats.levels.map(function (l) { return l.households; }), itemStyle: { color: "#de2d26" } },
          { name: t("residents"), type: "bar", data: stats.levels.map(function (l) { return l.residents; }), itemStyle: { color: "#fc9272" } },
          { name: t("grids"), type: "bar", yAxisIndex: 1, data: stats.levels.map(function (l) { return l.grids; }), itemStyle: { color: "#5c2a1f" } }
        ]
      }, true);
      chart.resize();
    });
  }
  window.addEventListener("resize", function () { if (chart) chart.resize(); if (map) map.invalidateSize(); });

  // ---- ledger -----------------------------------------------------------
  var ledgerLoaded = false, offset = 0, PAGE = 50, lastTotal = 0;
  function searchResidents(off) {
    ledgerLoaded = true;
    offset = off;
    var status = $("ledger-status"), body = document.querySelector("#residents tbody");
    status.textContent = t("loading");
    return api("GET", "/api/v1/residents" + qs({
      grid: $("f-grid").value.trim(), community: $("f-community").value.trim(),
      name: $("f-name").value.trim(), address: $("f-address").value.trim(),
      tag: $("f-tag").value, limit: PAGE, offset: off
    })).then(function (r) {
      clear(body);
      if (r.status !== 200) { status.textContent = errorText(r); status.dataset.status = String(r.status); return; }
      delete status.dataset.status;
      lastTotal = r.json.total;
      var items = r.json.items;
      status.textContent = items.length ? t("total", { n: r.json.total, a: off + 1, b: off + items.length }) : t("none_found");
      items.forEach(function (p) {
        var tr = el("tr");
        tr.dataset.id = String(p.id);
        tr.tabIndex = 0;
        var a = el("a", p.name);
        a.href = "#resident/" + p.id;
        var td = el("td");
        td.appendChild(a);
        tr.appendChild(td);
        tr.appendChild(el("td", p.sex));
        tr.appendChild(el("td", p.id_number, "idno"));
        tr.appendChild(el("td", p.birth));
        tr.appendChild(el("td", p.address));
        tr.appendChild(el("td", (p.tags || []).map(tagName).join("、")));
        tr.addEventListener("click", function (ev) { if (ev.target.tagName !== "A") location.hash = "#resident/" + p.id; });
        body.appendChild(tr);
      });
      $("prev").disabled = off <= 0;
      $("next").disabled = off + items.length >= lastTotal;
    }, function () { status.textContent = t("network"); });
  }
  $("ledger-search").addEventListener("submit", function (ev) { ev.preventDefault(); searchResidents(0); });
  $("prev").addEventListener("click", function () { searchResidents(Math.max(0, offset - PAGE)); });
  $("next").addEventListener("click", function () { searchResidents(offset + PAGE); });
  $("resident-open").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = $("r-id").value.trim();
    if (/^\d+$/.test(id)) location.hash = "#resident/" + id;
  });
  function showResident(id) {
    var box = clear($("resident"));
    box.appendChild(el("p", t("loading"), "muted"));
    api("GET", "/api/v1/residents/" + id).then(function (r) {
      clear(box);
      if (r.status !== 200) { box.appendChild(errorBox(r)); return; }
      var p = r.json;
      box.dataset.id = String(p.id);
      box.appendChild(el("h2", p.name));
      box.appendChild(dl([
        [t("sex"), p.sex], [t("id_number"), p.id_number, "id_number"], [t("birth"), p.birth],
        [t("phone"), p.phone], [t("relation"), p.relation], [t("residence"), tOr("rs_", p.residence)],
        [t("status"), tOr("st_", p.status)], [t("household"), p.household], [t("address"), p.address],
        [t("community"), p.community], [t("tags"), (p.tags || []).map(tagName).join("、") || null],
        [t("since"), p.since]
      ]));
      box.appendChild(el("h3", t("history")));
      var wrap = el("div", null, "table-wrap"), table = el("table", null, "history");
      var head = el("tr");
      [t("valid_from"), t("valid_to"), t("event"), t("effective"), t("reason"), t("address")].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(el("thead")).appendChild(head);
      var tb = table.appendChild(el("tbody"));
      (p.history || []).forEach(function (v) {
        var tr = el("tr");
        tr.appendChild(el("td", v.valid_from));
        tr.appendChild(el("td", v.valid_to || t("current")));
        tr.appendChild(el("td", v.event ? tOr("ev_", v.event.kind) : "—"));
        tr.appendChild(el("td", v.event ? v.event.effective : "—"));
        tr.appendChild(el("td", v.event ? v.event.reason : "—"));
        tr.appendChild(el("td", v.address));
        tb.appendChild(tr);
      });
      wrap.appendChild(table);
      box.appendChild(wrap);
    }, function () { clear(box).appendChild(el("p", t("network"), "error")); });
  }

  // What a page in its own file may use (see extraPages above).
  var ui = {
    $: $, t: t, tOr: tOr, el: el, clear: clear, dl: dl, api: api, qs: qs,
    errorText: errorText, errorBox: errorBox, tagName: tagName,
    me: function () { return me; }, lang: function () { return lang; }
  };

  // ---- sign-in / out, language -----------------------------------------
  $("sign-in").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("sign-in-error").textContent = "";
    api("POST", "/api/v1/session", { login: $("login").value, password: $("password").value })
      .then(function (r) {
        $("password").value = "";
        if (r.status === 201) { signedIn(r.json); return; }
        $("sign-in-error").textContent = r.json && r.json.error ? r.json.error.message : t("sign_in_failed");
      }, function () { $("sign-in-error").textContent = t("network"); });
  });
  $("sign-out").addEventListener("click", function () {
    api("DELETE", "/api/v1/session").then(signedOut, signedOut);
  });
  $("lang").addEventListener("click", function () {
    lang = lang === "en" ? "zh" : "en";
    try { localStorage.setItem("wg_lang", lang); } catch (e) { /* private mode */ }
    applyLang();
    if (me) {
      $("who-name").textContent = me.login + "（" + tOr("role_", me.role) + "）";
      loadStats().then(function () {
        ledgerLoaded = false;
        route();
        if (layerLevel !== null) loadGrids(layerLevel);
        if ($("card").dataset.code) openCard($("card").dataset.code);
      });
    }
  });
  applyLang();
  api("GET", "/api/v1/session").then(function (r) {
    if (r.status === 200) signedIn(r.json); else signedOut();
  }, signedOut);
})();
