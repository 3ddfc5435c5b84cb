"""The recommendation rules as a plain read-only view, for the ``assess`` path.

``rules.load_rules()`` validates the YAML files into pydantic models; merely defining those ~20
model classes costs several milliseconds per run. ``rules()`` returns the same data with the
same attribute names (``rules().diet.patterns["vegan"].avoid``, ``rules().guidance[code]``),
as ``Record`` objects unpickled from the package's ``__pycache__``: no YAML parsing and no
model classes while the cache is warm. The cache is keyed by a hash of the YAML files and of
the code that validates them, so a stale view cannot be used.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from nutrispine.pickle_cache import content_key, load_or_build

HERE = Path(__file__).resolve().parent
KNOWLEDGE = HERE.parent / "knowledge"
FILES = ("diet_rules", "food_tags", "supplement_guidance", "lifestyle", "sources")
CACHE_DIR = HERE / "__pycache__"
_CODE = ("rules.py", "ruleview.py")


class Record:
    """A read-only bag of attributes (one validated model's fields)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"rules are read-only ({name})")

    def __getattr__(self, name: str) -> Any:  # only reached for missing names; typed for mypy
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "Record(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


def rules_key() -> str:
    """A hash of the rule files and of the code that validates them (keys derived caches)."""
    return content_key([*(KNOWLEDGE / f"{name}.yaml" for name in FILES), *(HERE / name for name in _CODE)])


def cite(kb: Any, c: Any) -> str:
    """A readable citation: the bibliography title (or the inline one) and the locator."""
    title = getattr(c, "title", None)
    if title is None:
        sources = getattr(kb, "sources", {})
        title = sources[c.id].title if c.id in sources else c.id
    return f"{title}, {c.locator}" if c.locator else title


@lru_cache(maxsize=1)
def rules() -> Any:
    """The validated rules (``diet``, ``food_tags``, ``guidance``, ``lifestyle``) as Records."""
    cache = CACHE_DIR / f"recommend-view-{rules_key()}.pickle"
    return load_or_build(cache, Record, _view, stale="recommend-view-*.pickle")


def _view() -> Record:
    from nutrispine.recommend.rules import load_rules, view_of

    return view_of(load_rules())
