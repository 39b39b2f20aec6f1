// A small W3C WebDriver client over fetch, for tauri-driver (which hands
// the session to WebKitWebDriver driving the real Incident Bridge window).

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
// W3C WebDriver key codes for the modifier and special keys the tests press.
const KEYS = { Control: "\uE009", Shift: "\uE008", Alt: "\uE00A", Escape: "\uE00C", Enter: "\uE007", Tab: "\uE004", ArrowDown: "\uE015", ArrowUp: "\uE013" };

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, timeoutMs = 60000) {
    const response = await request(base, "POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application } } },
    }, timeoutMs);
    return new Session(base, response.value.sessionId);
  }

  async cmd(method, path, body) {
    return (await request(this.base, method, `/session/${this.id}${path}`, body)).value;
  }

  async find(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.length ? found[0][ELEMENT] : null;
  }

  /** Waits until `css` matches (and `ready(el)` holds, when given). */
  async waitFor(css, { timeoutMs = 20000, text } = {}) {
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      const el = await this.find(css);
      if (el) {
        if (text === undefined) return el;
        last = await this.text(el);
        if (typeof text === "string" ? last.includes(text) : text.test(last)) return el;
      }
      await sleep(150);
    }
    throw new Error(`timed out waiting for ${css}${text ? ` with text ${text}` : ""}; last text: ${JSON.stringify(last)}`);
  }

  async click(css) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/click`, {});
    return el;
  }

  async type(css, text) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/clear`, {});
    await this.cmd("POST", `/element/${el}/value`, { text });
  }

  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  async value(css) {
    const el = await this.waitFor(css);
    return this.cmd("GET", `/element/${el}/property/value`);
  }

  /** Picks `value` in the <select> matched by `css`. */
  async select(css, value) {
    await this.click(`${css} option[value="${value}"]`);
  }

  /** Runs `script` (a function body) in the window and returns its value. */
  async execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Like execute, but the script calls `arguments[arguments.length - 1](value)` when done. */
  async executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  /** Presses a key chord through the real input path, e.g. keys(["Control", "Shift", "n"]). */
  async keys(chord) {
    const code = (k) => KEYS[k] ?? k;
    const down = chord.map((k) => ({ type: "keyDown", value: code(k) }));
    const up = [...chord].reverse().map((k) => ({ type: "keyUp", value: code(k) }));
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions: [...down, ...up] }] });
    await this.cmd("DELETE", "/actions");
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async close() {
    try {
      await request(this.base, "DELETE", `/session/${this.id}`);
    } catch {
      // The driver may already be gone.
    }
  }
}

async function request(base, method, path, body, timeoutMs = 30000) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await response.json();
  if (!response.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
  }
  return json;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
