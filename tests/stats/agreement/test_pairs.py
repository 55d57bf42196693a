"""Bland–Altman and juror x juror matrices."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # test process only; never around a notebook run

import numpy as np
import pandas as pd
import pytest
from statsmodels.graphics.agreement import mean_diff_plot

from kinerja.agreement import bland_altman, most_discrepant_pair, pairwise

# Bland & Altman (1986), Lancet 327:307-310, Table 1: peak expiratory flow rate (l/min),
# first measurement with the Wright and the mini Wright meter, 17 subjects.
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def _long(a, b):
    n = len(a)
    return pd.DataFrame(
        {
            "subject_id": np.tile(np.arange(n), 2),
            "juror_id": ["wright"] * n + ["mini"] * n,
            "score": np.concatenate([a, b]).astype(float),
        }
    )


def test_bland_altman_1986_published_values():
    # Paper: mean difference -2.1 l/min, SD 38.8; limits (mean +- 2 SD) -79.7 to 75.5,
    # computed by the authors from the rounded mean and SD.
    r = bland_altman(_long(WRIGHT, MINI), rater_a="wright", rater_b="mini", k=2).iloc[0]
    assert r["n_subjects"] == 17 and r["statistic"] == "bias"
    assert round(r["estimate"], 1) == -2.1
    assert round(r["sd_diff"], 1) == 38.8
    assert round(r["estimate"], 1) - 2 * round(r["sd_diff"], 1) == pytest.approx(-79.7)
    assert r["loa_low"] == pytest.approx(-79.7, abs=0.1) and r["loa_high"] == pytest.approx(75.5, abs=0.1)


def test_bland_altman_against_statsmodels_mean_diff_plot():
    """Known disagreement: statsmodels draws the limits with the population SD (ddof=0);
    we use the sample SD (ddof=1) as Bland & Altman do (their 38.8 is the ddof=1 value).
    Rescaling our SD by sqrt((n-1)/n) reproduces statsmodels' lines exactly."""
    r = bland_altman(_long(WRIGHT, MINI), rater_a="wright", rater_b="mini").iloc[0]  # k = 1.96
    fig = mean_diff_plot(np.array(WRIGHT, float), np.array(MINI, float), sd_limit=1.96)
    ys = sorted({round(float(line.get_ydata()[0]), 10) for line in fig.axes[0].lines})
    sd0 = r["sd_diff"] * np.sqrt((r["n_subjects"] - 1) / r["n_subjects"])
    b = r["estimate"]
    assert ys == pytest.approx(sorted([b - 1.96 * sd0, b, b + 1.96 * sd0]), abs=1e-9)
    assert r["loa_high"] - r["loa_low"] > ys[2] - ys[0]  # ours are the (wider) sample-SD limits


def test_bland_altman_ci_contains_estimates_and_too_few_subjects_is_nan():
    r = bland_altman(_long(WRIGHT, MINI), rater_a="wright", rater_b="mini").iloc[0]
    assert r["ci_low"] < r["estimate"] < r["ci_high"]
    assert r["loa_low_ci_low"] < r["loa_low"] < r["loa_low_ci_high"]
    one = bland_altman(_long([1.0], [2.0]), rater_a="wright", rater_b="mini").iloc[0]
    assert np.isnan(one["estimate"]) and "at least 2" in one["note"]


def test_pairwise_matrix_symmetric_and_discrepant_pair():
    rng = np.random.default_rng(1)
    truth = rng.normal(70, 8, 30)
    rows = []
    for j, shift in zip("abcd", [0, 0.5, -0.5, 9.0]):  # juror d is far more lenient
        rows += [{"subject_id": i, "juror_id": j, "score": t + shift + rng.normal(0, 2)} for i, t in enumerate(truth)]
    df = pd.DataFrame(rows)
    m = pairwise(df, statistic="icc_a1")
    assert np.allclose(m.to_numpy(), m.to_numpy().T, equal_nan=True)
    assert m.loc["a", "b"] > m.loc["a", "d"]  # absolute agreement penalises the lenient juror
    p = pairwise(df, statistic="pearson")
    assert p.loc["a", "d"] > 0.9  # ... which consistency does not
    assert "d" in most_discrepant_pair(df)
