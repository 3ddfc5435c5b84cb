"""Basic accessibility of every page: one h1, a main landmark, a language, labelled controls,
text alternatives for charts, and a viewport for phones."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

PAGES = ["/", "/wizard/about", "/wizard/pain", "/wizard/symptoms", "/wizard/history",
         "/wizard/diet", "/wizard/labs", "/wizard/review", "/results", "/diary", "/labs",
         "/pain", "/trends", "/report", "/account"]


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.main = False
        self.lang = False
        self.viewport = False
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.label_depth = 0
        self.svgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main = True
        elif tag == "html":
            self.lang = bool(a.get("lang"))
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            wrapped = self.label_depth > 0
            self.controls.append((tag, {**a, "_wrapped": "1" if wrapped else None}))
        elif tag == "svg":
            self.svgs.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


@pytest.mark.parametrize("page", PAGES)
def test_page_basics(client: TestClient, page: str) -> None:
    client.put("/api/v1/me/profile", json={"person": {"age": 58, "sex": "female"}})
    client.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck", "score": 4})
    client.post("/api/v1/me/labs", json={"test": "vitamin_d_25oh", "value": 20, "unit": "ng/mL",
                                         "day": "2026-11-20"})
    client.post("/api/v1/me/assessments", json={})
    response = client.get(page)
    assert response.status_code == 200
    audit = Audit()
    audit.feed(response.text)
    assert audit.h1 == 1 and audit.main and audit.lang and audit.viewport
    for tag, attrs in audit.controls:
        labelled = (attrs.get("_wrapped") or attrs.get("id") in audit.label_for
                    or attrs.get("aria-label"))
        assert labelled, f"{page}: unlabelled {tag} {attrs}"
    for svg in audit.svgs:
        assert svg.get("role") == "img" and svg.get("aria-label"), f"{page}: chart without text"
