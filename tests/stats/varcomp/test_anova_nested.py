"""fit_anova on designs that Henderson's method 1 does not allow for (found by an
adversarial review, 2026-12-01)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.stats.varcomp import fit_anova


def test_each_subject_rated_by_one_juror_only():
    """The residual row had df -2 and a negative 'sum of squares', and the juror share
    was 1.0 although subject and residual variance (which exist) could not be estimated."""
    df = pd.DataFrame(
        {
            "subject_id": ["U08", "U03", "U05", "U01", "U07", "U02", "U06", "U04"],
            "juror_id": ["J2", "J1", "J3", "J2", "J1", "J3", "J1", "J2"],
            "score": [3.0, 4.0, 2.0, 5.0, 3.5, 1.0, 4.5, 2.5],
        }
    )
    fit = fit_anova(df, response="score", random=["subject_id", "juror_id"])
    c = fit.components.set_index("component")
    assert c.loc["residual", "df"] < 0 and np.isnan(c.loc["residual", "ss"])
    assert "the terms are nested or coincide in these data" in c.loc["residual", "note"]
    assert c["share"].isna().all()
    assert "no shares: subject_id, residual cannot be estimated" in fit.note
    assert "no variation in the response" not in fit.note


def test_no_variation_is_said_only_when_there_is_none():
    df = pd.DataFrame({"p": [1, 1, 2, 2], "i": ["a", "b"] * 2, "y": [3.0] * 4})
    assert "no variation in the response" in fit_anova(df, response="y", random=["p", "i"]).note
