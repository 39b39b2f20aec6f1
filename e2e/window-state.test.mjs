// The window comes back where the person left it, and a second start goes
// to the running window. In the real window under Xvfb (through
// tauri-driver and WebKitWebDriver): the window is moved and resized with
// WebDriver's window rect, the app is quit the way a window manager's close
// button does it (a WM_DELETE_WINDOW message; e2e/x11.py sends it), and
// started again on the same configuration directory; its window must have
// the same rect. Then a second process is started beside the running one:
// it must hand over and end without a window of its own, and the running
// window must get the input focus, which the test first took away.
//
// Needs: target/debug/incident-bridge built with the UI embedded (as for
// desktop.test.mjs; IBRIDGE_E2E_APP names another build, e.g.
// target/release/incident-bridge), tauri-driver, WebKitWebDriver, Xvfb, dbus-daemon,
// xwininfo and python3. scripts/test.sh prepares all of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, sleep } from "./webdriver.mjs";
import { freePort, start, startSessionBus, stop, stopAll, waitForHttp } from "./processes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const app = path.resolve(root, process.env.IBRIDGE_E2E_APP || "target/debug/incident-bridge");
const TITLE = "Incident Bridge";
// Where tauri-plugin-window-state keeps the rects: the app's config
// directory (the bundle identifier) under XDG_CONFIG_HOME.
const STATE_FILE = "dev.incidentbridge.desktop/.window-state.json";

const dataDir = mkdtempSync(path.join(tmpdir(), "ibridge-window-"));
const configHome = path.join(dataDir, "config");
let display;

/** The app under its own tauri-driver; the session bus is shared by every start. */
async function launch(bus) {
  const driverPort = await freePort();
  const nativePort = await freePort();
  const env = {
    DISPLAY: display,
    IBRIDGE_DATA_DIR: dataDir,
    IBRIDGE_KEYCHAIN: "off",
    BROWSER: "true",
    DBUS_SESSION_BUS_ADDRESS: bus,
    XDG_CONFIG_HOME: configHome,
  };
  const { child: driver } = await start("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort)], { env });
  await waitForHttp(`http://127.0.0.1:${driverPort}/status`);
  const session = await Session.start(`http://127.0.0.1:${driverPort}`, app, 180000);
  await session.waitFor("#integrations-title", { text: "Integrations" });
  return { session, driver, env };
}

const x = (args) => execFileSync(args[0], args.slice(1), { env: { ...process.env, DISPLAY: display }, encoding: "utf8" });

/** The top-level X windows titled "Incident Bridge", as "0x…" ids. */
function appWindows() {
  return x(["xwininfo", "-root", "-children"])
    .split("\n")
    .filter((line) => line.includes(`"${TITLE}":`))
    .map((line) => line.trim().split(/\s+/)[0]);
}

const x11 = (...args) => x(["python3", path.join(root, "e2e/x11.py"), ...args]).trim();

async function until(what, check, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await check();
    if (last) return last;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  assert.ok(existsSync(app), `${app} is missing: run scripts/test.sh (it builds it)`);
  display = `:${70 + Math.floor(Math.random() * 9)}`;
  await start("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
  await sleep(500);
});

after(() => stopAll());

test("size and position survive a clean quit and a new start; a second start focuses the running window", { timeout: 300000 }, async () => {
  const bus = await startSessionBus();
  const first = await launch(bus);
  const wanted = { x: 57, y: 33, width: 1101, height: 717 };
  await first.session.cmd("POST", "/window/rect", wanted);
  const moved = await until("the window to take the new rect", async () => {
    const rect = await first.session.cmd("GET", "/window/rect");
    return rect.x === wanted.x && rect.y === wanted.y && rect.width === wanted.width && rect.height === wanted.height && rect;
  });
  assert.deepEqual(moved, wanted);

  // The close button's message, not a kill: the app saves on a clean exit.
  const [shown] = appWindows();
  x11("close", shown);
  const stateFile = path.join(configHome, STATE_FILE);
  await until("the window state to be saved", () => existsSync(stateFile) && appWindows().length === 0);
  const saved = JSON.parse(readFileSync(stateFile, "utf8")).main;
  assert.deepEqual({ x: saved.x, y: saved.y, width: saved.width, height: saved.height }, wanted);
  await first.session.close();
  stop(first.driver);

  const again = await launch(bus);
  try {
    assert.deepEqual(await again.session.cmd("GET", "/window/rect"), wanted);

    // A second start on the same session bus: it hands over and ends, and
    // the running window takes the focus back.
    const [running] = appWindows();
    x11("unfocus");
    assert.equal(x11("focused"), "0x0");
    const second = spawnSync(app, [], { env: { ...process.env, ...again.env }, timeout: 60000, encoding: "utf8" });
    assert.equal(second.status, 0, `the second start did not hand over:\n${second.stderr}`);
    await until("the running window to take the focus", () => x11("focused") === running);
    assert.deepEqual(appWindows(), [running]);
    await again.session.waitFor("#integrations-title", { text: "Integrations" });
  } finally {
    await again.session.close();
    stop(again.driver);
  }
});
