"""The profile's cached validator behaves exactly like the one pydantic builds.

``profile.validator()`` rebuilds pydantic-core's validator from a pickled core schema (start-up
time); these tests prove that nothing a user sees can differ: every accepted profile validates to
the same value and every refused one gives the same errors, and a missing, corrupt or unwritable
cache only costs time.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import TypeAdapter, ValidationError

from nutrispine import profile as profile_module
from nutrispine.profile import Profile, _normalise, validator

_HERE = Path(__file__).parent


def _load_sibling(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_nutrispine_{name}", _HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


properties = _load_sibling("test_properties")
malformed = _load_sibling("test_malformed")
FRESH = TypeAdapter(Profile)


def outcome(check: Any, data: Any) -> tuple[str, Any]:
    try:
        return "ok", check(copy.deepcopy(data))
    except ValidationError as exc:
        return "error", [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]


def same_as_pydantic(data: Any) -> None:
    if isinstance(data, dict):
        data = _normalise(data)
    assert outcome(validator().validate_python, data) == outcome(FRESH.validate_python, data)


@settings(max_examples=300, deadline=None)
@given(properties.any_profiles())
def test_cached_validator_matches_pydantic_on_any_profile(data: Any) -> None:
    same_as_pydantic(data)


@settings(max_examples=100, deadline=None)
@given(properties.valid_profiles())
def test_cached_validator_matches_pydantic_on_valid_profiles(data: Any) -> None:
    same_as_pydantic(data)


@pytest.mark.parametrize("case", [c for c in malformed.CASES if isinstance(c.body, dict)], ids=lambda c: c.id)
def test_cached_validator_matches_pydantic_on_malformed_profiles(case: Any) -> None:
    same_as_pydantic(case.body)


SOURCE = Path(profile_module.__file__)


def _fresh_validator(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Any:
    """``validator()`` as a new process would build it, with its cache in ``folder``."""
    (folder / "profile.py").write_bytes(SOURCE.read_bytes())
    monkeypatch.setattr(profile_module, "__file__", str(folder / "profile.py"))
    validator.cache_clear()
    try:
        return validator()
    finally:
        validator.cache_clear()


MARIA = {"person": {"age": 58, "sex": "female"}, "labs": [{"test": "25ohd", "value": 18, "unit": "ng/mL"}]}


def test_schema_is_cached_and_a_corrupt_cache_is_rebuilt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = _fresh_validator(monkeypatch, tmp_path)
    cached = list((tmp_path / "__pycache__").glob("profile-schema-*.pickle"))
    assert len(cached) == 1
    assert isinstance(pickle.loads(cached[0].read_bytes()), dict)
    cached[0].write_bytes(b"not a pickle")
    second = _fresh_validator(monkeypatch, tmp_path)
    assert first.validate_python(MARIA) == second.validate_python(MARIA) == FRESH.validate_python(MARIA)
    assert isinstance(pickle.loads(cached[0].read_bytes()), dict)  # rewritten


def test_unwritable_cache_folder_still_validates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "__pycache__").write_text("a file where the cache folder should be")
    assert _fresh_validator(monkeypatch, tmp_path).validate_python(MARIA) == FRESH.validate_python(MARIA)
