"""The knowledge base: cited clinical facts as data, validated into typed objects once.

``load_knowledge()`` returns the cached ``KnowledgeBase``; rules read parameters from it by name,
so changing a cut-off never touches code. The validated object is pickled beside the package's
bytecode, keyed by a hash of the data files and of the model code, so a command does not re-parse
and re-validate the YAML on every run (a stale cache cannot be used: its key would differ).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from nutrispine.knowledge.base import FILES, KnowledgeBase
from nutrispine.knowledge.loader import KnowledgeError

__all__ = ["KnowledgeBase", "KnowledgeError", "load_knowledge"]

HERE = Path(__file__).parent
_CODE = ("base.py", "models.py", "loader.py")


def _cache_key(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in FILES:
        path = folder / f"{name}.yaml"
        if path.is_file():
            digest.update(path.read_bytes())
    for name in _CODE:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def load_knowledge(folder: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless ``folder`` is given)."""
    folder = folder or HERE
    if os.environ.get("NUTRISPINE_NO_KB_CACHE"):
        return KnowledgeBase.from_folder(folder)
    cache = HERE / "__pycache__" / f"knowledge-{_cache_key(folder)}.pickle"
    try:
        with cache.open("rb") as fh:
            kb = pickle.load(fh)
        if isinstance(kb, KnowledgeBase):
            return kb
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    kb = KnowledgeBase.from_folder(folder)
    try:
        cache.parent.mkdir(exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass
    return kb
