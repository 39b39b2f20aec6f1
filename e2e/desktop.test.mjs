// End to end in the real Incident Bridge window (Tauri + WebKitGTK under
// Xvfb, driven through tauri-driver and WebKitWebDriver): add and test a
// ServiceNow connection against a fake instance, record and file an
// incident, write and publish an RCA to a fake Confluence, and complete an
// OAuth sign-in against the real authorization server, and see a connection
// and an incident added by the `ibridge` CLI appear in the open window.
// Screenshots of each main screen go to e2e/screenshots/.
//
// Needs: target/debug/incident-bridge built with the UI embedded
// (`cargo build -p incident-bridge --features custom-protocol` after
// `npm run build`), target/debug/fake-services, target/debug/ibridge, tests/oauth-server
// installed, tauri-driver, WebKitWebDriver and Xvfb. scripts/test.sh
// prepares all of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, sleep } from "./webdriver.mjs";
import { freePort, start, stopAll, waitForHttp } from "./processes.mjs";
import { signIn } from "./signin.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const app = path.join(root, "target/debug/incident-bridge");
const cli = path.join(root, "target/debug/ibridge");
const shots = path.join(root, "e2e/screenshots");
let session;
let fakeUrl;
let oauthUrl;
let dataDir;

/** Runs the ibridge CLI on the app's data directory, as a second process. */
function ibridge(args, input = "") {
  return execFileSync(cli, ["--data-dir", dataDir, ...args], {
    input,
    env: { ...process.env, IBRIDGE_KEYCHAIN: "off" },
    encoding: "utf8",
  });
}

async function shot(name) {
  mkdirSync(shots, { recursive: true });
  writeFileSync(path.join(shots, `${name}.png`), await session.screenshot());
}

before(async () => {
  for (const needed of [app, cli, path.join(root, "target/debug/fake-services")]) {
    assert.ok(existsSync(needed), `${needed} is missing: run scripts/test.sh (it builds it)`);
  }
  const display = `:${90 + Math.floor(Math.random() * 9)}`;
  await start("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
  await sleep(500);
  const fake = await start(path.join(root, "target/debug/fake-services"), [], { ready: /ready (\S+)/ });
  fakeUrl = fake.match[1];
  const oauthPort = await freePort();
  await start("node", ["server.js", String(oauthPort)], { cwd: path.join(root, "tests/oauth-server"), ready: /ready (\S+)/ });
  oauthUrl = `http://127.0.0.1:${oauthPort}`;
  const driverPort = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), "ibridge-e2e-"));
  await start("tauri-driver", ["--port", String(driverPort)], {
    env: { DISPLAY: display, IBRIDGE_DATA_DIR: dataDir, IBRIDGE_KEYCHAIN: "off", BROWSER: "true" },
  });
  await waitForHttp(`http://127.0.0.1:${driverPort}/status`);
  session = await Session.start(`http://127.0.0.1:${driverPort}`, app);
});

after(async () => {
  if (session) await session.close();
  stopAll();
});

test("the app opens on Settings → Integrations", async () => {
  await session.waitFor("#integrations-title", { text: "Integrations" });
  await session.waitFor('[data-provider="servicenow"]', { text: "No ServiceNow connection yet" });
  await shot("01-integrations-empty");
});

test("add a ServiceNow connection and test it", async () => {
  await session.click('[data-action="add-servicenow"]');
  // Inline validation before anything is sent.
  await session.click('form[aria-label="Add servicenow connection"] button[type="submit"]');
  await session.waitFor('[data-provider="servicenow"] .field-error', { text: "Give the connection a name." });
  await session.type("#servicenow-name", "sn");
  await session.type("#servicenow-url", fakeUrl);
  await session.type("#servicenow-username", "svc.bridge");
  await session.type("#servicenow-secret", "e2e-password");
  await session.click('form[aria-label="Add servicenow connection"] button[type="submit"]');
  await session.waitFor('[data-connection="sn"] [data-status="connected"]');
  await session.click('[data-connection="sn"] [data-action="test"]');
  await session.waitFor('[data-connection="sn"] [data-testid="test-result"]', { text: "as Bridge Service (svc.bridge)" });
  await shot("02-integrations-servicenow");
});

test("record an incident and file it in ServiceNow", async () => {
  await session.click('[data-screen="incidents"]');
  await session.click('[data-action="new-incident"]');
  await session.type("#incident-title", "Checkout returns 500");
  await session.select("#incident-severity", "P1");
  await session.type("#incident-description", "Errors on **pay** since 10:02");
  await session.click('form[aria-label="New incident"] button[type="submit"]');
  await session.waitFor("#incident-heading", { text: "Checkout returns 500" });
  await session.click('[data-action="file-sn"]');
  const key = await session.waitFor('[data-testid="external-key"]', { text: /^INC\d+/ });
  assert.match(await session.text(key), /^INC\d{7}$/);
  await shot("03-incident-filed");
});

