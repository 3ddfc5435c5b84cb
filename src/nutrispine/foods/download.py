"""Download a USDA release (a zip) with a progress bar, verify its SHA-256, keep it on disk.

USDA publishes FoodData Central CSV zips at stable addresses; ``RELEASES`` names the usual
ones so that ``nutrispine foods download sr-legacy`` works, and any URL is accepted too. The
file is written to a temporary name and renamed only when complete and verified.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nutrispine.errors import InputError, Problem

FDC_BASE = "https://fdc.nal.usda.gov/fdc-datasets/"
RELEASES = {
    "foundation": FDC_BASE + "FoodData_Central_foundation_food_csv_2024-10-31.zip",
    "sr-legacy": FDC_BASE + "FoodData_Central_sr_legacy_food_csv_2018-04.zip",
    "survey": FDC_BASE + "FoodData_Central_survey_food_csv_2024-10-31.zip",
    "branded": FDC_BASE + "FoodData_Central_branded_food_csv_2024-10-31.zip",
    "sr28": "https://www.ars.usda.gov/ARSUserFiles/80400535/DATA/SR/sr28/dnload/sr28asc.zip",
}
CHUNK = 1 << 16


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    size: int


def resolve(name_or_url: str) -> str:
    """A release name (see RELEASES) or an http(s) URL -> the URL to fetch."""
    if re.match(r"^https?://", name_or_url):
        return name_or_url
    if name_or_url in RELEASES:
        return RELEASES[name_or_url]
    from nutrispine.errors import closest

    raise InputError(Problem("release", f"unknown release {name_or_url!r}; give one of "
                             f"{', '.join(RELEASES)} or a URL", closest(name_or_url, RELEASES)))


def download(url: str, dest_dir: Path, *, sha256: str | None = None, progress: Any = None,
             timeout: float = 60.0) -> Downloaded:
    """Fetch ``url`` into ``dest_dir``; raise InputError if ``sha256`` is given and differs."""
    import httpx

    dest_dir.mkdir(parents=True, exist_ok=True)
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download.zip"
    target = dest_dir / name
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise InputError(Problem("url", f"{url} answered HTTP {response.status_code}"))
            total = int(response.headers.get("content-length") or 0) or None
            task = progress.add_task(f"downloading {name}", total=total) if progress else None
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress.update(task, advance=len(chunk))
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(Problem("url", f"could not download {url}: {exc}")) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    actual = digest.hexdigest()
    if sha256 is not None and actual.lower() != sha256.strip().lower():
        partial.unlink(missing_ok=True)
        raise InputError(Problem("sha256", f"checksum mismatch for {name}: expected {sha256}, "
                                 f"got {actual}; the file was discarded"))
    partial.replace(target)
    target.with_name(target.name + ".sha256").write_text(f"{actual}  {name}\n")
    return Downloaded(target, actual, size)
