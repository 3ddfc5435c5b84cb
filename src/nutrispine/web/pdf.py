"""The printable report as PDF, printed by Debian's chromium (no other system package).

The page is written with its stylesheet to a private temporary folder and printed from
``file://`` with no script, so nothing of the user's reaches a network or a shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nutrispine.web.state import STATIC

FLAGS = ["--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw"]


def chromium() -> str | None:
    """Debian's chromium (or ``PLAYWRIGHT_CHROMIUM``), if installed."""
    env = os.environ.get("PLAYWRIGHT_CHROMIUM")
    if env and Path(env).is_file():
        return env
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html: str, timeout: float = 60.0) -> bytes:
    """Print ``html`` to PDF; raises ``RuntimeError`` when chromium is missing or fails."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("PDF needs chromium (apt-get install chromium); "
                           "use the browser's print command instead")
    with tempfile.TemporaryDirectory(prefix="nutrispine-pdf-") as tmp:
        folder = Path(tmp)
        shutil.copy(STATIC / "app.css", folder / "app.css")
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        out = folder / "report.pdf"
        flags = [*FLAGS, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={out}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
        result = subprocess.run([browser, *flags, page.as_uri()], capture_output=True,
                                timeout=timeout, check=False)
        if not out.is_file():
            raise RuntimeError(f"chromium could not print the report (exit {result.returncode})")
        return out.read_bytes()
