"""nutrispine: could a nutrient shortfall be part of your back or neck pain?

The public surface is small: ``assess(profile)`` returns an ``Assessment`` with ``to_dict()``.
Heavy modules load lazily so that the command line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nutrispine.assess import Assessment, assess

__all__ = ["Assessment", "__version__", "assess"]


def __getattr__(name: str) -> Any:
    if name in {"assess", "Assessment"}:
        import importlib

        module = importlib.import_module("nutrispine.assess")
        return module if name == "assess" else getattr(module, name)
    raise AttributeError(f"module 'nutrispine' has no attribute {name!r}")
