"""Regenerate the report screenshots in docs/ (README links them).

Runs the shipped scenarios through ``run``, ``compare`` and a sequential ``sweep`` with
their ``--report`` pages (in a temporary folder), then takes full-page screenshots with
headless Chromium (Debian's ``chromium`` package). Takes a few minutes on 2 cores.

    .venv/bin/python scripts/report_screenshots.py [--chromium chromium] [-n 100]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WIDTH = 1400


def hiresim(*args: str) -> None:
    """Run one hiresim command with this interpreter; stop on failure."""
    cmd = [sys.executable, "-m", "hiresim", *args]
    print("$ hiresim " + " ".join(args), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def screenshot(chromium: str, page: Path, png: Path, height: int) -> None:
    """A headless Chromium screenshot of ``page``, WIDTH x ``height`` pixels."""
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--window-size={WIDTH},{height}",
                    "--virtual-time-budget=5000", f"--screenshot={png}", page.as_uri()],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"wrote {png.relative_to(ROOT)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("-n", "--replications", type=int, default=100)
    args = parser.parse_args()
    if shutil.which(args.chromium) is None:
        sys.exit(f"{args.chromium}: not found (apt-get install chromium)")
    n = str(args.replications)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        hiresim("run", "scenarios/split.yaml", "-n", n, "--bottleneck",
                "--report", str(out / "run.html"))
        hiresim("compare", "scenarios/combined.yaml", "scenarios/split.yaml", "-n", n,
                "--bottleneck", "--report", str(out / "compare.html"))
        hiresim("sweep", "scenarios/split-team-sizes.yaml",
                "--goal", "time_to_fill_days.p80<=160", "--report", str(out / "sweep.html"))
        screenshot(args.chromium, out / "run.html", DOCS / "report-run.png", 4000)
        screenshot(args.chromium, out / "compare.html", DOCS / "report-compare.png", 4000)
        screenshot(args.chromium, out / "compare.html",
                   DOCS / "report-compare-headline.png", 1400)
        screenshot(args.chromium, out / "sweep.html", DOCS / "report-sweep.png", 4000)


if __name__ == "__main__":
    main()
