"""Design-based estimates of proportions from a complex survey (NHANES style).

Why this module exists: a share computed from NHANES rows without the exam weights is biased, and
a standard error that ignores strata and PSUs is too small. NCHS estimates proportions as a
weighted ratio mean, its variance by Taylor linearisation with PSUs treated as sampled with
replacement within strata (SUDAAN's ``design=WR``, R ``survey::svymean``), subpopulations by domain
estimation (rows outside the domain keep their PSU in the design with a zero contribution), and a
95% confidence interval by the Korn-Graubard method (Parker et al., NCHS Data Presentation
Standards for Proportions, Vital Health Stat 2(175), 2017). This module does exactly that, on plain
NumPy arrays, with no knowledge of nutrients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Bool = NDArray[np.bool_]
Float = NDArray[np.float64]


@dataclass(frozen=True)
class Design:
    """A stratified multistage design reduced to what Taylor linearisation needs.

    ``weight`` is the analysis weight of every row in the file (all rows, not just a domain);
    ``stratum`` and ``psu`` identify the first-stage units (PSU codes may repeat across strata).
    A design with ``stratum`` and ``psu`` of None is a simple random sample of rows.
    """

    weight: Float
    stratum: NDArray[np.int64] | None = None
    psu: NDArray[np.int64] | None = None

    @classmethod
    def unweighted(cls, n: int) -> Design:
        """A simple random sample of ``n`` rows with equal weights."""
        return cls(weight=np.ones(n))

    @property
    def clustered(self) -> bool:
        return self.stratum is not None and self.psu is not None

    def psu_index(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Dense PSU ids (0..P-1) per row, and the dense stratum id of each PSU."""
        n = len(self.weight)
        if not self.clustered:  # every row its own PSU in a single stratum
            return np.arange(n), np.zeros(n, dtype=np.int64)
        assert self.stratum is not None and self.psu is not None
        _, s_dense = np.unique(self.stratum, return_inverse=True)
        _, p_dense = np.unique(self.psu, return_inverse=True)
        key = s_dense.astype(np.int64) * (int(p_dense.max()) + 1) + p_dense
        uniq, psu_of_row = np.unique(key, return_inverse=True)
        _, stratum_of_psu = np.unique(uniq // (int(p_dense.max()) + 1), return_inverse=True)
        return psu_of_row.ravel(), stratum_of_psu.ravel()


@dataclass(frozen=True)
class Proportion:
    """One estimated proportion (0-1 scale) with its standard error and 95% interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float

    def as_percent(self, digits: int = 2) -> dict[str, object]:
        """The contract's shape: percent, se and ci95, all in percentage points."""
        return {
            "percent": round(100 * self.estimate, digits),
            "se": round(100 * self.se, digits),
            "ci95": [round(100 * self.ci_low, digits), round(100 * self.ci_high, digits)],
        }


@dataclass(frozen=True)
class DomainEstimate:
    """Shares of several mutually exclusive categories within one domain."""

    n: int
    df: int
    weighted_total: float
    shares: dict[str, Proportion]


def wr_variance(scores: Float, design: Design) -> Float:
    """With-replacement Taylor variance of totals of ``scores`` (rows x k) over PSUs in strata.

    Var = sum_h n_h/(n_h-1) * sum_j (z_hj - mean_h z)^2 with z_hj the PSU totals. A stratum with a
    single PSU (a "lonely PSU") is centred on the grand mean of PSU totals, like R's
    ``options(survey.lonely.psu = "adjust")``, instead of silently contributing nothing.
    """
    psu_of_row, stratum_of_psu = design.psu_index()
    n_psu = int(psu_of_row.max()) + 1 if len(psu_of_row) else 0
    k = scores.shape[1]
    totals = np.zeros((n_psu, k))
    np.add.at(totals, psu_of_row, scores)
    n_strata = int(stratum_of_psu.max()) + 1 if n_psu else 0
    count = np.bincount(stratum_of_psu, minlength=n_strata).astype(float)
    sums = np.zeros((n_strata, k))
    np.add.at(sums, stratum_of_psu, totals)
    means = sums / count[:, None]
    lonely = count[stratum_of_psu] == 1
    centre = means[stratum_of_psu]
    if lonely.any():
        centre[lonely] = totals.mean(axis=0)
    dev2 = (totals - centre) ** 2
    factor = np.where(count > 1, count / np.maximum(count - 1, 1), 1.0)
    var = np.zeros((n_strata, k))
    np.add.at(var, stratum_of_psu, dev2)
    return np.asarray((var * factor[:, None]).sum(axis=0), dtype=np.float64)


def domain_df(design: Design, domain: Bool) -> int:
    """Degrees of freedom: PSUs minus strata, counting only those with rows in the domain.

    NCHS computes the degrees of freedom of a subgroup this way (Parker et al. 2017, p. 8).
    """
    if not design.clustered:
        return max(int(domain.sum()) - 1, 1)
    psu_of_row, stratum_of_psu = design.psu_index()
    psus = np.unique(psu_of_row[domain])
    strata = np.unique(stratum_of_psu[psus])
    return max(len(psus) - len(strata), 1)


def korn_graubard(p: float, se: float, n: int, df: int, level: float = 0.95) -> tuple[float, float]:
    """Korn-Graubard confidence interval for a survey proportion (NCHS data-brief standard).

    Effective sample size n_eff = p(1-p)/se^2, set to n when the design effect is below 1 or the
    variance is zero; adjusted for the design's degrees of freedom by (t_{n-1}/t_df)^2; then the
    Clopper-Pearson interval for x = p * n_eff successes out of n_eff.
    """
    alpha = 1 - level
    if n <= 0:
        return (float("nan"), float("nan"))
    var = se * se
    n_eff = p * (1 - p) / var if var > 0 and 0 < p < 1 else float(n)
    n_eff = min(n_eff, float(n))
    if n > 1:
        n_eff *= (stats.t.ppf(1 - alpha / 2, n - 1) / stats.t.ppf(1 - alpha / 2, df)) ** 2
    x = p * n_eff
    low = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n_eff - x + 1))
    high = 1.0 if x >= n_eff else float(stats.beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return (low, high)


def domain_shares(
    codes: NDArray[np.int64],
    labels: list[str],
    design: Design,
    domain: Bool,
    level: float = 0.95,
) -> DomainEstimate:
    """Weighted share of each label among domain rows whose category is not missing.

    ``codes`` holds, per row of the whole file, the index of its label in ``labels`` or -1 when
    missing; rows with -1, rows outside ``domain`` and rows with zero weight contribute zero
    scores but stay in the design.
    The ratio estimator p = sum(w d y)/sum(w d) is linearised as z_i = w_i d_i (y_i - p)/sum(w d).
    """
    codes = np.asarray(codes)
    d = domain & (codes >= 0) & (design.weight > 0)
    wd = np.where(d, design.weight, 0.0)
    total = float(wd.sum())
    n = int(d.sum())
    df = domain_df(design, d)
    y = np.stack([(codes == j) & d for j in range(len(labels))], axis=1).astype(float)
    if total <= 0:
        nan = Proportion(float("nan"), float("nan"), float("nan"), float("nan"))
        return DomainEstimate(n=n, df=df, weighted_total=0.0, shares=dict.fromkeys(labels, nan))
    p = (wd[:, None] * y).sum(axis=0) / total
    scores = wd[:, None] * (y - p[None, :]) / total
    se = np.sqrt(wr_variance(scores, design))
    shares = {}
    for j, label in enumerate(labels):
        low, high = korn_graubard(float(p[j]), float(se[j]), n, df, level)
        shares[label] = Proportion(float(p[j]), float(se[j]), low, high)
    return DomainEstimate(n=n, df=df, weighted_total=total, shares=shares)
