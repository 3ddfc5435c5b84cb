"""A bounded cache of assessment results, keyed by the exact request body.

``assess`` is a pure function of the profile, the packaged knowledge and the food database, so
the same body gives the same bytes; the key includes the food database's size and modification
time, so importing foods starts afresh. Errors are never cached.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path


class ResultCache:
    """Least-recently-used map from request bytes to response text (thread-safe)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(body: bytes, *parts: str) -> bytes:
        digest = hashlib.sha256(body)
        for part in (*parts, _foods_signature()):
            digest.update(b"\0" + part.encode())
        return digest.digest()

    def get(self, key: bytes) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: bytes, value: str) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _foods_signature() -> str:
    from nutrispine.settings import foods_db_path

    path: Path = foods_db_path()
    try:
        st = path.stat()
    except OSError:
        return str(path) + ":none"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"