test("write an RCA and publish it to Confluence", async () => {
  await session.click('[data-screen="integrations"]');
  await session.click('[data-action="add-confluence"]');
  await session.type("#confluence-name", "wiki");
  await session.type("#confluence-url", fakeUrl);
  await session.type("#confluence-username", "ana@fake.example");
  await session.type("#confluence-secret", "e2e-token");
  await session.type("#confluence-space", "OPS");
  await session.click('form[aria-label="Add confluence connection"] button[type="submit"]');
  await session.waitFor('[data-connection="wiki"]');

  await session.click('[data-screen="documents"]');
  await session.type('input[aria-label="Title of the new document"]', "RCA: checkout 500s");
  await session.click('[data-action="new-document"]');
  await session.waitFor('[data-testid="preview"] h2', { text: "Summary" });
  await shot("04-rca-editor");
  await session.click('[data-action="publish"]');
  const link = await session.waitFor('[data-testid="published-page"]', { text: "version 1" });
  assert.match(await session.text(link), /RCA: checkout 500s/);
  // Publishing again updates the same page.
  await session.click('[data-action="publish"]');
  await session.waitFor('[data-testid="published-page"]', { text: "version 2" });
  await shot("05-rca-published");
});

test("connect with OAuth against the real authorization server", async () => {
  await session.click('[data-screen="integrations"]');
  await session.click('[data-action="add-azure_devops"]');
  await session.select("#azure_devops-auth", "oauth2");
  await session.type("#azure_devops-name", "ado");
  await session.type("#azure_devops-url", "https://dev.azure.com/acme");
  await session.type("#azure_devops-clientId", "ibridge-public");
  await session.type("#azure_devops-project", "Ops");
  await session.click('form[aria-label="Add azure_devops connection"] summary');
  await session.type("#azure_devops-authUrl", `${oauthUrl}/auth`);
  await session.type("#azure_devops-tokenUrl", `${oauthUrl}/token`);
  await session.click('form[aria-label="Add azure_devops connection"] button[type="submit"]');
  await session.waitFor('[data-connection="ado"] [data-status="needs_reconnect"]');
  await session.click('[data-connection="ado"] [data-action="connect"]');
  await session.waitFor('[data-testid="authorization-url-text"]');
  const authorizationUrl = await session.value('[data-testid="authorization-url-text"]');
  assert.match(authorizationUrl, /code_challenge_method=S256/);
  await shot("06-oauth-waiting");
  const callback = await signIn(authorizationUrl);
  const page = await fetch(callback);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /connected/);
  await session.waitFor('[data-connection="ado"] [data-status="connected"]', { timeoutMs: 30000 });
  await shot("07-oauth-connected");
});

test("the smallest supported window (1024×700) still shows everything", async () => {
  await session.cmd("POST", "/window/rect", { width: 1024, height: 700 });
  await session.click('[data-screen="integrations"]');
  await session.waitFor('[data-connection="ado"] [data-action="test"]');
  await shot("09-integrations-1024x700");
  await session.click('[data-screen="documents"]');
  await session.waitFor('[data-action="new-document"]');
  await shot("10-documents-1024x700");
  await session.cmd("POST", "/window/rect", { width: 1180, height: 780 });
});

test("activity shows the outbox and a verified audit log", async () => {
  await session.click('[data-screen="activity"]');
  await session.waitFor('tr[data-state="done"]');
  await session.click('[data-action="verify-audit"]');
  await session.waitFor('[role="status"]', { text: "hash chain verified" });
  await shot("08-activity");
});

test("a connection and an incident added by the CLI appear in the open window", async () => {
  await session.click('[data-screen="integrations"]');
  await session.waitFor('[data-connection="ado"]');
  ibridge(
    ["connections", "add", "servicenow", "--name", "from-cli", "--url", fakeUrl, "--auth", "basic", "--username", "svc.bridge", "--secret-stdin"],
    "cli-password\n",
  );
  await session.waitFor('[data-connection="from-cli"] [data-status="connected"]');
  await session.click('[data-screen="incidents"]');
  await session.waitFor("#incidents-title");
  ibridge(["incident", "create", "--title", "Raised from a terminal", "--severity", "P3"]);
  await session.waitFor(".items", { text: /Raised from a terminal/ });
});
