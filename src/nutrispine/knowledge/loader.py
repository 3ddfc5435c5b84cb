"""A strict YAML loader: duplicate keys, unknown keys and dangling references are refused,
and every error names the file and the key."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any


class KnowledgeError(ValueError):
    """The knowledge base is malformed; the message names the file and the key."""


@lru_cache(maxsize=1)
def _strict_loader() -> Any:
    """A safe YAML loader (libyaml when present) that refuses duplicate mapping keys."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise KnowledgeError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
            seen.add(key)
        return dict(loader.construct_mapping(node, deep=deep))

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def read_yaml(path: Path) -> Any:
    """Parse one YAML file strictly; errors name the file."""
    import yaml

    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_strict_loader())
    except KnowledgeError as exc:
        raise KnowledgeError(f"{path.name}: {exc}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from None


def validate(path: Path, model: Any, data: Any) -> Any:
    """Validate ``data`` from ``path`` into ``model`` (a pydantic type or TypeAdapter)."""
    from pydantic import TypeAdapter, ValidationError

    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KnowledgeError(f"{path.name}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from None


def fingerprint(paths: list[Path]) -> str:
    """A short hash of the knowledge files: the knowledge version stamped on every result."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
