#!/usr/bin/env python3
"""Compares Incident Bridge's Markdown -> Confluence conversion with
markdown-to-confluence (md2conf, from PyPI) on the same 1 MiB RCA, and its
Mermaid rendering with mermaid-cli (mmdc, from npm, driving Debian's
chromium) on the same 50-node flowchart, in one run.

    python3 scripts/compare_publishers.py [RUNS] [--render-only]

Needs a release build (`cargo build --release -p ibridge-cli`). The
script installs markdown-to-confluence into target/compare-venv (pip) and
mermaid-cli into target/compare-node (npm, without puppeteer's own browser
download) when missing; mermaid-cli runs only if a Chromium is installed
(`apt-get install chromium`). Figures are medians over RUNS (default 7),
on this machine, as ratios. `--render-only` stops after the Markdown
comparison.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IBRIDGE = ROOT / "target" / "release" / "ibridge"
VENV = ROOT / "target" / "compare-venv"
NODE = ROOT / "target" / "compare-node"


def fifty_node_flowchart() -> str:
    lines = ["flowchart LR"]
    lines += [f"  N{i}[Step {i}: check service {i}]" for i in range(50)]
    lines += [f"  N{(i - 1) // 2} --> N{i}" for i in range(1, 50)]
    return "\n".join(lines) + "\n"


def ensure_mmdc():
    chrome = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if chrome is None:
        return None, None
    mmdc = NODE / "node_modules" / ".bin" / "mmdc"
    if not mmdc.exists():
        NODE.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE), "@mermaid-js/mermaid-cli"],
                       check=True, env=env, capture_output=True)
    return mmdc, chrome

# The same section the storage_format benchmark repeats to 1 MiB.
SECTION = """## Timeline

| Time (UTC) | Event |
|---|---|
| 10:02 | Alert: checkout 5xx > 2% |
| 10:05 | **Incident declared**, P1 |
| 10:31 | Rolled back `payments@4.2.1` |

## Root cause

