// Drives headless Chromium over --remote-debugging-pipe (the DevTools protocol, NUL-separated JSON on
// fds 3 and 4; no npm package) against a running edgeboxd's dashboard, for test_dashboard_chromium.sh.
//   node dashboard_check.mjs CHROMIUM BASE_URL TOKEN_FILE OUT_DIR PROFILE_DIR [watch SECONDS]
// Prints one line per check, "check<TAB>0|1<TAB>name" (0: holds), and saves OUT_DIR/dashboard.png (desktop)
// and OUT_DIR/dashboard-phone.png (360 px wide). "watch" only keeps the page open, polling, for SECONDS.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const [chromium, base, tokenFile, outDir, profile, mode, watchSeconds] = process.argv.slice(2);
const token = readFileSync(tokenFile, "utf8").trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
function check(name, ok) {
  if (!ok) failures++;
  console.log(`check\t${ok ? 0 : 1}\t${name.replace(/[\t\n]/g, " ")}`);
}

const browser = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
  `--user-data-dir=${profile}`, "--remote-debugging-pipe", "about:blank"],
  { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
let nextId = 1, pending = new Map(), buffered = "";
fromBrowser.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  let end;
  while ((end = buffered.indexOf("\0")) >= 0) {
    const msg = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    const p = msg.id !== undefined && pending.get(msg.id);
    if (!p) continue;
    pending.delete(msg.id);
    msg.error ? p.reject(new Error(`${p.method}: ${msg.error.message}`)) : p.resolve(msg.result);
  }
});
function cdp(method, params = {}, sessionId = undefined) {
  const id = nextId++;
  toBrowser.write(JSON.stringify({ id, method, params, sessionId }) + "\0");
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}

let session;
const page = (method, params) => cdp(method, params, session);
async function js(expr) {
  const r = await page("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true });
  const x = r.exceptionDetails;
  if (x) throw new Error(`${expr}: ${x.exception?.description ?? x.text}`);
  return r.result.value;
}
async function until(expr, ms) { // the expression's value once truthy, or null after ms
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(100)) {
    const v = await js(expr);
    if (v) return v;
  }
  return null;
}
async function getJson(path) {
  const r = await fetch(`${base}${path}`);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}
