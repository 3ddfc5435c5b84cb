"""Errors a user can fix, with the field that is wrong and what to do about it.

Every door (CLI, API, batch) turns an ``InputError`` into a clear message: exit status 2 on the
command line, a 4xx JSON error on the API. Nothing else should reach the user as a traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class Problem:
    """One thing wrong with the input: where (a dotted path) and what."""

    field: str
    message: str
    suggestions: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.suggestions:
            text += f" (did you mean: {', '.join(self.suggestions)}?)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {"field": self.field, "message": self.message, "suggestions": self.suggestions}


class InputError(ValueError):
    """Input the user must correct; carries one or more ``Problem`` entries."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def to_dict(self) -> dict[str, object]:
        return {"error": "invalid input", "problems": [p.to_dict() for p in self.problems]}


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The valid codes closest to ``word``, for 'did you mean' hints."""
    pool = sorted(set(choices))
    hits = difflib.get_close_matches(str(word).lower(), pool, n=n, cutoff=0.5)
    if not hits:
        needle = str(word).lower()
        hits = [c for c in pool if needle and (needle in c or c in needle)][:n]
    return hits
