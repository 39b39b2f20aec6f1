// Starting and stopping what the end-to-end run needs: a display, the
// fake services, the OAuth server, tauri-driver. Each is killed at the end.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { sleep } from "./webdriver.mjs";

const children = [];

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Starts a process; resolves with the first stdout line matching `ready`. */
export function start(command, args, { env = {}, cwd, ready, timeoutMs = 60000, stdin = "ignore" } = {}) {
  // Each in its own process group, so stopping it also stops what it
  // started (tauri-driver starts WebKitWebDriver, which starts the app).
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: [stdin, "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not become ready:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = ready && output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`));
    });
    if (!ready) {
      clearTimeout(timer);
      resolve({ child, match: null });
    }
  });
}

/** Writes `line` to the child's stdin and waits for `answer` on its stdout. */
export function tell(child, line, answer, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${answer}' after '${line}'`)), timeoutMs);
    const onData = (chunk) => {
      if (String(chunk).includes(answer)) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stdin.write(`${line}\n`);
  });
}

export async function waitForHttp(url, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

/**
 * A private D-Bus session bus; resolves with its address. The app's
 * single-instance check lives on the session bus, so each run gets its own
 * and never meets a window the developer has open.
 */
export async function startSessionBus() {
  const { match } = await start("dbus-daemon", ["--session", "--nofork", "--print-address"], { ready: /(unix:\S+)/ });
  return match[1];
}

/** Stops one child started with start() (and what it started), now. */
export function stop(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export function stopAll() {
  for (const child of children.reverse()) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    child.stdout.destroy();
    child.stderr.destroy();
    child.unref();
  }
}