A config change set the pool size to *zero* on ~~one~~ all nodes. See [the runbook](https://wiki.example/runbooks/payments?x=1&y=2).

> **Note:** the alert fired 3 minutes after the first errors.

```yaml
pool:
  size: 0   # ]]> should never end CDATA
```

- Contributing factors
  - no canary for config
  - alert threshold too high
1. First fix
2. Second fix

- [ ] Add config canary (owner: Ana, due 2026-12-01)
- [x] Raise pool size

![Error rate](https://grafana.example/render/d/abc.png)

"""


def one_megabyte_rca() -> str:
    doc = "# RCA: checkout outage\n\n"
    while len(doc.encode()) < 1024 * 1024:
        doc += SECTION
    return doc


MD2CONF_WORKER = """
import sys, time
from md2conf.markdown import markdown_to_html
text = open(sys.argv[1]).read()
markdown_to_html(text)
print("ready", flush=True)
for _ in sys.stdin:
    start = time.perf_counter()
    markdown_to_html(text)
    print(time.perf_counter() - start, flush=True)
"""


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_md2conf() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import md2conf.markdown"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "markdown-to-confluence"], check=True)
    return python


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    render_only = "--render-only" in sys.argv[1:]
    runs = int(args[0]) if args else 7
    if not IBRIDGE.exists():
        sys.exit("build first: cargo build --release -p ibridge-cli")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rca = tmp / "rca.md"
        rca.write_text(one_megabyte_rca())
        env = dict(os.environ, IBRIDGE_KEYCHAIN="off")
        base = [str(IBRIDGE), "--data-dir", str(tmp / "data")]
        out = subprocess.run(base + ["--json", "doc", "import", str(rca), "--title", "RCA: checkout"],
                             env=env, check=True, capture_output=True, text=True).stdout
        doc_id = json.loads(out)["id"]

        def render():
            subprocess.run(base + ["doc", "render", doc_id], env=env, check=True, stdout=subprocess.DEVNULL)

        def start_only():
            subprocess.run(base + ["connections", "list"], env=env, check=True, stdout=subprocess.DEVNULL)

        python = ensure_md2conf()
        # markdown-to-confluence converts in a worker that waits between
        # runs; its runs alternate with ibridge's, so a slow spell of the
        # machine falls on both alike instead of on whichever ran during it.
        worker = subprocess.Popen([str(python), "-c", MD2CONF_WORKER, str(rca)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        worker.stdout.readline()  # converted once, untimed: warm
        ib_times, m2c_times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            render()
            ib_times.append(time.perf_counter() - start)
            worker.stdin.write("run\n")
            worker.stdin.flush()
            m2c_times.append(float(worker.stdout.readline()))
        worker.stdin.close()
        worker.wait()
        ib_render = statistics.median(ib_times)
        m2c_html = statistics.median(m2c_times)
        ib_start = median_seconds(start_only, runs)
        version = subprocess.run([str(python), "-m", "pip", "show", "markdown-to-confluence"],
                                 capture_output=True, text=True).stdout
        version = next((l.split(":", 1)[1].strip() for l in version.splitlines() if l.startswith("Version:")), "?")

    print(f"1 MiB RCA, median of {runs} runs on this machine, the two alternating")
    print(f"  ibridge doc render (whole process)          {ib_render * 1000:8.1f} ms")
    print(f"  ibridge connections list (start + open db){ib_start * 1000:8.1f} ms")
    print(f"  markdown-to-confluence {version} markdown_to_html {m2c_html * 1000:8.1f} ms (in-process, Markdown->HTML stage only)")
    print(f"  ratio: markdown-to-confluence HTML stage / ibridge whole process = {m2c_html / ib_render:.0f}x")
    if render_only:
        return

    mmdc, chrome = ensure_mmdc()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chart = fifty_node_flowchart()
        (tmp / "chart.mmd").write_text(chart)
        (tmp / "rca.md").write_text("# Diagram\n\n```mermaid\n" + chart + "```\n")
        env = dict(os.environ, IBRIDGE_KEYCHAIN="off")
        base = [str(IBRIDGE), "--data-dir", str(tmp / "data")]
        subprocess.run(base + ["connections", "add", "confluence", "--name", "wiki", "--url", "https://example.atlassian.net",
                               "--auth", "api_token", "--username", "a@example.com", "--space", "OPS", "--secret-stdin"],
                       input="dry-run-token\n", env=env, check=True, capture_output=True, text=True)
        out = subprocess.run(base + ["--json", "doc", "import", str(tmp / "rca.md")],
                             env=env, check=True, capture_output=True, text=True).stdout
        doc_id = json.loads(out)["id"]

        def ib_png():
            # The plan draws the diagram to PNG; --dry-run sends nothing.
            subprocess.run(base + ["doc", "publish", doc_id, "--to", "wiki", "--dry-run"], env=env, check=True,
                           stdout=subprocess.DEVNULL)

        ib_diagram = median_seconds(ib_png, runs)
        print(f"50-node Mermaid flowchart to PNG, median of {runs} runs")
        print(f"  ibridge doc publish --dry-run (whole process, draws the PNG) {ib_diagram * 1000:8.1f} ms")
        if mmdc is None:
            print("  mermaid-cli: not runnable here (it needs a Chrome/Chromium: apt-get install chromium)")
            return
        config = tmp / "puppeteer.json"
        config.write_text(json.dumps({"args": ["--no-sandbox"], "executablePath": chrome}))
        for fmt in ("svg", "png"):
            def mm():
                subprocess.run([str(mmdc), "-i", str(tmp / "chart.mmd"), "-o", str(tmp / f"chart.{fmt}"), "-p", str(config)],
                               check=True, capture_output=True)
            t = median_seconds(mm, runs)
            print(f"  mermaid-cli mmdc -> {fmt} (whole process, headless {Path(chrome).name}) {t * 1000:8.1f} ms"
                  f"  ({t / ib_diagram:.0f}x ibridge's whole process)")

if __name__ == "__main__":
    main()
