// The organisation page: members and in-service registration, the service
// log with its totals, duty rosters, coverage and the organisation check.
// Over /api/v1/org/* (docs/api.md); DOM via textContent only.
window.WG_PAGES.push({
  name: "org",
  zh: {
    nav_org: "组织", org_members: "党员与报到", org_registered_only: "只看在职报到",
    org_load: "查询", org_kind: "类别", org_party: "党员", org_volunteer: "志愿者",
    org_employer: "工作单位", org_registered_on: "报到日期", org_skills: "技能",
    org_register: "在职党员报到", org_member_id: "党员编号", org_done: "已保存",
    org_service: "服务记录", org_hours: "时长", org_total_hours: "合计 {h} 小时，{n} 条",
    org_date: "日期", org_rosters: "值班值守", org_place: "社区或网格编码", org_shift: "班次",
    org_status: "状态", org_handover: "交接", org_close_done: "已完成", org_close_missed: "缺岗",
    sh_planned: "待值班", sh_done: "已完成", sh_missed: "缺岗", sh_unclosed: "未交接",
    org_coverage: "联户与走访覆盖", org_contacted: "已联户", org_to_visit: "应走访",
    org_visited: "按期走访", org_check: "组织检查", org_problems: "问题 {n} 个",
    org_proposal: "建议",
    card_workers: "网格员", card_above: "上级网格员", card_heads: "楼栋长", card_party: "党组织", card_members: "党员",
    card_members_text: "党员 {p} 人（在职报到 {r}），志愿者 {v} 人",
    porg_branch: "党支部", porg_group: "党小组", porg_central: "党员中心户",
    staff_full: "专职", staff_part: "兼职"
  },
  en: {
    nav_org: "Organisation", org_members: "Members and registration", org_registered_only: "Registered in service only",
    org_load: "Load", org_kind: "Kind", org_party: "Party member", org_volunteer: "Volunteer",
    org_employer: "Employer", org_registered_on: "Registered", org_skills: "Skills",
    org_register: "In-service registration", org_member_id: "Member no.", org_done: "Saved",
    org_service: "Service log", org_hours: "Hours", org_total_hours: "{h} hours in {n} entries",
    org_date: "Date", org_rosters: "Duty rosters", org_place: "Community or grid code", org_shift: "Shift",
    org_status: "Status", org_handover: "Handover", org_close_done: "Done", org_close_missed: "Missed",
    sh_planned: "planned", sh_done: "done", sh_missed: "missed", sh_unclosed: "not closed",
    org_coverage: "Contact and visit coverage", org_contacted: "With contact", org_to_visit: "To visit",
    org_visited: "Visited in time", org_check: "Organisation check", org_problems: "{n} problems",
    org_proposal: "Proposal",
    card_workers: "Grid workers", card_above: "Workers of the grids above", card_heads: "Building heads", card_party: "Party organisation",
    card_members: "Members",
    card_members_text: "{p} Party members ({r} registered in service), {v} volunteers",
    porg_branch: "Party branch", porg_group: "Party group", porg_central: "Central household",
    staff_full: "full-time", staff_part: "part-time"
  },
  show: function (ui, arg) {
    "use strict";
    var root = ui.$("org-root");
    if (root.dataset.built) return;
    root.dataset.built = "1";
    var el = ui.el, t = ui.t;
    function table(heads) {
      var wrap = el("div", null, "table-wrap"), tb = el("table"), th = el("thead"), tr = el("tr");
      heads.forEach(function (h) { tr.appendChild(el("th", h)); });
      th.appendChild(tr);
      tb.appendChild(th);
      var body = el("tbody");
      tb.appendChild(body);
      wrap.appendChild(tb);
      return { wrap: wrap, body: body };
    }
    function row(body, cells) {
      var tr = el("tr");
      cells.forEach(function (c) {
        var td = el("td");
        if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? "—" : String(c);
        tr.appendChild(td);
      });
      body.appendChild(tr);
      return tr;
    }
    function section(title) {
      var s = el("section", null, "org-block");
      s.appendChild(el("h2", title));
      root.appendChild(s);
      return s;
    }
    function input(ph, type) {
      var i = el("input");
      i.placeholder = ph;
      if (type) i.type = type;
      return i;
    }
    function button(text, fn) {
      var b = el("button", text);
      b.type = "button";
      b.addEventListener("click", fn);
      return b;
    }
    function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }

    // members and registration
    var ms = section(t("org_members"));
    var bar = el("div", null, "bar");
    var comm = input(t("community_ph"));
    var regOnly = el("input");
    regOnly.type = "checkbox";
    var lab = el("label");
    lab.appendChild(regOnly);
    lab.appendChild(document.createTextNode(t("org_registered_only")));
    var status = el("p", null, "muted");
    var mt = table([t("org_member_id"), t("name"), t("org_kind"), t("community"), t("org_employer"), t("org_registered_on"), t("org_skills")]);
    function loadMembers() {
      ui.clear(mt.body);
      var q = {};
      if (comm.value.trim()) q.community = comm.value.trim();
      if (regOnly.checked) q.registered = 1;
      ui.api("GET", "/api/v1/org/members" + ui.qs(q)).then(function (r) {
        if (r.status !== 200) { status.textContent = ui.errorText(r); return; }
        status.textContent = r.json.total + "";
        r.json.items.slice(0, 500).forEach(function (m) {
          row(mt.body, [m.id, m.name, t(m.kind === "party" ? "org_party" : "org_volunteer"), m.home_grid || m.community,
                        m.employer || null, m.registered_on, (m.skills || []).join(", ")]);
        });
      });
    }
    bar.appendChild(comm);
    bar.appendChild(lab);
    bar.appendChild(button(t("org_load"), loadMembers));
    ms.appendChild(bar);
    ms.appendChild(status);
    ms.appendChild(mt.wrap);
    var reg = el("form", null, "bar");
    var rid = input(t("org_member_id"), "number"), remp = input(t("org_employer")),
      rdate = input(t("org_date"), "date"), rsk = input(t("org_skills"));
    var rmsg = el("span", null, "muted");
    [el("strong", t("org_register")), rid, remp, rdate, rsk].forEach(function (x) { reg.appendChild(x); });
    var rsub = el("button", t("org_register"));
    rsub.type = "submit";
    reg.appendChild(rsub);
    reg.appendChild(rmsg);
    reg.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { employer: remp.value };
      if (rdate.value) body.date = rdate.value;
      if (rsk.value) body.skills = rsk.value;
      ui.api("POST", "/api/v1/org/members/" + encodeURIComponent(rid.value) + "/registration", body).then(function (r) {
        rmsg.textContent = r.status === 200 ? t("org_done") : ui.errorText(r);
        if (r.status === 200) loadMembers();
      });
    });
    ms.appendChild(reg);

    // service log
    var ss = section(t("org_service"));
    var sbar = el("div", null, "bar");
    var sgrid = input(t("grid_code_ph")), sfrom = input(t("org_date"), "date"), sto = input(t("org_date"), "date");
    var stot = el("p", null, "muted");
    var st = table([t("org_date"), t("org_kind"), t("org_hours"), t("grid"), t("org_member_id")]);
    sbar.appendChild(sgrid);
    sbar.appendChild(sfrom);
    sbar.appendChild(sto);
    sbar.appendChild(button(t("org_load"), function () {
      ui.clear(st.body);
      var q = {};
      if (sgrid.value.trim()) q.grid = sgrid.value.trim();
      if (sfrom.value) q.from = sfrom.value;
      if (sto.value) q.to = sto.value;
      ui.api("GET", "/api/v1/org/service" + ui.qs(q)).then(function (r) {
        if (r.status !== 200) { stot.textContent = ui.errorText(r); return; }
        stot.textContent = fmt(t("org_total_hours"), { h: Math.round(r.json.hours * 10) / 10, n: r.json.total });
        r.json.items.slice(0, 300).forEach(function (x) {
          row(st.body, [x.date, x.kind, x.hours, x.grid, x.member || (x.staff ? "staff " + x.staff : null)]);
        });
      });
    }));
    ss.appendChild(sbar);
    ss.appendChild(stot);
    ss.appendChild(st.wrap);

    // rosters
    var rs = section(t("org_rosters"));
    var rbar = el("div", null, "bar");
    var rplace = input(t("org_place"));
    var rt = table([t("org_date"), t("org_shift"), t("org_place"), "staff", t("org_status"), t("org_handover"), ""]);
    function loadRosters() {
      ui.clear(rt.body);
      var q = {};
      if (rplace.value.trim()) q.place = rplace.value.trim();
      ui.api("GET", "/api/v1/org/rosters" + ui.qs(q)).then(function (r) {
        if (r.status !== 200) return;
        r.json.items.slice(-120).forEach(function (x) {
          var act = el("span");
          if (x.status === "planned") {
            var note = input(t("org_handover"));
            act.appendChild(note);
            ["done", "missed"].forEach(function (s) {
              act.appendChild(button(t(s === "done" ? "org_close_done" : "org_close_missed"), function () {
                ui.api("POST", "/api/v1/org/rosters/" + x.id + "/close", { status: s, handover: note.value }).then(loadRosters);
              }));
            });
          }
          var tr = row(rt.body, [x.date, x.shift, x.place, x.staff, x.unclosed ? t("sh_unclosed") : t("sh_" + x.status), x.handover || null, act]);
          if (x.unclosed || x.status === "missed") tr.className = "hole";
        });
      });
    }
    rbar.appendChild(rplace);
    rbar.appendChild(button(t("org_load"), loadRosters));
    rs.appendChild(rbar);
    rs.appendChild(rt.wrap);

    // coverage and check
    var cs = section(t("org_coverage"));
    var clevel = el("select");
    [1, 2, 3].forEach(function (l) { var o = el("option", t("level" + l)); o.value = String(l); clevel.appendChild(o); });
    clevel.value = "2";
    var ctot = el("p", null, "muted");
    var ct = table([t("grid"), t("households"), t("org_contacted"), t("org_to_visit"), t("org_visited")]);
    var cbar = el("div", null, "bar");
    cbar.appendChild(clevel);
    cbar.appendChild(button(t("org_load"), function () {
      ui.clear(ct.body);
      ui.api("GET", "/api/v1/org/coverage" + ui.qs({ level: clevel.value })).then(function (r) {
        if (r.status !== 200) { ctot.textContent = ui.errorText(r); return; }
        var s = r.json.totals;
        ctot.textContent = [t("households") + " " + s.households, t("org_contacted") + " " + s.contacted,
                            t("org_visited") + " " + s.visited + " / " + s.to_visit].join(" · ");
        r.json.items.forEach(function (x) {
          var tr = row(ct.body, [x.code, x.households, x.contacted, x.to_visit, x.visited]);
          if (x.contacted < x.households) tr.className = "hole";
        });
      });
    }));
    cs.appendChild(cbar);
    cs.appendChild(ctot);
    cs.appendChild(ct.wrap);
    var ks = section(t("org_check"));
    var ksum = el("p", null, "muted");
    var kt = table([t("org_kind"), t("grid"), "", t("org_proposal")]);
    ks.appendChild(button(t("org_load"), function () {
      ui.clear(kt.body);
      ui.api("GET", "/api/v1/org/check").then(function (r) {
        if (r.status !== 200) { ksum.textContent = ui.errorText(r); return; }
        ksum.textContent = fmt(t("org_problems"), { n: r.json.problems }) + " — " +
          Object.keys(r.json.counts).filter(function (k) { return r.json.counts[k]; })
            .map(function (k) { return k + " " + r.json.counts[k]; }).join(", ");
        r.json.items.slice(0, 300).forEach(function (x) { row(kt.body, [x.kind, x.code, x.what, x.proposal]); });
      });
    }));
    ks.appendChild(ksum);
    ks.appendChild(kt.wrap);
    loadMembers();
  }
});
