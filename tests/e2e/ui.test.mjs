// ui.test.mjs — the web UI end to end in Debian's headless Chromium, driven
// by playwright-core (web/node_modules). Run by tests/cli/e2e_ui.sh, which
// builds the demo database, starts `wangge serve` and passes:
//   WG_URL         the server's base URL (http://127.0.0.1:PORT/)
//   WG_SHOTS       directory for the screenshots
//   WG_CHROMIUM    the browser (default /usr/bin/chromium)
//   WG_TAP_START   number of TAP lines already printed by the wrapper
// Prints one TAP line per check ("ok N - …" / "not ok N - …" with "#" detail
// lines); exits 1 when any check failed, 2 when the run could not go on.
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../web/package.json"));
const { chromium } = require("playwright-core");

const BASE = process.env.WG_URL;
const SHOTS = process.env.WG_SHOTS || path.resolve("screenshots");
const BROWSER = process.env.WG_CHROMIUM || "/usr/bin/chromium";
const PASSWORD = "wangge-demo-2026";
const WORKER_GRID = "1411271000070101"; // the demo's gridworker (binhe community)
const OTHER_COMMUNITY = "141127100001"; // 北关社区: outside the worker's scope
let n = Number(process.env.WG_TAP_START || 0);
let failed = 0;

function ok(desc) { n++; console.log(`ok ${n} - ${desc}`); }
function notOk(desc, ...detail) {
  n++; failed++;
  console.log(`not ok ${n} - ${desc}`);
  for (const d of detail) for (const line of String(d).split("\n")) console.log(`#   ${line}`);
}
async function check(desc, fn) {
  try {
    const r = await fn();
    if (r === true || r === undefined) ok(desc);
    else notOk(desc, typeof r === "string" ? r : JSON.stringify(r));
  } catch (e) {
    notOk(desc, e && e.stack ? e.stack.split("\n").slice(0, 4).join("\n") : e);
  }
}

