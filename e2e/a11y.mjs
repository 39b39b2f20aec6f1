// The accessibility check of the end-to-end run: axe-core (the npm
// package) is injected into the real window and run over the screen as it
// is; serious and critical violations fail the test. Each report is kept
// next to the screenshots.
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe over the window; returns the serious and critical violations (and writes the full report). */
export async function axeViolations(session, name, reportDir) {
  const injected = await session.execute("return typeof window.axe === 'object';");
  if (!injected) await session.execute(`${AXE_SOURCE}\nreturn true;`);
  const result = await session.executeAsync(`
    const done = arguments[arguments.length - 1];
    window.axe
      .run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
      .then((r) => done({ violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })) })) }))
      .catch((e) => done({ error: String(e) }));
  `);
  if (result.error) throw new Error(`axe did not run on ${name}: ${result.error}`);
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(path.join(reportDir, `axe-${name}.json`), JSON.stringify(result.violations, null, 2));
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** A readable list for the assertion message. */
export function describe(violations) {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")} — ${n.summary}`).join("\n")}`)
    .join("\n");
}
