"""Render a run folder's HTML reports in headless Chromium and check them.

    python scripts/report_check.py [RUN_DIR]      (default: the newest folder in results/)

For each language it saves a screenshot of the first screen (1280 x 900) as
RUN_DIR/screenshots/report.<lang>.png and checks, in the browser itself, that the
headline section is there and comes first, that it fits in the first screen, and that
every figure loaded (an <img> that is complete with a natural width). It exits 1 when a
check fails. Needs Debian's chromium (`apt-get install chromium`); not part of CI,
which has no browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH, HEIGHT = 1280, 900

# Appended to a copy of the page: writes what the browser saw into the DOM, which
# --dump-dom then prints.
PROBE = """
<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  const head = document.getElementById("headline");
  const top = head ? head.getBoundingClientRect().top : -1;
  const bottom = head ? head.getBoundingClientRect().bottom : -1;
  const out = document.createElement("pre");
  out.id = "report-check";
  const first = document.querySelector("section,details");
  out.textContent = `images=${imgs.length} broken=${broken} headline=${head ? 1 : 0}`
    + ` headline_top=${Math.round(top)} headline_bottom=${Math.round(bottom)}`
    + ` first_section=${first ? first.id : ""}`;
  document.body.appendChild(out);
});
</script>
"""


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("report-check: no chromium found; install Debian's package: apt-get install chromium")


def chromium(*args: str) -> str:
    cmd = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def check(page: Path, shots: Path) -> list[str]:
    problems = []
    shot = shots / f"{page.stem}.png"
    chromium(f"--screenshot={shot}", page.resolve().as_uri())
    if not shot.is_file() or shot.stat().st_size < 10_000:
        problems.append(f"{page.name}: no screenshot")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / page.name
        probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
        dom = chromium("--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="report-check">([^<]*)</pre>', dom)
    if not found:
        return [*problems, f"{page.name}: the page did not finish loading"]
    facts = dict(item.split("=", 1) for item in found.group(1).split())
    print(f"{page.name}: {found.group(1)}; first screen saved to {shot}")
    if facts["headline"] != "1":
        problems.append(f"{page.name}: no headline section")
    elif facts["first_section"] != "headline" or not 0 <= int(facts["headline_top"]) < HEIGHT:
        problems.append(f"{page.name}: the headline is not in the first screen")
    elif int(facts["headline_bottom"]) > HEIGHT:
        problems.append(f"{page.name}: the headline runs past the first screen")
    if int(facts["images"]) == 0 or facts["broken"] != "0":
        problems.append(f"{page.name}: {facts['broken']} of {facts['images']} figures did not load")
    return problems


def main() -> int:
    if len(sys.argv) > 1:
        run_dir = Path(sys.argv[1])
    else:
        folders = sorted(Path("results").glob("*/report.en.html"), key=lambda p: p.stat().st_mtime)
        if not folders:
            sys.exit("report-check: no report found in results/; run `make run` first")
        run_dir = folders[-1].parent
    pages = sorted(run_dir.glob("report.*.html"))
    if not pages:
        sys.exit(
            f"report-check: no report.<lang>.html in {run_dir}; run: allocsim report {run_dir}"
        )
    shots = run_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    problems = [p for page in pages for p in check(page, shots)]
    for p in problems:
        print("FAIL", p, file=sys.stderr)
    print("report-check:", "FAIL" if problems else f"PASS ({len(pages)} pages)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
