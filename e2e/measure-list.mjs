// Measures the incident list of the real window with 5,000 incidents (run
// on demand, not in CI): time to show the list after switching to it, time
// for a search keystroke to update it, time to scroll to the end, and the
// number of list rows in the page; once with the virtualised list and once
// with every row rendered (the baseline), side by side, as ratios.
//
// Usage: node e2e/measure-list.mjs [runs]
// Build first: npm run build && cargo build -p incident-bridge --features custom-protocol && cargo build -p ibridge-cli
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, sleep } from "./webdriver.mjs";
import { freePort, start, stopAll, waitForHttp } from "./processes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const app = path.join(root, "target/debug/incident-bridge");
const cli = path.join(root, "target/debug/ibridge");
const COUNT = 5000;
const runs = Number(process.argv[2] ?? 3);

for (const needed of [app, cli]) if (!existsSync(needed)) throw new Error(`${needed} is missing: build it first (see the usage line)`);

// One incident through the CLI (creates the store), the rest in one SQL transaction.
const data = mkdtempSync(path.join(tmpdir(), "ibridge-measure-"));
const env = { ...process.env, IBRIDGE_DATA_DIR: data, IBRIDGE_KEYCHAIN: "off" };
execFileSync(cli, ["incident", "create", "--title", "Seed incident", "--severity", "P2"], { env, stdio: "ignore" });
execFileSync("python3", [
  "-c",
  `
import sqlite3, sys, uuid, datetime
db = sqlite3.connect(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc)
rows = []
for n in range(${COUNT - 1}):
    at = (now - datetime.timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows.append((str(uuid.uuid4()), f"Incident {n}: {['checkout', 'search', 'login', 'payments', 'queue'][n % 5]} errors", "Seen at " + at, "P" + str(1 + n % 4), ["investigating", "identified", "monitoring", "resolved", "closed"][n % 5], at, at))
db.executemany("INSERT INTO incidents (id, title, description, severity, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
`,
  path.join(data, "ibridge.sqlite3"),
]);

const display = `:${80 + Math.floor(Math.random() * 9)}`;
await start("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
await sleep(500);
const port = await freePort();
await start("tauri-driver", ["--port", String(port)], { env: { DISPLAY: display, IBRIDGE_DATA_DIR: data, IBRIDGE_KEYCHAIN: "off" } });
await waitForHttp(`http://127.0.0.1:${port}/status`);
const session = await Session.start(`http://127.0.0.1:${port}`, app);

// Runs in the window: one step, timed from the action to the frame after the list shows the result.
const TIMED = `
  const [step, done] = [arguments[0], arguments[arguments.length - 1]];
  const count = () => (document.querySelector('[data-testid="incident-count"]') || {}).textContent || "";
  const untilPainted = (ready, t0) => {
    const poll = () => (ready() ? requestAnimationFrame(() => done(performance.now() - t0)) : requestAnimationFrame(poll));
    poll();
  };
  const t0 = performance.now();
  if (step === "show") {
    document.querySelector('[data-screen="incidents"]').click();
    untilPainted(() => count().startsWith("${COUNT} incidents"), t0);
  } else if (step === "search" || step === "clear") {
    const input = document.querySelector('[data-testid="incident-search"]');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    setter.call(input, step === "search" ? "payments" : "");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    untilPainted(() => (step === "search" ? count().includes(" of ") : !count().includes(" of ")), t0);
  } else if (step === "scroll") {
    const list = document.querySelector(".virtual-list");
    list.scrollTop = list.scrollHeight;
    list.dispatchEvent(new Event("scroll"));
    untilPainted(() => !!document.querySelector('[aria-posinset="${COUNT}"]'), t0);
  } else if (step === "away") {
    document.querySelector('[data-screen="activity"]').click();
    untilPainted(() => !!document.querySelector("#activity-title"), t0);
  }
`;

async function measure(mode) {
  await session.execute(`localStorage.setItem("ibridge.virtualList", "${mode}"); location.reload(); return true;`);
  await session.waitFor("#integrations-title", { timeoutMs: 30000 });
  const figures = { show: [], search: [], clear: [], scroll: [] };
  let rows = 0;
  for (let i = 0; i < runs; i += 1) {
    figures.show.push(await session.executeAsync(TIMED, ["show"]));
    rows = await session.execute("return document.querySelectorAll('.virtual-list li').length;");
    figures.search.push(await session.executeAsync(TIMED, ["search"]));
    figures.clear.push(await session.executeAsync(TIMED, ["clear"]));
    figures.scroll.push(await session.executeAsync(TIMED, ["scroll"]));
    await session.executeAsync(TIMED, ["away"]);
  }
  return { figures, rows };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const virtual = await measure("on");
  const all = await measure("off");
  console.log(`Incident list with ${COUNT} incidents, median of ${runs} runs (ms, from the action to the painted frame):`);
  console.log("step                     virtualised   every row   every row / virtualised");
  for (const step of ["show", "search", "clear", "scroll"]) {
    const v = median(virtual.figures[step]);
    const a = median(all.figures[step]);
    console.log(`${step.padEnd(24)} ${v.toFixed(1).padStart(11)} ${a.toFixed(1).padStart(11)}   ${(a / v).toFixed(1)}x`);
  }
  console.log(`${"list rows in the page".padEnd(24)} ${String(virtual.rows).padStart(11)} ${String(all.rows).padStart(11)}`);
} finally {
  await session.close();
  stopAll();
}
