// Emergency mobilisation: calls with their live head-count (refreshed while
// the page is open), responders nearest first with their answers, opening
// and closing a call. Over /api/v1/incidents*.
window.WG_PAGES.push({
  name: "incident",
  zh: {
    nav_incident: "应急动员", inc_list: "动员记录", inc_open: "发起动员", inc_title: "事由",
    inc_grid: "网格编码", inc_need: "需要人数", inc_skills: "技能（逗号分隔）", inc_call: "呼叫人数",
    inc_need_n: "需要", inc_called: "已呼叫", inc_ack: "已响应", inc_declined: "已拒绝",
    inc_arrived: "已到岗", inc_short: "缺口", inc_met: "已满足", inc_status_open: "进行中",
    inc_status_closed: "已结束", inc_responders: "响应人员（由近及远）", inc_distance: "距离",
    inc_close: "结束动员", inc_hours: "每人服务时长（小时）", inc_summary: "总结",
    st_called: "已呼叫", st_acknowledged: "已响应", st_declined: "已拒绝", st_arrived: "已到岗",
    inc_back: "返回列表", inc_staff: "工作人员", inc_member: "党员/志愿者"
  },
  en: {
    nav_incident: "Mobilisation", inc_list: "Calls", inc_open: "Open a call", inc_title: "What happened",
    inc_grid: "Grid code", inc_need: "People needed", inc_skills: "Skills (comma separated)", inc_call: "People to call",
    inc_need_n: "Need", inc_called: "Called", inc_ack: "Acknowledged", inc_declined: "Declined",
    inc_arrived: "Arrived", inc_short: "Short by", inc_met: "Need met", inc_status_open: "open",
    inc_status_closed: "closed", inc_responders: "Responders (nearest first)", inc_distance: "Distance",
    inc_close: "Close the call", inc_hours: "Service hours each", inc_summary: "Summary",
    st_called: "called", st_acknowledged: "acknowledged", st_declined: "declined", st_arrived: "arrived",
    inc_back: "Back to the list", inc_staff: "staff", inc_member: "member"
  },
  show: function (ui, arg) {
    "use strict";
    var el = ui.el, t = ui.t;
    var root = ui.clear(ui.$("incident-root"));
    if (window.WG_INCIDENT_TIMER) { clearInterval(window.WG_INCIDENT_TIMER); window.WG_INCIDENT_TIMER = null; }
    function counts(h) {
      return [[t("inc_need_n"), h.need], [t("inc_called"), h.called], [t("inc_ack"), h.acknowledged],
              [t("inc_arrived"), h.arrived], [t("inc_declined"), h.declined],
              [t("inc_short"), h.met ? t("inc_met") : h.short_by]];
    }
    function headcount(h) {
      var box = el("div", null, "headcount");
      counts(h).forEach(function (c) {
        var b = el("div", null, "count");
        b.appendChild(el("strong", c[1]));
        b.appendChild(el("span", c[0]));
        box.appendChild(b);
      });
      return box;
    }
    if (arg) {
      var back = el("a", t("inc_back"));
      back.href = "#incident";
      root.appendChild(el("p")).appendChild(back);
      var box = el("div");
      root.appendChild(box);
      var load = function () {
        if (location.hash !== "#incident/" + arg) { clearInterval(window.WG_INCIDENT_TIMER); return; }
        ui.api("GET", "/api/v1/incidents/" + encodeURIComponent(arg)).then(function (r) {
          ui.clear(box);
          if (r.status !== 200) { box.appendChild(ui.errorBox(r)); return; }
          var x = r.json;
          box.appendChild(el("h2", "#" + x.id + " " + x.title));
          box.appendChild(el("p", x.grid + " · " + x.created_at + " · " + t(x.status === "open" ? "inc_status_open" : "inc_status_closed"), "muted"));
          box.appendChild(headcount(x.headcount));
          if (x.summary) box.appendChild(el("p", x.summary));
          box.appendChild(el("h2", t("inc_responders")));
          var wrap = el("div", null, "table-wrap"), tb = el("table"), body = el("tbody");
          x.responders.forEach(function (p) {
            var tr = el("tr");
            [p.name, t(p.kind === "staff" ? "inc_staff" : "inc_member"), p.phone, Math.round(p.distance_m) + " m", t("st_" + p.status)]
              .forEach(function (c) { tr.appendChild(el("td", c)); });
            var act = el("td");
            if (x.status === "open") {
              ["acknowledged", "arrived", "declined"].forEach(function (s) {
                if (p.status === s) return;
                var b = el("button", t("st_" + s));
                b.type = "button";
                b.addEventListener("click", function () {
                  ui.api("POST", "/api/v1/incidents/" + x.id + "/responses", { kind: p.kind, id: p.id, status: s }).then(load);
                });
                act.appendChild(b);
              });
            }
            tr.appendChild(act);
            body.appendChild(tr);
          });
          tb.appendChild(body);
          wrap.appendChild(tb);
          box.appendChild(wrap);
          if (x.status === "open") {
            var f = el("form", null, "bar");
            var hours = el("input");
            hours.type = "number";
            hours.step = "0.5";
            hours.placeholder = t("inc_hours");
            var sum = el("input");
            sum.placeholder = t("inc_summary");
            var sb = el("button", t("inc_close"));
            sb.type = "submit";
            var msg = el("span", null, "error");
            [hours, sum, sb, msg].forEach(function (e) { f.appendChild(e); });
            f.addEventListener("submit", function (ev) {
              ev.preventDefault();
              ui.api("POST", "/api/v1/incidents/" + x.id + "/close", { hours: Number(hours.value), summary: sum.value })
                .then(function (res) { if (res.status === 200) load(); else msg.textContent = ui.errorText(res); });
            });
            box.appendChild(f);
          }
        });
      };
      load();
      window.WG_INCIDENT_TIMER = setInterval(load, 5000);
      return;
    }
    root.appendChild(el("h2", t("inc_list")));
    var list = el("div");
    root.appendChild(list);
    ui.api("GET", "/api/v1/incidents").then(function (r) {
      if (r.status !== 200) { list.appendChild(ui.errorBox(r)); return; }
      r.json.items.slice().reverse().forEach(function (x) {
        var a = el("a", "#" + x.id + " " + x.title);
        a.href = "#incident/" + x.id;
        var p = el("div", null, "incident-item");
        p.appendChild(a);
        p.appendChild(el("span", " " + x.grid + " · " + t(x.status === "open" ? "inc_status_open" : "inc_status_closed"), "muted"));
        p.appendChild(headcount(x.headcount));
        list.appendChild(p);
      });
    });
    root.appendChild(el("h2", t("inc_open")));
    var f = el("form", null, "bar");
    var fields = {};
    [["title", "inc_title", "text"], ["grid", "inc_grid", "text"], ["need", "inc_need", "number"],
     ["skills", "inc_skills", "text"], ["call", "inc_call", "number"]].forEach(function (d) {
      var i = el("input");
      i.type = d[2];
      i.placeholder = t(d[1]);
      fields[d[0]] = i;
      f.appendChild(i);
    });
    var sb = el("button", t("inc_open"));
    sb.type = "submit";
    var msg = el("span", null, "error");
    f.appendChild(sb);
    f.appendChild(msg);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { title: fields.title.value, grid: fields.grid.value.trim(), need: Number(fields.need.value) };
      if (fields.skills.value.trim()) body.skills = fields.skills.value.split(/[,，\s]+/).filter(Boolean);
      if (fields.call.value) body.call = Number(fields.call.value);
      ui.api("POST", "/api/v1/incidents", body).then(function (r) {
        if (r.status === 201) location.hash = "#incident/" + r.json.id;
        else msg.textContent = ui.errorText(r);
      });
    });
    root.appendChild(f);
  }
});
