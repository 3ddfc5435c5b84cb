"""Per-person nutrient targets for a plan: the RDA (or AI) to reach and the most food may add
without the total (with the person's supplements) passing the UL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nutrispine.recommend.catalog import NUTRIENTS, UNITS


@dataclass(frozen=True)
class Target:
    nutrient: str
    unit: str
    goal: float  # the RDA, or the AI where no RDA is set
    kind: str  # "rda" or "ai"
    ul: float | None
    ul_applies_to: str  # "total" or "supplements"
    supplements: float  # what the person already takes per day, in ``unit``
    source: str

    @property
    def food_limit(self) -> float | None:
        """The most food may supply: UL minus supplements when the UL covers total intake."""
        if self.ul is None or self.ul_applies_to != "total":
            return None
        return max(0.0, self.ul - self.supplements)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.kind: self.goal, "ul": self.ul, "unit": self.unit,
                               "ul_applies_to": self.ul_applies_to}
        if self.kind != "rda":
            out["rda"] = self.goal
        if self.supplements:
            out["supplements_per_day"] = round(self.supplements, 2)
        if self.food_limit is not None:
            out["food_limit"] = round(self.food_limit, 2)
        out["source"] = self.source
        return out


def person_targets(kb: Any, person: Any, supplements: Any) -> dict[str, Target]:
    """Targets for each of the four nutrients (``supplements``: the profile's list)."""
    from nutrispine.supplements import daily_totals

    taken = daily_totals(kb, supplements) if supplements else {}
    out: dict[str, Target] = {}
    for code in NUTRIENTS:
        req = kb.requirement(code, age=person.age, sex=person.sex,
                             pregnant=bool(person.pregnant), lactating=bool(person.lactating))
        goal = req.rda if req.rda is not None else req.ai
        assert goal is not None, f"no RDA or AI for {code}"
        out[code] = Target(
            nutrient=code, unit=UNITS[code], goal=float(goal),
            kind="rda" if req.rda is not None else "ai", ul=req.ul,
            ul_applies_to=req.ul_applies_to, supplements=float(taken.get(code, 0.0)),
            source=kb.cite(req.source))
    return out
