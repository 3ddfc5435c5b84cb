"""Charts and an HTML report for a population: lab-value distribution and prevalence by group.

Why: a table of percentages hides the shape of the distribution and how close a population sits
to a cut-off; the charts draw the knowledge base's cut-offs on the weighted distribution, and
prevalence by age group and sex with the same Korn-Graubard 95% CIs as ``batch prevalence``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from nutrispine.batch import io, labs
from nutrispine.batch import prevalence as prev
from nutrispine.errors import InputError, Problem

COLOURS = {"deficient": "#c0392b", "borderline": "#e67e22", "adequate": "#27ae60",
           "high": "#2c3e80", "female": "#8e44ad", "male": "#16a085"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def distribution_chart(values: np.ndarray, weights: np.ndarray, nutrient: str, path: Path) -> None:
    """Weighted histogram of the SI lab value with every cut-off drawn as a labelled line."""
    plt = _pyplot()
    unit, cutoffs = labs.si_cutoffs(nutrient)
    keep = np.isfinite(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if not len(values):
        raise InputError(Problem("--nutrient", f"no {nutrient} lab values with a weight in the file"))
    top = float(np.quantile(values, 0.995))
    top = max(top, max(c for _, c in cutoffs) * 1.1) if cutoffs else top
    bins = np.linspace(0.0, top, 61)
    share = 100 * weights / weights.sum()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    ax.hist(np.clip(values, 0, top), bins=bins, weights=share, color="#7f8c8d", edgecolor="white")
    for label, cut in cutoffs:
        ax.axvline(cut, color="#c0392b", linestyle="--", linewidth=1.2)
        ax.annotate(f"{label} {cut:g}", (cut, 1), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="#c0392b")
    ax.set_xlabel(f"{labs.test_name(nutrient)} ({unit})")
    ax.set_ylabel("share of the population (%)")
    ax.set_title(f"{nutrient}: weighted distribution (n = {len(values)})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def prevalence_chart(result: dict[str, Any], path: Path) -> list[str]:
    """Bars of each status share by age group and sex, with 95% CI whiskers; returns the
    statuses drawn (those with any prevalence)."""
    plt = _pyplot()
    groups = result.get("groups", [])
    ages = [g for g, _, _ in prev.AGE_GROUPS if any(x.get("age_group") == g for x in groups)]
    sexes = sorted({x["sex"] for x in groups if "sex" in x})
    drawn = [s for s in ("deficient", "borderline", "high")
             if any(x["status"][s]["percent"] > 0 for x in groups)]
    if not groups or not drawn:
        raise InputError(Problem("FILE", "no group has a lab status to chart"))
    fig, axes = plt.subplots(1, len(drawn), figsize=(5 * len(drawn), 4.2), dpi=110, squeeze=False)
    width = 0.8 / max(len(sexes), 1)
    for ax, status in zip(axes[0], drawn, strict=True):
        for k, sex in enumerate(sexes):
            xs, ys, lo, hi = [], [], [], []
            for i, age in enumerate(ages):
                cell = next((x for x in groups if x["age_group"] == age and x["sex"] == sex), None)
                if cell is None:
                    continue
                s = cell["status"][status]
                xs.append(i + (k - (len(sexes) - 1) / 2) * width)
                ys.append(s["percent"])
                lo.append(s["percent"] - s["ci95"][0])
                hi.append(s["ci95"][1] - s["percent"])
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=sex,
                   color=COLOURS.get(sex, "#7f8c8d"))
        ax.set_xticks(range(len(ages)), ages)
        ax.set_xlabel("age group (years)")
        ax.set_ylabel(f"{status} (%) with 95% CI")
        ax.set_title(status)
        ax.legend()
    fig.suptitle(f"{result['nutrient']}: prevalence by age group and sex")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return drawn


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}img{max-width:100%}</style></head><body>
<h1>{{ title }}</h1>
<p>{{ result.domain }}; n = {{ result.n }}</p>
<table><tr><th>status</th><th>%</th><th>SE</th><th>95% CI</th></tr>
{% for name, s in result.status.items() %}<tr><td>{{ name }}</td><td>{{ "%.1f"|format(s.percent) }}</td>
<td>{{ "%.1f"|format(s.se) }}</td><td>{{ "%.1f"|format(s.ci95[0]) }}–{{ "%.1f"|format(s.ci95[1]) }}</td></tr>
{% endfor %}</table>
<h2>Distribution</h2>
<img alt="weighted distribution of {{ result.nutrient }} with the cut-offs" src="data:image/png;base64,{{ dist }}">
<h2>By age group and sex</h2>
<img alt="prevalence by age group and sex with 95% CIs" src="data:image/png;base64,{{ groups }}">
<p>{{ method }}</p></body></html>
"""


def write_report(
    file: Path, nutrient: str, out: Path, min_age: float | None = None,
    max_age: float | None = None, sex: str | None = None,
) -> list[Path]:
    """Write distribution.png, prevalence.png and report.html into ``out``."""
    labs.check_nutrient(nutrient)
    by = ["age_group", "sex"]
    table = prev.load_population(file, nutrient, ["sex"])
    filters = prev.Filters(min_age, max_age, sex)
    result = prev.estimate(table, nutrient, filters, by)
    frame = labs.nutrient_status_frame(io.scan_input(file), nutrient)
    values = frame.select(pl.col("_value_si")).collect()["_value_si"]
    mask = prev._mask(table, filters)
    weight = (table["weight"].fill_null(0.0).to_numpy() if "weight" in table.columns
              else np.ones(table.height))
    out.mkdir(parents=True, exist_ok=True)
    dist_path, groups_path, page = out / "distribution.png", out / "prevalence.png", out / "report.html"
    v = values.cast(pl.Float64).fill_null(float("nan")).to_numpy()
    distribution_chart(v[mask], weight[mask], nutrient, dist_path)
    prevalence_chart(result, groups_path)
    method = ("Survey-weighted; SE by Taylor linearisation over strata and PSUs; 95% CI by the "
              "Korn-Graubard method." if result["weighted"] else "Unweighted shares.")
    import jinja2

    template = jinja2.Environment(autoescape=True).from_string(_PAGE)
    page.write_text(template.render(
        title=f"{nutrient}: population report", result=result, method=method,
        dist=base64.b64encode(dist_path.read_bytes()).decode(),
        groups=base64.b64encode(groups_path.read_bytes()).decode()), encoding="utf-8")
    return [dist_path, groups_path, page]
