"""Survey-weighted prevalence of each lab status in a population file.

Why: "what share of adults is vitamin D deficient?" needs the same cut-offs as the single
assessment (lab status comes from ``nutrispine.batch.labs``, which reads the knowledge base) and
the design-based estimator NCHS uses (``nutrispine.batch.survey``). Subgroups (age range, sex,
``--by`` groups) are domains: every row stays in the design.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from nutrispine.batch import io, labs
from nutrispine.batch.survey import Design, DomainEstimate, domain_shares
from nutrispine.errors import InputError, Problem

STATUSES = list(labs.STATUSES)
DESIGN_COLUMNS = ("weight", "psu", "stratum")
# Age groups of NCHS reports on 25(OH)D (Herrick et al., Am J Clin Nutr 2019;110:150, Table 1):
# a reporting convention, not a clinical threshold. Bounds are whole years, inclusive.
AGE_GROUPS: list[tuple[str, float, float]] = [
    ("1-5", 1, 5), ("6-11", 6, 11), ("12-19", 12, 19),
    ("20-39", 20, 39), ("40-59", 40, 59), ("60+", 60, float("inf")),
]
BY_CHOICES = ("age_group", "sex", "cycle", "pregnant")


@dataclass(frozen=True)
class Filters:
    """The domain asked for on the command line."""

    min_age: float | None = None
    max_age: float | None = None
    sex: str | None = None

    def describe(self) -> str:
        parts = []
        if self.min_age is not None or self.max_age is not None:
            low = "" if self.min_age is None else f"{self.min_age:g}"
            high = "" if self.max_age is None else f"{self.max_age:g}"
            parts.append(f"age {low}-{high}" if high else f"age {low}+")
        if self.sex:
            parts.append(self.sex)
        return ", ".join(parts) or "everyone"


def age_group_expr(column: str = "age") -> pl.Expr:
    """The reporting age group of each row (null below 1 year)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for label, low, _high in AGE_GROUPS:  # the last (oldest) becomes the outermost test
        expr = pl.when(pl.col(column) >= low).then(pl.lit(label)).otherwise(expr)
    return expr


def load_population(source: Path | pl.DataFrame, nutrient: str, by: list[str]) -> pl.DataFrame:
    """The columns prevalence needs: status, design, age, sex and the ``by`` variables."""
    frame = io.scan_input(source) if isinstance(source, Path) else source.lazy()
    schema = frame.collect_schema()
    status = labs.status_column(nutrient)
    if status in schema.names():  # a screening output: the status is already there
        status_expr = pl.col(status).cast(pl.String).replace_strict(
            list(labs.CODES), list(range(len(labs.CODES))), default=None, return_dtype=pl.Int64)
    else:
        frame = labs.nutrient_status_frame(frame, nutrient)
        status_expr = pl.col(labs.code_column(nutrient)).cast(pl.Int64)
    wanted = [c for c in ("age", "sex", *DESIGN_COLUMNS, *by) if c in schema.names()]
    wanted = [c for c in dict.fromkeys(wanted) if c != "age_group"]
    table = frame.select(*[pl.col(c) for c in wanted], status_expr.alias("status")).collect()
    if "age" in table.columns:
        table = table.with_columns(age_group_expr().alias("age_group"))
    return table


def _design(table: pl.DataFrame) -> Design:
    if "weight" not in table.columns:
        return Design.unweighted(table.height)
    weight = table["weight"].fill_null(0.0).cast(pl.Float64).to_numpy()
    if np.any(weight < 0):
        raise InputError(Problem("weight", "weights must not be negative"))
    if "psu" in table.columns and "stratum" in table.columns:
        if table["psu"].null_count() or table["stratum"].null_count():
            raise InputError(Problem("psu", "psu and stratum must be given on every row"))
        psu = table["psu"].cast(pl.String).cast(pl.Categorical).to_physical().to_numpy()
        stratum = table["stratum"].cast(pl.String).cast(pl.Categorical).to_physical().to_numpy()
        return Design(weight, stratum.astype(np.int64), psu.astype(np.int64))
    return Design(weight)


