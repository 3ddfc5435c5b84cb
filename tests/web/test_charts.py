"""The SVG charts: scale, markers, escaping and text alternatives."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from nutrispine.web.charts import intake_bar, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def test_intake_bar_marks_and_colours() -> None:
    svg = ET.fromstring(str(intake_bar("Vitamin D", 6.0, "µg", ear=10, rda=15, ul=100)))
    assert svg.get("role") == "img" and "EAR 10" in svg.get("aria-label", "")
    marks = {el.get("class") for el in svg.iter(f"{SVG}line")}
    assert marks == {"mark ear", "mark rda", "mark ul"}
    bar = next(r for r in svg.iter(f"{SVG}rect") if "bar" in (r.get("class") or ""))
    assert bar.get("class") == "bar low"  # below the EAR
    high = ET.fromstring(str(intake_bar("Calcium", 2600, "mg", ear=800, rda=1000, ul=2500)))
    assert any(r.get("class") == "bar high" for r in high.iter(f"{SVG}rect"))
    unknown = str(intake_bar("B12", None, "µg", rda=2.4))
    assert "intake not known" in unknown


def test_line_chart_places_points_and_escapes_names() -> None:
    d0 = dt.date(2026, 11, 1)
    series = [("<b>neck</b>", [(d0, 2.0), (d0 + dt.timedelta(days=10), 8.0)])]
    text = str(line_chart("Pain & co", series, y_max=10))
    assert "<b>" not in text and "&lt;b&gt;neck&lt;/b&gt;" in text
    svg = ET.fromstring(text)
    circles = list(svg.iter(f"{SVG}circle"))
    assert len(circles) == 2
    y_low, y_high = (float(c.get("cy", 0)) for c in circles)
    assert y_low > y_high  # larger values are drawn higher
    assert "No entries yet" in str(line_chart("Empty", []))


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 0.7, 3, 7.5, 11, 260)] == [1.0, 1.0, 5, 10, 20, 500]
