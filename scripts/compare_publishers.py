#!/usr/bin/env python3
"""Compares Incident Bridge's Markdown -> Confluence conversion with
markdown-to-confluence (md2conf, from PyPI) on the same 1 MiB RCA, in one
run, and reports whether mermaid-cli (mmdc) can run on this machine.

    python3 scripts/compare_publishers.py [RUNS]

Needs a release build (`cargo build --release -p ibridge-cli`) and a
virtual environment with markdown-to-confluence installed; the script
makes one in target/compare-venv with pip if it is missing. Figures are
medians over RUNS (default 7), on this machine, as ratios.
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
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
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
            subprocess.run(base + ["doc", "list"], env=env, check=True, stdout=subprocess.DEVNULL)

        ib_render = median_seconds(render, runs)
        ib_start = median_seconds(start_only, runs)

        python = ensure_md2conf()
        m2c = subprocess.run(
            [str(python), "-c", (
                "import statistics,sys,time\n"
                "from md2conf.markdown import markdown_to_html\n"
                f"text=open({str(rca)!r}).read()\n"
                "t=[]\n"
                f"for _ in range({runs}):\n"
                "    s=time.perf_counter(); markdown_to_html(text); t.append(time.perf_counter()-s)\n"
                "print(statistics.median(t))\n"
            )],
            check=True, capture_output=True, text=True,
        )
        m2c_html = float(m2c.stdout.strip())
        version = subprocess.run([str(python), "-m", "pip", "show", "markdown-to-confluence"],
                                 capture_output=True, text=True).stdout
        version = next((l.split(":", 1)[1].strip() for l in version.splitlines() if l.startswith("Version:")), "?")

    print(f"1 MiB RCA, median of {runs} runs on this machine")
    print(f"  ibridge doc render (whole process)          {ib_render * 1000:8.1f} ms")
    print(f"  ibridge doc list (process start + open db)  {ib_start * 1000:8.1f} ms")
    print(f"  markdown-to-confluence {version} markdown_to_html {m2c_html * 1000:8.1f} ms (in-process, Markdown->HTML stage only)")
    print(f"  ratio: markdown-to-confluence HTML stage / ibridge whole process = {m2c_html / ib_render:.0f}x")

    mmdc = shutil.which("mmdc")
    chrome = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if mmdc and chrome:
        print(f"  mermaid-cli found at {mmdc} with {chrome}: run it by hand for a comparison")
    else:
        print("  mermaid-cli: not runnable here (it drives a headless Chrome that puppeteer downloads "
              "from outside the package registries; " + ("mmdc missing" if not mmdc else "no Chrome/Chromium") + ")")


if __name__ == "__main__":
    main()