def _mask(table: pl.DataFrame, filters: Filters) -> np.ndarray:
    expr = pl.lit(True)
    if filters.min_age is not None or filters.max_age is not None:
        if "age" not in table.columns:
            raise InputError(Problem("age", "the file has no age column to filter on"))
        if filters.min_age is not None:
            expr = expr & (pl.col("age") >= filters.min_age)
        if filters.max_age is not None:
            expr = expr & (pl.col("age") <= filters.max_age)
    if filters.sex is not None:
        if "sex" not in table.columns:
            raise InputError(Problem("sex", "the file has no sex column to filter on"))
        expr = expr & (pl.col("sex") == filters.sex)
    return table.with_columns(expr.fill_null(False).alias("_m"))["_m"].to_numpy()


def _block(estimate: DomainEstimate, weighted: bool) -> dict[str, Any]:
    return {
        "n": estimate.n,
        "weighted": weighted,
        "status": {label: share.as_percent() for label, share in estimate.shares.items()},
    }


def estimate(
    table: pl.DataFrame, nutrient: str, filters: Filters, by: list[str] | None = None
) -> dict[str, Any]:
    """Prevalence of each status overall (within ``filters``) and for each ``by`` group."""
    by = by or []
    for name in by:
        if name not in BY_CHOICES:
            raise InputError(Problem("--by", f"cannot group by {name!r}", list(BY_CHOICES)))
        if name not in table.columns:
            raise InputError(Problem("--by", f"the file has no {name!r} column"))
    design = _design(table)
    weighted = "weight" in table.columns
    # status codes 0-3 are STATUSES in order; not tested and marker codes count as missing
    codes = table.select(
        pl.when(pl.col("status") < len(STATUSES)).then(pl.col("status")).otherwise(-1)
        .fill_null(-1)).to_series().to_numpy()
    base = _mask(table, filters)
    overall = domain_shares(codes, STATUSES, design, base)
    if overall.n == 0:
        raise InputError(Problem("FILE", f"no {labs.test_name(nutrient)} results (with a weight "
                                         f"above 0) for {filters.describe()} in the file"))
    result: dict[str, Any] = _block(overall, weighted)
    result.update({"nutrient": nutrient, "domain": filters.describe(), "df": overall.df,
                   "ci_method": "korn-graubard" if weighted else "clopper-pearson",
                   "se_method": "taylor-linearisation" if weighted else "binomial"})
    if by:
        levels = [_levels(table, name) for name in by]
        groups = []
        for combo in itertools.product(*levels):
            mask = base.copy()
            for name, level in zip(by, combo, strict=True):
                mask &= table.select((pl.col(name) == level).fill_null(False)).to_series().to_numpy()
            group = _block(domain_shares(codes, STATUSES, design, mask), weighted)
            if group["n"]:
                groups.append({**dict(zip(by, combo, strict=True)), **group})
        result["groups"] = groups
    return result


def _levels(table: pl.DataFrame, name: str) -> list[Any]:
    values = table[name].drop_nulls().unique().to_list()
    if name == "age_group":
        order = [label for label, _, _ in AGE_GROUPS]
        return [v for v in order if v in values]
    return sorted(values)


def render_text(result: dict[str, Any]) -> str:
    """A plain table for the terminal."""
    head = (f"{result['nutrient']}: {result['domain']}, n = {result['n']}, "
            f"{'survey-weighted' if result['weighted'] else 'unweighted'}")
    lines = [head, f"{'status':<12}{'percent':>9}{'SE':>7}   95% CI"]

    def rows(block: dict[str, Any], indent: str = "") -> None:
        for label, s in block["status"].items():
            low, high = s["ci95"]
            lines.append(f"{indent}{label:<12}{s['percent']:>9.1f}{s['se']:>7.1f}   "
                         f"{low:.1f}-{high:.1f}")

    rows(result)
    for group in result.get("groups", []):
        keys = [k for k in group if k not in ("n", "weighted", "status")]
        lines.append("")
        lines.append(", ".join(f"{k} {group[k]}" for k in keys) + f" (n = {group['n']})")
        rows(group)
    method = ("SE by Taylor linearisation (strata, PSUs with replacement); 95% CI Korn-Graubard"
              if result["weighted"] else "no weight column: unweighted shares, binomial SE")
    lines.append("")
    lines.append(method)
    return "\n".join(lines)
