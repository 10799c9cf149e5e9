// Placeholder page: sign in (POST /api/v1/session), then the figures per
// level from /api/v1/stats; sign out with the session's CSRF token.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var names = { 1: "一级网格", 2: "二级网格", 3: "三级网格" };
  var roles = { admin: "管理员", county: "县级", township: "乡镇", community: "社区",
                "grid-worker": "网格员", member: "党员/志愿者", auditor: "审计" };
  var csrf = "";
  function text(tag, value) {
    var el = document.createElement(tag);
    el.textContent = value;
    return el;
  }
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
    });
  }
  function signedIn(me) {
    csrf = me.csrf;
    $("who-name").textContent = me.login + "（" + (roles[me.role] || me.role) + "）";
    $("who").hidden = false;
    $("sign-in").hidden = true;
    $("overview").hidden = false;
    loadStats();
  }
  function signedOut() {
    csrf = "";
    $("who").hidden = true;
    $("overview").hidden = true;
    $("sign-in").hidden = false;
  }
  function loadStats() {
    var summary = $("summary"), body = document.querySelector("#levels tbody");
    body.textContent = "";
    api("GET", "/api/v1/stats").then(function (r) {
      summary.textContent = "";
      if (r.status === 401) { signedOut(); return; }
      if (r.status !== 200) {
        var p = text("p", "无法加载统计数据：" + (r.json && r.json.error ? r.json.error.message : r.status));
        p.className = "error";
        summary.appendChild(p);
        return;
      }
      summary.appendChild(text("p", "划分方案 #" + r.json.plan + "（台账版本 " + r.json.ledger_version + "）"));
      r.json.levels.forEach(function (l) {
        var tr = document.createElement("tr");
        tr.appendChild(text("td", names[l.level] || ("第" + l.level + "级")));
        tr.appendChild(text("td", String(l.grids)));
        tr.appendChild(text("td", String(l.households)));
        tr.appendChild(text("td", String(l.residents)));
        body.appendChild(tr);
      });
    }, function () { summary.textContent = "网络错误，无法连接服务器。"; });
  }
  $("sign-in").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("sign-in-error").textContent = "";
    api("POST", "/api/v1/session", { login: $("login").value, password: $("password").value })
      .then(function (r) {
        $("password").value = "";
        if (r.status === 201) { signedIn(r.json); return; }
        $("sign-in-error").textContent = r.json && r.json.error ? r.json.error.message : "登录失败";
      }, function () { $("sign-in-error").textContent = "网络错误，无法连接服务器。"; });
  });
  $("sign-out").addEventListener("click", function () {
    api("DELETE", "/api/v1/session").then(signedOut, signedOut);
  });
  api("GET", "/api/v1/session").then(function (r) {
    if (r.status === 200) signedIn(r.json); else signedOut();
  }, signedOut);
})();
