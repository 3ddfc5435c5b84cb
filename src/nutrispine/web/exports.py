"""A user's data as CSV files (one per collection) in a zip, for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    writer = csv.DictWriter(out, fieldnames=columns or ["id"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                         else _safe(v) for k, v in row.items()})
    return out.getvalue()


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_zip(export: dict[str, Any]) -> bytes:
    """``export`` (from ``UserData.export``) as ``profile.json`` plus one CSV per collection."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("profile.json", json.dumps(
            {"username": export.get("username"), "profile": export.get("profile")},
            indent=2, ensure_ascii=False))
        for kind, rows in export.items():
            if isinstance(rows, list):
                zf.writestr(f"{kind}.csv", _csv(rows))
    return buf.getvalue()