const status = () => getJson("/api/v1/status");
const polled = () => js("Number(document.body.dataset.updated || 0)");
async function nextPoll() {
  const was = await polled();
  return until(`Number(document.body.dataset.updated || 0) > ${was}`, 5000);
}
async function viewport(width, height, mobile) {
  await page("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile });
}
async function screenshot(file, width, mobile) { // the whole page: the viewport grown to the content's height
  await viewport(width, 900, mobile);
  await nextPoll();
  const h = await js("document.documentElement.scrollHeight");
  await viewport(width, h, mobile);
  await nextPoll(); // the charts are redrawn for the new size
  const shot = await page("Page.captureScreenshot", { format: "png" });
  writeFileSync(file, Buffer.from(shot.data, "base64"));
  return h;
}

async function main() {
  const { targetId } = await cdp("Target.createTarget", { url: "about:blank" });
  session = (await cdp("Target.attachToTarget", { targetId, flatten: true })).sessionId;
  await page("Page.enable");
  // DevTools' own script, outside the page's policy: it records every violation the policy reports.
  await page("Page.addScriptToEvaluateOnNewDocument", { source: "window.__csp = []; document.addEventListener(" +
    "'securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" });
  await viewport(1280, 900, false);
  await page("Page.navigate", { url: `${base}/` });
  check("the page polls the API (body[data-updated] set within 10 s)",
    (await until("document.body && document.body.dataset.updated", 10000)) !== null);
  if (mode === "watch") {
    await sleep(Number(watchSeconds) * 1000);
    const n = await js("Number(document.body.dataset.updated)");
    check("the page was still polling at the end", Date.now() - n < 5000);
    return;
  }

  // The rendered values against /api/v1/status fetched at the same moment (read before and after: equal).
  await nextPoll();
  const before = await status();
  const shown = await js(`JSON.stringify(Object.fromEntries(["armed", "kill", "bars", "equity", "model",
    "lifecycle", "version", "lastbar", "age"].map((k) => [k, document.getElementById("v-" + k).textContent])))`).then(JSON.parse);
  const after = await status();
  const still = (s) => JSON.stringify({ ...s, uptime_seconds: 0 });
  check(`the status did not move while the page was read (bars ${before.bars}, ${after.bars})`, still(before) === still(after));
  check(`bars shown ${shown.bars} = status ${after.bars}`, shown.bars === String(after.bars));
  check(`equity shown ${shown.equity} = status ${after.equity} to the cent`, shown.equity === after.equity.toFixed(2));
  check(`armed shown ${shown.armed} = status armed ${after.armed}`, shown.armed === (after.armed ? "ARMED" : "DISARMED"));
  check(`kill switch shown ${shown.kill} = status ${after.kill_switch}`, shown.kill === after.kill_switch);
  check(`model shown ${shown.model} = status ${after.model}`, shown.model === (after.model ?? "none"));
  check(`lifecycle shown ${shown.lifecycle} = status ${after.lifecycle}`, shown.lifecycle === after.lifecycle);
  check(`version shown ${shown.version} = status ${after.version}`, shown.version === after.version);
  check(`last bar time (${shown.lastbar}) and data age (${shown.age}) shown`,
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(shown.lastbar) && /^[0-9.]+ (s|min|h|days)$/.test(shown.age));
  const trades = (await getJson("/api/v1/trades?limit=1")).trades;
  const firstTrade = await js("[...document.querySelectorAll('#t-trades tr:first-child td')].map((td) => td.textContent)");
  check(`the newest trade's price shown (${firstTrade[5]}) = /api/v1/trades ${trades[0]?.price}`,
    trades.length === 1 && firstTrade[5] === trades[0].price.toFixed(2));
  const decisions = await js("[...document.querySelectorAll('#t-decisions tr')].map((tr) => tr.children[2]?.textContent)");
  check(`decisions shown with probabilities (${decisions.length} rows, p buy ${decisions[0]})`,
    decisions.length > 1 && decisions.every((p) => /^[01]\.\d{3}$/.test(p)));
  check("the equity and drawdown charts are drawn (canvas pixels set)", await js(`["c-equity", "c-drawdown"].every((id) => {
    const c = document.getElementById(id); const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n > 500; })`));
  check(`no policy violation while loading (${await js("window.__csp.join(', ')")})`, await js("window.__csp.length === 0"));
  // The policy is in force: an inline script the page did not ship does not run.
  await js("(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s); })()");
  check("an injected inline script is refused by the policy", await js("window.__ran === undefined && window.__csp.some((v) => v.startsWith('script-src'))"));

  // Controls: no token, a wrong token (401 shown, nothing changed), the right one (disarm, then rearm).
  const click = async (id) => { await js(`document.getElementById("msg").textContent = ""; document.getElementById("${id}").click()`);
    return until(`document.getElementById("msg").textContent`, 5000); };
  const setToken = (t) => js(`document.getElementById("token").value = ${JSON.stringify(t)}; document.getElementById("tokenform").requestSubmit()`);
  check(`disarm without a token asks for one ("${await click("b-disarm")}")`, /paste the API token/.test(await js(`document.getElementById("msg").textContent`)));
  await setToken("wrong-token-00000000000000000000");
  const m401 = await click("b-disarm");
  check(`a wrong token: the 401 is shown plainly ("${m401}")`, /^401 Unauthorized/.test(m401 ?? "") &&
    (await js(`document.getElementById("msg").className`)) === "error");
  check("a wrong token changed nothing (still armed)", (await status()).armed === true);
  await setToken(token);
  check("the token is kept in sessionStorage only", await js(`sessionStorage.getItem("edgebox.token") === ${JSON.stringify(token)} && localStorage.length === 0`));
  const mDisarm = await click("b-disarm");
  const s1 = await status();
  check(`disarm with the token: "${mDisarm}", status disarmed by ${s1.disarm_reasons}`, /^disarm: 200/.test(mDisarm ?? "") &&
    s1.armed === false && s1.disarm_reasons.includes("master_switch"));
  await nextPoll();
  check("the page shows DISARMED and the reason", await js(`document.getElementById("v-armed").textContent === "DISARMED" &&
    [...document.querySelectorAll("#v-reasons li")].some((li) => li.textContent === "master_switch")`));
  const h = await screenshot(`${outDir}/dashboard-disarmed.png`, 1280, false);
  check(`desktop screenshot of the disarmed page (${h} px high)`, h > 600);
  const mRearm = await click("b-rearm");
  check(`rearm with the token: "${mRearm}", status armed again`, /^rearm: 200/.test(mRearm ?? "") && (await status()).armed === true);
  await nextPoll();

  const hd = await screenshot(`${outDir}/dashboard.png`, 1280, false);
  check(`desktop screenshot ${outDir}/dashboard.png (${hd} px high)`, hd > 600);
  const hp = await screenshot(`${outDir}/dashboard-phone.png`, 360, true);
  const wide = await js("document.documentElement.scrollWidth");
  check(`phone screenshot ${outDir}/dashboard-phone.png: 360 px wide, nothing wider (${wide} px)`, hp > 600 && wide <= 360);
}

const timer = setTimeout(() => { check("the browser answered within 45 s", false); browser.kill(); process.exit(1); }, 45000);
main().catch((e) => check(`the browser session: ${e.stack}`, false)).finally(async () => {
  clearTimeout(timer);
  await Promise.race([cdp("Browser.close").catch(() => {}), sleep(2000)]); // it may close before it answers
  browser.kill();
  process.exit(failures ? 1 : 0);
});
