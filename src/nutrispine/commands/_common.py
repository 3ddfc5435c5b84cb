"""Helpers every command shares: clean failures (exit 2) and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


def fail(exc: BaseException, status: int = 2) -> NoReturn:
    """Print a user-facing error on stderr and exit with ``status`` (2 for bad input)."""
    problems = getattr(exc, "problems", None)
    lines = [str(p) for p in problems] if problems else [str(exc) or exc.__class__.__name__]
    for line in lines:
        sys.stderr.write(f"error: {line}\n")
    raise typer.Exit(status)


def emit_json(obj: Any) -> None:
    """Write ``obj`` as pretty JSON (UTF-8, µ kept readable) to standard output."""
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
