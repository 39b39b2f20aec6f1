#!/usr/bin/env python3
"""Measures the desktop app on this machine (run on demand, not in CI).

Starts the release build under a fresh Xvfb display and reports:
- the time from launch to the first paint of Settings -> Integrations
  (the sidebar's colour appears on screen), over several runs;
- the total resident memory (RSS) of the app and its WebKit processes
  three seconds after that paint.

Usage: python3 scripts/measure_desktop.py [runs]   (needs Xvfb and ImageMagick's `import`)
Build first: npm run build && cargo build --release -p incident-bridge --features custom-protocol
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "target/release/incident-bridge"
SIDEBAR = (17, 24, 39)  # #111827, the Integrations screen's sidebar


def pixel(display: str, x: int, y: int):
    out = subprocess.run(
        ["import", "-display", display, "-window", "root", "-crop", f"1x1+{x}+{y}", "-depth", "8", "txt:-"],
        capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        if "srgb(" in line or "rgb(" in line:
            inside = line.split("(", 1)[1].split(")", 1)[0]
            return tuple(int(float(v)) for v in inside.split(",")[:3])
    return None


def tree_rss_kib(pid: int) -> int:
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:"))
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except (OSError, StopIteration):
            continue
    return total


def one_run(display: str) -> tuple[float, int]:
    data = tempfile.mkdtemp(prefix="ibridge-measure-")
    env = {**os.environ, "DISPLAY": display, "IBRIDGE_DATA_DIR": data, "IBRIDGE_KEYCHAIN": "off"}
    started = time.monotonic()
    app = subprocess.Popen([str(APP)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < 30:
            if pixel(display, 30, 300) == SIDEBAR:
                painted = time.monotonic() - started
                break
            time.sleep(0.02)
        else:
            raise SystemExit("the window did not paint within 30 s")
        time.sleep(3)
        return painted, tree_rss_kib(app.pid)
    finally:
        app.kill()
        app.wait()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not APP.exists():
        raise SystemExit(f"{APP} is missing; build the release app first (see the docstring)")
    display = ":93"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    time.sleep(1)
    try:
        results = [one_run(display) for _ in range(runs)]
    finally:
        xvfb.kill()
    paints = [p for p, _ in results]
    rss = [r / 1024 for _, r in results]
    print(f"runs: {runs}")
    print(f"launch to first paint of Settings -> Integrations: median {statistics.median(paints):.2f} s "
          f"(min {min(paints):.2f}, max {max(paints):.2f})")
    print(f"RSS of the app and its WebKit processes: median {statistics.median(rss):.0f} MiB "
          f"(min {min(rss):.0f}, max {max(rss):.0f})")


if __name__ == "__main__":
    main()
