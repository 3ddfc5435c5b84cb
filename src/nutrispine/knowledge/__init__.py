"""The knowledge base: cited clinical facts as data, validated into typed objects once.

``load_knowledge()`` returns the cached ``KnowledgeBase``; rules read parameters from it by name,
so changing a cut-off never touches code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nutrispine.knowledge.base import KnowledgeBase
from nutrispine.knowledge.loader import KnowledgeError

__all__ = ["KnowledgeBase", "KnowledgeError", "load_knowledge"]


@lru_cache(maxsize=4)
def load_knowledge(folder: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless ``folder`` is given)."""
    return KnowledgeBase.from_folder(folder or Path(__file__).parent)
