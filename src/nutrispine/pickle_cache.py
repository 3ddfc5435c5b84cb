"""Validated data cached as pickles, so a command does not re-parse and re-validate on every run.

A cache file's name carries a hash of everything it was built from, so a stale file is never read
(its name differs) and older files are removed when a new one is written. A cache that cannot be
read or written is simply rebuilt: it can save time, never change an answer. Setting
``NUTRISPINE_NO_KB_CACHE`` bypasses every cache (used by tests of the loaders themselves).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def content_key(paths: Iterable[Path], *extra: str) -> str:
    """A short hash of the files' contents (missing files are skipped) and any extra text."""
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.read_bytes())
    for text in extra:
        digest.update(text.encode())
    return digest.hexdigest()[:16]


def load_or_build(cache: Path, kind: type[T], build: Callable[[], T], *, stale: str | None = None) -> T:
    """The object pickled at ``cache`` if it is a ``kind``; otherwise ``build()`` it and save it.

    ``stale`` is a glob (in the cache's folder) for older versions to remove when saving.
    """
    if os.environ.get("NUTRISPINE_NO_KB_CACHE"):
        return build()
    try:
        with cache.open("rb") as fh:
            obj = pickle.load(fh)  # our own file, written below, like a .pyc
        if isinstance(obj, kind):
            return obj
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    obj = build()
    save(cache, obj, stale)
    return obj


def save(cache: Path, obj: object, stale: str | None = None) -> None:
    """Pickle ``obj`` atomically to ``cache``, first removing older files matching ``stale``.

    Nothing is saved when the folder is read-only or ``obj`` cannot be pickled (a cache only
    saves time)."""
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        if stale:
            for old in cache.parent.glob(stale):
                old.unlink(missing_ok=True)
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except (OSError, pickle.PicklingError, AttributeError, TypeError):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def cached_yaml(path: Path) -> Any:
    """A packaged YAML data file's content, parsed once and then read back from a pickle.

    Why: importing and running the YAML parser costs more than a whole assessment; the pickle
    sits in the file's ``__pycache__`` under a hash of the file, so an edit is always seen.
    """

    def parse() -> Any:
        import yaml

        return yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    cache = path.parent / "__pycache__" / f"{path.stem}-{content_key([path])}.pickle"
    return load_or_build(cache, object, parse, stale=f"{path.stem}-*.pickle")
