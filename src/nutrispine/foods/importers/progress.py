"""Rich progress tasks for importers: one bar per file, advanced by bytes read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nutrispine.foods.importers._writer import Advance


def file_task(progress: Any, path: Path | str, total: int | None = None) -> Advance | None:
    """A callback advancing a new task on ``progress`` (a rich Progress), or None."""
    if progress is None:
        return None
    if total is None:
        total = Path(path).stat().st_size
    task = progress.add_task(f"importing {Path(str(path)).name}", total=total)

    def advance(n: int) -> None:
        progress.update(task, advance=n)

    return advance


def make_progress(enabled: bool = True) -> Any:
    """A rich Progress showing bar, bytes and time; disabled on non-terminals if asked."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


def finishing(progress: Any, label: str = "indexing and saving") -> Any:
    """A pulsing task for the final step (joins, full-text index); call the result when done."""
    if progress is None:
        return lambda: None
    task = progress.add_task(label, total=None)
    return lambda: progress.update(task, total=1, completed=1)