// A small API client for the ground truth (cookies kept by hand).
async function apiSession(login) {
  const res = await fetch(new URL("/api/v1/session", BASE), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  if (res.status !== 201) throw new Error(`sign-in ${login}: ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return async (p) => {
    const r = await fetch(new URL(p, BASE), { headers: { Cookie: cookie } });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
}

// Masked as the server does: the region's first four digits (1411 for a
// Lüliang native, others for people born elsewhere), ten stars, the last four.
const MASKED = /^[1-6][0-9]{3}\*{10}[0-9X]{4}$/;
const CLEAR_ID = /(?<![0-9])[0-9]{17}[0-9X](?![0-9])/;

async function main() {
  if (!BASE) { console.log("Bail out! WG_URL not set"); process.exit(2); }
  mkdirSync(SHOTS, { recursive: true });

  const admin = await apiSession("admin");
  const worker = await apiSession("gridworker");
  const truth3 = await worker("/api/v1/grids?level=3&format=geojson");
  const workerCodes = truth3.json.features.filter((f) => f.geometry).map((f) => f.id).sort();
  const all3 = await admin("/api/v1/grids?level=3&format=geojson&limit=5000");
  const foreignGrid = all3.json.features.map((f) => f.id).find((c) => !c.startsWith(WORKER_GRID));
  const foreign = await admin(`/api/v1/residents?community=${OTHER_COMMUNITY}&limit=1`);
  const foreignId = foreign.json.items[0].id;
  await check("ground truth: the worker sees some level-3 grids, not all, and a foreign resident is 403 in the API",
    async () => workerCodes.length > 0 && workerCodes.length < all3.json.features.length && !!foreignGrid &&
      (await worker(`/api/v1/residents/${foreignId}`)).status === 403 ||
      `worker ${workerCodes.length}, all ${all3.json.features.length}, foreign ${foreignGrid}`);

  const profile = mkdtempSync(path.join(tmpdir(), "wg-e2e-profile-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSER,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 820 },
    locale: "zh-CN",
  });
  const problems = [];   // CSP violations, script errors, failed requests
  const offsite = [];    // any request not to the wangge server
  const watch = (page) => {
    // Failed loads are judged by the response listener, which knows the URL.
    page.on("console", (m) => { if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`); });
    page.on("response", (r) => {
      const u = new URL(r.url()), s = r.status();
      const expected = (s === 401 && u.pathname === "/api/v1/session") ||
        (s === 403 && (u.pathname === `/api/v1/residents/${foreignId}` || u.pathname === `/api/v1/grids/${foreignGrid}`));
      if (s >= 400 && !expected) problems.push(`HTTP ${s} ${u.pathname}${u.search}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("request", (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith("data:")) offsite.push(r.url()); });
  };
  try {
    const page = browser.pages()[0] || await browser.newPage();
    watch(page);
    page.setDefaultTimeout(15000);
    await page.goto(BASE);

    await check("sign-in page is shown in Chinese", async () => {
      await page.locator("#sign-in").waitFor({ state: "visible" });
      const h = await page.locator("#sign-in h2").textContent();
      return h === "登录" || `heading ${h}`;
    });

    await check("grid worker signs in and lands on the map", async () => {
      await page.fill("#login", "gridworker");
      await page.fill("#password", PASSWORD);
      await page.click("#sign-in button[type=submit]");
      await page.locator("#page-map").waitFor({ state: "visible" });
      await page.locator("#map-status[data-count]").waitFor();
      const who = await page.locator("#who-name").textContent();
      return who.includes("gridworker") && who.includes("网格员") || `who: ${who}`;
    });

    let drawn = [];
    await check("level-3 map draws exactly the worker's grids (as the API answers for that user)", async () => {
      await page.selectOption("#map-level", "3");
      await page.waitForFunction((want) => document.querySelector("#map-status").dataset.count === String(want) &&
        document.querySelectorAll("path.wg-grid[data-code]").length === want, workerCodes.length);
      drawn = (await page.locator("path.wg-grid").evaluateAll((ps) => ps.map((p) => p.getAttribute("data-code")))).sort();
      return JSON.stringify(drawn) === JSON.stringify(workerCodes) || `drawn ${drawn.join(",")} want ${workerCodes.join(",")}`;
    });
    await check(`another grid (${foreignGrid}) is not on the map`, async () =>
      (await page.locator(`path.wg-grid[data-code="${foreignGrid}"]`).count()) === 0 &&
      !(await page.locator("#map").innerHTML()).includes(foreignGrid) || "foreign grid drawn");
    await check("every drawn grid is coloured (legend of households present)", async () => {
      const fills = await page.locator("path.wg-grid").evaluateAll((ps) => ps.map((p) => p.getAttribute("fill")));
      const legend = await page.locator(".legend").textContent();
      return fills.every((f) => /^#[0-9a-f]{6}$/i.test(f)) && legend.includes("户数") || `fills ${fills} legend ${legend}`;
    });
    await check("colouring by the rule check: each grid's colour matches its violation from the API", async () => {
      const grids = (await worker("/api/v1/grids?level=" + (await page.locator("#map-level").inputValue()) + "&limit=1000")).json.items;
      const want = {};
      grids.forEach((g) => { want[g.code] = !g.violation ? "ok" : g.violation_forced ? "forced" : "avoidable"; });
      await page.selectOption("#map-colour", "rules");
      const cols = { ok: "#74c476", forced: "#fdae6b", avoidable: "#de2d26" };
      const got = await page.locator("path.wg-grid").evaluateAll((ps) => ps.map((p) =>
        [p.getAttribute("data-code"), p.getAttribute("data-rule"), p.getAttribute("fill")]));
      const legend = await page.locator(".legend").textContent();
      await page.selectOption("#map-colour", "households");
      const bad = got.filter(([c, rule, fill]) => want[c] !== rule || cols[rule] !== fill);
      return got.length > 0 && bad.length === 0 && legend.includes("规则") || `bad ${JSON.stringify(bad.slice(0, 3))} legend ${legend}`;
    });

    await check("clicking a grid opens its card with code, level, households, residents, parent", async () => {
      const code = drawn[0];
      const card = (await worker(`/api/v1/grids/${code}`)).json;
      // Click inside the polygon: the centre of the path's bounding box may
      // fall outside a concave grid, so ask the browser for a point inside.
      const pt = await page.locator(`path.wg-grid[data-code="${code}"]`).evaluate((p) => {
        const b = p.getBBox(), svg = p.ownerSVGElement, m = p.getScreenCTM();
        for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
          const q = svg.createSVGPoint(); q.x = b.x + b.width * i / 12; q.y = b.y + b.height * j / 12;
          if (p.isPointInFill(q)) { const s = q.matrixTransform(m); if (document.elementFromPoint(s.x, s.y) === p) return { x: s.x, y: s.y }; }
        }
        return null;
      });
      if (!pt) return "no clickable point inside the grid";
      await page.mouse.click(pt.x, pt.y);
      await page.locator(`#card[data-code="${code}"] dd[data-field=households]`).waitFor();
      const get = async (f) => (await page.locator(`#card dd[data-field=${f}]`).textContent()).trim();
      const got = { code: await get("code"), level: await get("level"), households: await get("households"),
                    residents: await get("residents"), parent: await get("parent") };
      const want = { code, level: "三级网格", households: String(card.households), residents: String(card.residents), parent: card.parent };
      return JSON.stringify(got) === JSON.stringify(want) || `card ${JSON.stringify(got)} want ${JSON.stringify(want)}`;
    });

    await check("the open grid's buildings are drawn on the map, as the API lists them", async () => {
      const code = drawn[0];
      const want = (await worker(`/api/v1/buildings?grid=${code}&limit=1000`)).json.items.map((b) => String(b.id)).sort();
      await page.locator(`#card[data-code="${code}"][data-buildings]`).waitFor();
      const got = (await page.locator("path.wg-building").evaluateAll((ps) => ps.map((p) => p.getAttribute("data-building")))).sort();
      return want.length > 0 && JSON.stringify(got) === JSON.stringify(want) || `drawn ${got.length} want ${want.length}`;
    });

    await check("grid code search opens the worker's level-2 grid card; a foreign code is refused (403)", async () => {
      await page.fill("#grid-code", WORKER_GRID);
      await page.click("#grid-search button");
      await page.locator(`#card[data-code="${WORKER_GRID}"]`).waitFor();
      await page.fill("#grid-code", foreignGrid);
      await page.click("#grid-search button");
      await page.locator("#card .error[data-status='403']").waitFor();
      const txt = await page.locator("#card").textContent();
      return txt.includes("403") || txt;
    });
    // Back to a clean level-3 view with a card open for the screenshot.
    await page.fill("#grid-code", drawn[0]);
    await page.click("#grid-search button");
    await page.locator(`#card[data-code="${drawn[0]}"]`).waitFor();
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SHOTS, "map.png") });

    await check("dashboard: figures per level and an ECharts bar chart", async () => {
      await page.click("nav a[data-page=dashboard]");
      await page.locator("#chart canvas").waitFor();
      const stats = (await worker("/api/v1/stats")).json;
      await page.waitForFunction((k) => document.querySelectorAll("#levels tbody tr").length === k, stats.levels.length);
      const cells = await page.locator("#levels tbody tr").evaluateAll((rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
      const want = stats.levels.map((l) => [["一级网格", "二级网格", "三级网格"][l.level - 1], String(l.grids), String(l.households), String(l.residents)]);
      await page.waitForTimeout(800); // the chart's entry animation
      await page.screenshot({ path: path.join(SHOTS, "dashboard.png"), fullPage: true });
      return JSON.stringify(cells) === JSON.stringify(want) || `table ${JSON.stringify(cells)} want ${JSON.stringify(want)}`;
    });

    let firstId = null;
    await check("ledger: residents of the worker's grid, names with masked ID numbers only", async () => {
      await page.click("nav a[data-page=ledger]");
      await page.fill("#f-grid", WORKER_GRID);
      await page.click("#ledger-search button[type=submit]");
      await page.waitForFunction(() => document.querySelectorAll("#residents tbody tr").length > 0 &&
        /第|–/.test(document.querySelector("#ledger-status").textContent));
      const rows = await page.locator("#residents tbody tr").evaluateAll((rs) => rs.map((r) => ({
        id: r.dataset.id, name: r.cells[0].textContent, idno: r.cells[2].textContent })));
      firstId = rows[0].id;
      if (!rows.some((r) => r.idno.startsWith("1411"))) return "no Lan County (1411…) ID number in the list";
      const bad = rows.filter((r) => !MASKED.test(r.idno) || !r.name.includes("*"));
      const body = await page.locator("body").innerText();
      if (CLEAR_ID.test(body)) return `an 18-digit ID number is on the page: ${body.match(CLEAR_ID)[0]}`;
      const shot = await page.screenshot({ path: path.join(SHOTS, "ledger.png") });
      return rows.length > 0 && bad.length === 0 && shot.length > 0 || `rows ${rows.length}, unmasked ${JSON.stringify(bad.slice(0, 3))}`;
    });

    await check("ledger: search by address words finds only residents at that address", async () => {
      const addr = (await page.locator("#residents tbody tr td:nth-child(5)").first().textContent()).trim();
      const words = addr.split(/\s+/).slice(-2); // building … room
      await page.fill("#f-address", words.join(" "));
      await page.click("#ledger-search button[type=submit]");
      await page.waitForFunction((w) => {
        const rs = [...document.querySelectorAll("#residents tbody tr")];
        return rs.length > 0 && rs.every((r) => w.every((x) => r.cells[4].textContent.includes(x)));
      }, words, { timeout: 10000 });
      const n = await page.locator("#residents tbody tr").count();
      await page.fill("#f-address", "");
      return n > 0 || "no rows";
    });

    await check("clicking a resident shows the masked record and its history", async () => {
      await page.locator(`#residents tbody tr[data-id="${firstId}"] td:nth-child(3)`).click();
      await page.locator(`#resident[data-id="${firstId}"] table.history tbody tr`).first().waitFor();
      const idno = (await page.locator("#resident dd[data-field=id_number]").textContent()).trim();
      const body = await page.locator("body").innerText();
      return MASKED.test(idno) && !CLEAR_ID.test(body) || `id ${idno}`;
    });

    await check(`a resident of another grid (id ${foreignId}) is refused: 403 shown, no data`, async () => {
      await page.click("a[href='#ledger'][data-i18n=back]");
      await page.fill("#r-id", String(foreignId));
      await page.click("#resident-open button");
      await page.locator("#resident .error[data-status='403']").waitFor();
      const txt = await page.locator("#resident").textContent();
      const name = foreign.json.items[0].name;
      return txt.includes("403") && !txt.includes(name) || `shown: ${txt}`;
    });

    await check("English switch relabels the UI", async () => {
      await page.click("#lang");
      const nav = await page.locator("nav a[data-page=map]").textContent();
      await page.click("#lang");
      const back = await page.locator("nav a[data-page=map]").textContent();
      return nav === "Grid map" && back === "网格地图" || `${nav} / ${back}`;
    });

    await check("sign out: back to the sign-in form, the session is gone", async () => {
      await page.click("#sign-out");
      await page.locator("#sign-in").waitFor({ state: "visible" });
      const s = await page.evaluate(() => fetch("/api/v1/session").then((r) => r.status));
      const mapHidden = await page.locator("#page-map").isHidden();
      return s === 401 && mapHidden || `session ${s}, map hidden ${mapHidden}`;
    });

    await check("the county office sees every level-3 grid of the county on its map", async () => {
      const county = await browser.newPage();
      watch(county);
      await county.setViewportSize({ width: 1100, height: 700 });
      await county.goto(BASE);
      await county.fill("#login", "county");
      await county.fill("#password", PASSWORD);
      await county.click("#sign-in button[type=submit]");
      await county.locator("#map-status[data-count]").waitFor();
      await county.selectOption("#map-level", "3");
      const want = all3.json.features.filter((f) => f.geometry).length;
      await county.waitForFunction((k) => document.querySelectorAll("path.wg-grid[data-code]").length === k, want);
      const first = all3.json.features[0].id;
      await county.fill("#grid-code", first);
      await county.click("#grid-search button");
      await county.locator(`#card[data-code="${first}"]`).waitFor();
      await county.waitForTimeout(400);
      await county.screenshot({ path: path.join(SHOTS, "map-county.png") });
      /* The plans page: the demo has one plan, active, with nothing to
       * compare or activate; the table lists it. */
      await county.goto(BASE + "#plans");
      await county.locator("#plans tbody tr").first().waitFor();
      const rows = await county.locator("#plans tbody tr").count();
      if (rows < 1) throw new Error(`plans page lists ${rows} plans`);
      const status = await county.locator("#plans tbody tr td:nth-child(2)").first().textContent();
      if (!/使用中|active/.test(status)) throw new Error(`first plan's status shows ${status}`);
      await county.click("#sign-out");
      await county.locator("#sign-in").waitFor({ state: "visible" });
      await county.close();
    });

    await check("on a phone-sized screen the map page fits the width (no sideways scrolling)", async () => {
      const phone = await browser.newPage();
      watch(phone);
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(BASE);
      await phone.fill("#login", "gridworker");
      await phone.fill("#password", PASSWORD);
      await phone.click("#sign-in button[type=submit]");
      await phone.locator("#map-status[data-count]").waitFor();
      await phone.waitForTimeout(300);
      await phone.screenshot({ path: path.join(SHOTS, "map-phone.png") });
      const w = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      await phone.click("#sign-out");
      await phone.locator("#sign-in").waitFor({ state: "visible" });
      await phone.close();
      return w[0] <= w[1] || `scrollWidth ${w[0]} > ${w[1]}`;
    });

    await check("matters: the grid worker's queue on a phone is the API's, overdue rows in red; a report with the device's location is routed to the worker's grid", async () => {
      const api = await apiSession("gridworker");
      const q = await api("/api/v1/matters?queue=mine&open=true&limit=200");
      await browser.grantPermissions(["geolocation"], { origin: new URL(BASE).origin });
      const phone = await browser.newPage();
      watch(phone);
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(BASE);
      await phone.fill("#login", "gridworker");
      await phone.fill("#password", PASSWORD);
      await phone.click("#sign-in button[type=submit]");
      await phone.locator("#map-status[data-count]").waitFor();
      await phone.goto(BASE + "#matters");
      await phone.locator("#mq-status[data-total]").waitFor();
      const total = Number(await phone.getAttribute("#mq-status", "data-total"));
      const red = await phone.locator("#matters-table tr.overdue").count();
      const wantRed = q.json.items.filter((m) => m.overdue).length;
      // a point inside the worker's level-3 grid: the centre of its first building
      const g = await api(`/api/v1/grids/${workerCodes[0]}`);
      const b = g.json.bbox;
      await browser.setGeolocation({ longitude: (b[0] + b[2]) / 2, latitude: (b[1] + b[3]) / 2 });
      await phone.goto(BASE + "#matters/new");
      await phone.locator("#mf-category option").first().waitFor({ state: "attached" });
      await phone.selectOption("#mf-category", "facility");
      await phone.fill("#mf-title", "路灯不亮（端到端测试）");
      await phone.click("#mf-here");
      await phone.waitForFunction(() => document.querySelector("#mf-lon").value !== "");
      await phone.click("#matter-form button[type=submit]");
      await phone.locator("#mf-status[data-id]").waitFor();
      const id = await phone.getAttribute("#mf-status", "data-id");
      const m = await api(`/api/v1/matters/${id}`);
      const w = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      await phone.click("#sign-out");
      await phone.close();
      if (total !== q.json.total) return `queue ${total}, API ${q.json.total}`;
      if (red !== wantRed) return `${red} red rows, ${wantRed} overdue`;
      if (m.status !== 200 || !m.json.grids.includes(workerCodes[0]) && !m.json.grids.some((c) => c && workerCodes[0].startsWith(c)))
        return `matter ${id}: ${m.status} ${JSON.stringify(m.json && m.json.grids)}`;
      return w[0] <= w[1] || `scrollWidth ${w[0]} > ${w[1]}`;
    });


    await check("open matters on the map: the worker's located open matters as dots, overdue ones red", async () => {
      const api = await apiSession("gridworker");
      const items = (await api("/api/v1/matters?queue=all&open=true&limit=1000")).json.items
        .filter((m) => m.lon !== null && m.lat !== null);
      const w = await browser.newPage();
      watch(w);
      await w.setViewportSize({ width: 1100, height: 700 });
      await w.goto(BASE);
      await w.fill("#login", "gridworker");
      await w.fill("#password", PASSWORD);
      await w.click("#sign-in button[type=submit]");
      await w.locator("#map-status[data-count]").waitFor();
      await w.check("#map-matters");
      await w.waitForFunction((n) => document.querySelector("#map").dataset.matters === String(n), items.length, { timeout: 10000 });
      const got = await w.locator("path.wg-matter").evaluateAll((ps) => ps.map((p) =>
        [p.getAttribute("data-matter"), p.getAttribute("data-overdue") === "1", p.getAttribute("fill")]));
      await w.click("#sign-out");
      await w.close();
      const want = new Map(items.map((m) => [String(m.id), !!m.overdue]));
      const bad = got.filter(([id, od, fill]) => want.get(id) !== od || fill !== (od ? "#dc2626" : "#f59e0b"));
      return items.length > 0 && got.length === items.length && bad.length === 0 ||
        `drawn ${got.length} want ${items.length}, bad ${JSON.stringify(bad.slice(0, 3))}`;
    });
    await check("organisation: the worker's grid card names its worker, Party organisation and members", async () => {
      const w = await browser.newPage();
      watch(w);
      await w.setViewportSize({ width: 1100, height: 700 });
      await w.goto(BASE);
      await w.fill("#login", "gridworker");
      await w.fill("#password", PASSWORD);
      await w.click("#sign-in button[type=submit]");
      await w.locator("#map-status[data-count]").waitFor();
      await w.fill("#grid-code", WORKER_GRID);
      await w.click("#grid-search button");
      await w.locator(`#card[data-code="${WORKER_GRID}"] dd[data-field=workers] li`).first().waitFor();
      const workers = await w.locator("#card dd[data-field=workers]").textContent();
      const party = await w.locator("#card dd[data-field=party]").textContent();
      const members = await w.locator("#card dd[data-field=members]").textContent();
      await w.screenshot({ path: path.join(SHOTS, "card-org.png") });
      await w.click("#sign-out");
      await w.locator("#sign-in").waitFor({ state: "visible" });
      await w.close();
      return (/\*{4}/.test(workers) && /党小组|党员中心户/.test(party) && /党员 \d+ 人/.test(members)) ||
        `workers ${workers} / party ${party} / members ${members}`;
    });

    await check("my visits today on a phone: due households listed, a visit recorded, no sideways scrolling", async () => {
      const phone = await browser.newPage();
      watch(phone);
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(BASE);
      await phone.fill("#login", "gridworker");
      await phone.fill("#password", PASSWORD);
      await phone.click("#sign-in button[type=submit]");
      await phone.locator("#map-status[data-count]").waitFor();
      await phone.goto(BASE + "#visits");
      await phone.locator("#vis-due li button").first().waitFor();
      const before = await phone.locator("#vis-done li").count();
      await phone.locator("#vis-due li button").first().click();
      await phone.fill("#visits-root form.visit-form textarea", "老人身体尚可");
      await phone.locator("#visits-root form.visit-form button[type=submit]").click();
      await phone.locator("#vis-due li.visited").first().waitFor();
      await phone.waitForFunction((k) => document.getElementById("vis-done").children.length > k, before);
      await phone.screenshot({ path: path.join(SHOTS, "visits-phone.png"), fullPage: false });
      const w = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      await phone.click("#sign-out");
      await phone.locator("#sign-in").waitFor({ state: "visible" });
      await phone.close();
      return w[0] <= w[1] || `scrollWidth ${w[0]} > ${w[1]}`;
    });

    await check("mobilisation: the county sees the closed flood call with its head-count and responders", async () => {
      const c = await browser.newPage();
      watch(c);
      await c.setViewportSize({ width: 1100, height: 800 });
      await c.goto(BASE);
      await c.fill("#login", "county");
      await c.fill("#password", PASSWORD);
      await c.click("#sign-in button[type=submit]");
      await c.locator("#map-status[data-count]").waitFor();
      await c.goto(BASE + "#incident");
      await c.locator("#incident-root .incident-item a").first().click();
      await c.locator("#incident-root table tr").first().waitFor();
      const arrived = await c.locator("#incident-root .headcount .count").nth(3).locator("strong").textContent();
      const rows = await c.locator("#incident-root table tr").count();
      await c.screenshot({ path: path.join(SHOTS, "incident.png") });
      await c.goto(BASE + "#org");
      await c.locator("#org-root table tbody tr").first().waitFor();
      await c.screenshot({ path: path.join(SHOTS, "org.png") });
      await c.click("#sign-out");
      await c.locator("#sign-in").waitFor({ state: "visible" });
      await c.close();
      return (Number(arrived) > 0 && rows >= Number(arrived)) || `arrived ${arrived}, rows ${rows}`;
    });

    await check("campaigns on a phone: the grid worker's not-done list, a stage button marks an item", async () => {
      const phone = await browser.newPage();
      watch(phone);
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.context().clearCookies();
      await phone.goto(BASE + "#campaigns");
      await phone.fill("#login", "gridworker");
      await phone.fill("#password", PASSWORD);
      await phone.click("#sign-in button[type=submit]");
      await phone.locator("table.campaign-list tbody tr").first().waitFor();
      const rows = await phone.locator("table.campaign-list tbody tr").count();
      // The vaccination campaign (in progress) has people left to do.
      await phone.locator("table.campaign-list a", { hasText: "疫苗" }).click();
      await phone.locator(".item-card").first().waitFor();
      const card = phone.locator(".item-card").first();
      const id = await card.getAttribute("data-id");
      const masked = await card.locator("strong").textContent();
      const button = card.locator(".stage-buttons button").first();
      const next = await button.getAttribute("data-stage");
      const marked = phone.waitForResponse((r) => r.url().includes(`/items/${id}/mark`));
      await button.click();
      const res = await marked;
      if (res.status() !== 200) return `mark: HTTP ${res.status()} ${await res.text()}`;
      await phone.locator(`.item-card[data-id="${id}"] .stage[data-stage="${next}"]`).waitFor();
      await phone.locator("table.rollup tbody tr").first().waitFor();
      await phone.waitForTimeout(300);
      await phone.screenshot({ path: path.join(SHOTS, "campaign-phone.png"), fullPage: true });
      const units = await phone.locator("table.rollup tbody tr").evaluateAll((trs) => trs.map((t) => t.dataset.code));
      const w = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      await phone.click("#sign-out");
      await phone.locator("#sign-in").waitFor({ state: "visible" });
      await phone.close();
      if (rows < 3) return `only ${rows} campaigns listed`;
      if (CLEAR_ID.test(masked)) return `clear ID number on a card: ${masked}`;
      if (!units.every((c) => c.startsWith(WORKER_GRID))) return `units outside the worker's grid: ${units.join(",")}`;
      return w[0] <= w[1] || `scrollWidth ${w[0]} > ${w[1]}`;
    });

    await check("targets: the county office sees completion and ranking (109.14%) and a report link", async () => {
      const county = await browser.newPage();
      watch(county);
      await county.context().clearCookies();
      await county.goto(BASE + "#targets");
      await county.fill("#login", "county");
      await county.fill("#password", PASSWORD);
      await county.click("#sign-in button[type=submit]");
      await county.locator("table.targets tbody tr").first().waitFor();
      const first = await county.locator("table.targets tbody tr").first().textContent();
      const behind = await county.locator("table.targets tbody tr.behind").count();
      const href = await county.locator("#tg-report-link").getAttribute("href");
      await county.waitForTimeout(300);
      await county.screenshot({ path: path.join(SHOTS, "targets.png"), fullPage: true });
      const res = await county.evaluate(async (u) => (await fetch(u)).status, href);
      await county.click("#sign-out");
      await county.locator("#sign-in").waitFor({ state: "visible" });
      await county.close();
      if (!first.includes("109.14%")) return `first row: ${first}`;
      if (behind < 1) return "no laggard highlighted";
      return res === 200 || `report download ${href}: ${res}`;
    });

    await check("no CSP violation, script error or failed request in the browser", async () =>
      problems.length === 0 || problems.slice(0, 8).join("\n"));
    await check("nothing was fetched from anywhere but the wangge server", async () =>
      offsite.length === 0 || offsite.slice(0, 8).join("\n"));
  } finally {
    await browser.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  notOk("the browser run could not go on", e && e.stack ? e.stack : e);
  process.exit(2);
});
