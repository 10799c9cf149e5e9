// My visits today (phone-first): the signed-in grid worker's due and
// overdue households, most overdue first, each with a short form to record
// the visit; and the visits recorded today. Over /api/v1/org/visits*.
window.WG_PAGES.push({
  name: "visits",
  zh: {
    nav_visits: "我的走访", vis_due: "待走访（逾期在前）", vis_today: "今日已走访",
    vis_household: "户", vis_last: "上次走访", vis_never: "从未走访", vis_overdue: "逾期 {d} 天",
    vis_due_in: "{d} 天后到期", vis_every: "每 {d} 天", vis_record: "记录走访",
    vis_findings: "走访情况", vis_changes: "台账变动", vis_matter: "上报事项编号（可选）",
    vis_saved: "已记录", vis_none: "没有待走访的住户", vis_not_staff: "当前账号未关联网格员。",
    vis_count: "共 {n} 户，逾期 {o} 户"
  },
  en: {
    nav_visits: "My visits", vis_due: "Due (most overdue first)", vis_today: "Visited today",
    vis_household: "Household", vis_last: "Last visit", vis_never: "never visited", vis_overdue: "{d} days overdue",
    vis_due_in: "due in {d} days", vis_every: "every {d} days", vis_record: "Record visit",
    vis_findings: "Findings", vis_changes: "Ledger changes", vis_matter: "Matter raised (optional)",
    vis_saved: "Recorded", vis_none: "No household is due", vis_not_staff: "This login is not linked to a grid worker.",
    vis_count: "{n} households, {o} overdue"
  },
  show: function (ui) {
    "use strict";
    var el = ui.el, t = ui.t;
    var root = ui.clear(ui.$("visits-root"));
    function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }
    var today = new Date();
    var iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
    var notices = el("ul", null, "visit-list");
    notices.id = "vis-notices";
    root.appendChild(notices);
    ui.api("GET", "/api/v1/notices").then(function (r) {
      if (r.status !== 200) return;
      r.json.items.slice(0, 3).forEach(function (n) {
        var li = el("li", null, "overdue");
        var a = el("a", n.text);
        a.href = n.incident ? "#incident/" + n.incident : "#incident";
        li.appendChild(a);
        li.appendChild(el("span", n.created_at, "muted"));
        notices.appendChild(li);
      });
    });
    root.appendChild(el("h2", t("vis_due")));
    var summary = el("p", null, "muted");
    root.appendChild(summary);
    var list = el("ul", null, "visit-list");
    list.id = "vis-due";
    root.appendChild(list);
    root.appendChild(el("h2", t("vis_today")));
    var done = el("ul", null, "visit-list");
    done.id = "vis-done";
    root.appendChild(done);
    function loadToday() {
      ui.clear(done);
      ui.api("GET", "/api/v1/org/visits" + ui.qs({ mine: 1, date: iso })).then(function (r) {
        if (r.status !== 200) return;
        r.json.items.forEach(function (v) {
          done.appendChild(el("li", t("vis_household") + " " + v.household + " · " + v.grid + " · " + (v.findings || "—")));
        });
      });
    }
    ui.api("GET", "/api/v1/org/visits/due" + ui.qs({ ahead: 3 })).then(function (r) {
      if (r.status === 404) { summary.textContent = t("vis_not_staff"); return; }
      if (r.status !== 200) { summary.textContent = ui.errorText(r); return; }
      summary.textContent = fmt(t("vis_count"), { n: r.json.total, o: r.json.overdue });
      if (!r.json.items.length) list.appendChild(el("li", t("vis_none"), "muted"));
      r.json.items.slice(0, 200).forEach(function (d) {
        var li = el("li", null, d.overdue ? "overdue" : "");
        li.appendChild(el("strong", t("vis_household") + " " + d.household));
        li.appendChild(el("span", " " + d.grid + " · " + fmt(t("vis_every"), { d: d.interval }) + " · " +
          (d.last_visit ? t("vis_last") + " " + d.last_visit : t("vis_never")) + " · " +
          (d.days_overdue > 0 ? fmt(t("vis_overdue"), { d: d.days_overdue }) : fmt(t("vis_due_in"), { d: -d.days_overdue })), "muted"));
        var open = el("button", t("vis_record"));
        open.type = "button";
        li.appendChild(open);
        open.addEventListener("click", function () {
          open.hidden = true;
          var f = el("form", null, "visit-form");
          var fi = el("textarea");
          fi.placeholder = t("vis_findings");
          var ch = el("input");
          ch.placeholder = t("vis_changes");
          var mt = el("input");
          mt.placeholder = t("vis_matter");
          var sub = el("button", t("vis_record"));
          sub.type = "submit";
          var msg = el("span", null, "muted");
          [fi, ch, mt, sub, msg].forEach(function (x) { f.appendChild(x); });
          f.addEventListener("submit", function (ev) {
            ev.preventDefault();
            var body = { household: d.household, date: iso, findings: fi.value, ledger_changes: ch.value };
            if (mt.value.trim()) body.matter = mt.value.trim();
            ui.api("POST", "/api/v1/org/visits", body).then(function (res) {
              if (res.status === 201) { li.className = "visited"; ui.clear(f).appendChild(el("span", t("vis_saved"))); loadToday(); }
              else msg.textContent = ui.errorText(res);
            });
          });
          li.appendChild(f);
        });
        list.appendChild(li);
      });
    });
    loadToday();
  }
});
