"""The knowledge base: cited clinical facts as data, validated into typed objects once.

``load_knowledge()`` returns the cached ``KnowledgeBase``; rules read parameters from it by name,
so changing a cut-off never touches code. The validated object is pickled beside the package's
bytecode, keyed by a hash of the data files and of the model code, so a command does not re-parse
and re-validate the YAML on every run (a stale cache cannot be used: its key would differ).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nutrispine.knowledge.base import FILES, KnowledgeBase
from nutrispine.knowledge.loader import KnowledgeError
from nutrispine.pickle_cache import content_key, load_or_build

__all__ = ["KnowledgeBase", "KnowledgeError", "load_knowledge"]

HERE = Path(__file__).parent
_CODE = ("base.py", "models.py", "loader.py")


@lru_cache(maxsize=4)
def load_knowledge(folder: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless ``folder`` is given)."""
    folder = folder or HERE
    key = content_key([*(folder / f"{name}.yaml" for name in FILES), *(HERE / name for name in _CODE)])
    cache = HERE / "__pycache__" / f"knowledge-{key}.pickle"
    return load_or_build(cache, KnowledgeBase, lambda: KnowledgeBase.from_folder(folder), stale="knowledge-*.pickle")
