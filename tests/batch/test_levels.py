"""The batch level decision in log-odds equals ``likelihood.combine``'s banding of the rounded
probability, including products that land exactly on a threshold (odds of 1 give p = 0.5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutrispine.batch import likelihood as blk
from nutrispine.knowledge import load_knowledge
from nutrispine.likelihood import Evidence, combine

KB = load_knowledge()
RATIOS = sorted({blk.strength_lr(KB, s, d) for s in KB.factors.model.strengths
                 for d in ("raises", "lowers")} | {0.6, 1.5, 2.5, 4.0, 1 / 9})


def _evidence(ratio: float, kind: str = "risk_factor") -> Evidence:
    return Evidence(factor="x", kind=kind, effect="raises", text="", source="",
                    likelihood_ratio=ratio)


def _batch_level(prior: float, ratios: list[float], symptoms: list[float],
                 floor: float | None, cap: float | None) -> str:
    log_odds = math.log(prior / (1.0 - prior)) + math.fsum(math.log(r) for r in ratios)
    if symptoms:
        log_odds += min(math.fsum(math.log(r) for r in symptoms),
                        math.log(KB.factors.model.symptom_lr_cap))
    level = blk.clamp(blk.log_odds_level(KB, np.array([log_odds])),
                      blk.reached(KB, np.array([floor or 0.0])),
                      blk.reached(KB, np.array([1.0 if cap is None else cap])))
    return blk.LEVELS[int(level[0])]


@pytest.mark.parametrize(("prior", "ratios"), [
    (0.1, [1 / 9 * 9]), (0.5, [1 / 9, 0.6, 2.5, 4.0, 1.5]), (0.25, [0.6, 2.5, 1 / 1.5]),
    (0.2, [1.0]), (0.5, [])])
def test_products_on_a_threshold(prior: float, ratios: list[float]) -> None:
    _, level = combine(KB, "vitamin_d", prior, [_evidence(r) for r in ratios])
    assert _batch_level(prior, ratios, [], None, None) == level


@settings(max_examples=300, deadline=None)
@given(prior=st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.3, 0.5]),
       ratios=st.lists(st.sampled_from(RATIOS), max_size=6),
       symptoms=st.lists(st.sampled_from(RATIOS), max_size=4),
       floor=st.sampled_from([None, 0.25, 0.5, 0.6]), cap=st.sampled_from([None, 0.2, 0.25, 0.5]))
def test_level_equals_combine(prior: float, ratios: list[float], symptoms: list[float],
                              floor: float | None, cap: float | None) -> None:
    evidence = [_evidence(r) for r in ratios] + [_evidence(r, "symptom") for r in symptoms]
    _, level = combine(KB, "vitamin_d", prior, evidence, floor, cap)
    assert _batch_level(prior, ratios, symptoms, floor, cap) == level
