"""Answers: BM25 over our cited knowledge, red flags first, "I don't know" outside scope."""

from __future__ import annotations

import pytest

from nutrispine.recommend.ask import DONT_KNOW, ask, red_flags_in


@pytest.mark.parametrize(("question", "passage"), [
    ("Can low vitamin D cause back pain?", "faq:vitamin_d_back_pain"),
    ("Which foods are rich in magnesium?", "faq:magnesium_foods"),
    ("Does metformin affect my B12?", "interaction:"),
    ("How much vitamin D should I take?", "supplement:vitamin_d"),
    ("Best form of calcium supplement?", "supplement:calcium"),
    ("I'm vegan, what about B12?", "risk:vegan:vitamin_b12"),
    ("My magnesium blood test was normal, can I still be low?", "faq:magnesium_blood_test"),
])
def test_answers_with_our_cited_text(question: str, passage: str) -> None:
    r = ask(question)
    ids = [m["id"] for m in r["matches"]]
    assert any(i.startswith(passage) for i in ids[:2]), ids
    assert r["answer"] and r["sources"] and r["triage"] is None


@pytest.mark.parametrize("question", ["What is the capital of France?",
                                      "How do I fix my car brakes?", "tell me a joke", ""])
def test_outside_scope_says_i_dont_know(question: str) -> None:
    r = ask(question)
    assert r["answer"] == DONT_KNOW and r["sources"] == []


@pytest.mark.parametrize(("question", "code", "level"), [
    ("I can't control my bladder, could it be low magnesium?", "bladder_dysfunction", "emergency"),
    ("I feel numb between my legs since yesterday", "saddle_anesthesia", "emergency"),
    ("neck pain with chest pain", "chest_pain", "emergency"),
    ("back pain and a fever", "fever", "urgent"),
])
def test_red_flags_get_triage_first(question: str, code: str, level: str) -> None:
    assert code in red_flags_in(question)
    r = ask(question)
    assert r["triage"]["level"] == level
    assert r["triage"]["reasons"] and r["triage"]["advice"]


def test_fever_with_severe_headache_is_an_emergency() -> None:
    r = ask("I have a fever and the worst headache of my life with a stiff neck")
    assert r["triage"]["level"] == "emergency"
    assert r["triage"]["reasons"][0]["code"] == "meningitis_signs"


def test_no_false_red_flag_for_ordinary_questions() -> None:
    assert red_flags_in("Which foods have calcium for my bones?") == []
