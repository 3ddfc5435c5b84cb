"""Property-based API testing from the OpenAPI document: no 5xx, no schema violation.

Bounded (a few examples per operation) so it stays fast; run with NUTRISPINE_FUZZ_EXAMPLES=200
for a deeper search.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import make_client

EXAMPLES = int(os.environ.get("NUTRISPINE_FUZZ_EXAMPLES", "12"))


_TMP = Path(tempfile.mkdtemp(prefix="nutrispine-fuzz-"))
atexit.register(shutil.rmtree, _TMP, True)
schema = schemathesis.openapi.from_asgi("/openapi.json", make_client(_TMP).app)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_its_schema(case: schemathesis.Case, foods_db: Path) -> None:
    if case.path == "/api/v1/plan":
        case.query = {**(case.query or {}), "days": 1}
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                   content_type_conformance, response_schema_conformance])
