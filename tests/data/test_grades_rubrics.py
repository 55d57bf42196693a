"""Grade bands and rubric arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinerja import grades, rubrics


# Bands per the PermenPANRB 88/2021 interpretation table (lower bound exclusive, upper
# inclusive; D includes 0): AA >90-100, A >80-90, BB >70-80, B >60-70, CC >50-60, C >30-50, D 0-30.
@pytest.mark.parametrize(
    "total, grade",
    [
        (100, "AA"),
        (90.01, "AA"),
        (90, "A"),
        (80.01, "A"),
        (80, "BB"),
        (70.5, "BB"),
        (70, "B"),
        (60, "CC"),
        (50, "C"),
        (30.01, "C"),
        (30, "D"),
        (0, "D"),
    ],
)
def test_band_edges(total, grade):
    assert grades.grade_from_total(total) == grade


@pytest.mark.parametrize("bad", [-0.01, 100.01, np.nan])
def test_out_of_range_total_has_no_grade(bad):
    assert grades.grade_from_total(bad) is None


def test_unknown_grade_names_the_choices():
    with pytest.raises(ValueError, match="AA, A, BB, B, CC, C, D"):
        grades.band("A+")


@pytest.mark.parametrize(
    "name, n_components, first_weights",
    [
        (
            "sakip_12_2015",
            5,
            {
                "Perencanaan Kinerja": 30,
                "Pengukuran Kinerja": 25,
                "Pelaporan Kinerja": 15,
                "Evaluasi Internal": 10,
                "Pencapaian Sasaran/Kinerja Organisasi": 20,
            },
        ),
        (
            "sakip_88_2021",
            4,
            {
                "Perencanaan Kinerja": 30,
                "Pengukuran Kinerja": 30,
                "Pelaporan Kinerja": 15,
                "Evaluasi Akuntabilitas Kinerja Internal": 25,
            },
        ),
    ],
)
def test_bundled_sakip_component_weights(name, n_components, first_weights):
    r = rubrics.bundled_rubric(name)
    w = r.groupby("component")["weight"].sum()
    assert len(w) == n_components
    assert w.to_dict() == pytest.approx(first_weights)


def test_kovablik_stages_sum_to_100():
    r = rubrics.bundled_rubric("kovablik_jatim_2025")
    assert r.groupby("stage")["weight"].sum().to_dict() == {"presentasi": 100, "proposal": 100}


def _tiny():
    rub = pd.DataFrame(
        {
            "year": 2020,
            "evaluation": "sakip",
            "stage": "lke",
            "criterion_id": ["a", "b", "c"],
            "component": ["X", "X", "Y"],
            "weight": [20.0, 30.0, 50.0],
        }
    )
    sc = pd.DataFrame(
        {
            "year": 2020,
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": ["u"] * 5,
            "juror_id": ["J1"] * 3 + ["J2"] * 2,
            "criterion_id": ["a", "b", "c", "a", "c"],
            "score": [50.0, 100.0, 80.0, 60.0, 70.0],
        }
    )
    return sc, rub


def test_weighted_totals_by_hand():
    sc, rub = _tiny()
    t = rubrics.weighted_totals(sc, rub).set_index("juror_id")
    assert t.loc["J1", "total"] == pytest.approx(0.2 * 50 + 0.3 * 100 + 0.5 * 80)  # 80
    assert np.isnan(t.loc["J2", "total"]) and t.loc["J2", "n_criteria"] == 2  # incomplete: undefined
    st = rubrics.subject_totals(sc, rub)
    assert st.loc[0, "total"] == pytest.approx(80) and st.loc[0, "n_jurors"] == 1 and st.loc[0, "n_incomplete"] == 1


def test_juror_measures_by_hand():
    sc, rub = _tiny()
    m = rubrics.juror_measures(sc, rub).set_index(["juror_id", "measure"])["score"]
    assert m["J1", "X"] == pytest.approx((20 * 50 + 30 * 100) / 50)  # 80
    assert m["J1", "Y"] == pytest.approx(80)
    assert np.isnan(m["J2", "X"])  # criterion b unscored
    assert m["J2", "Y"] == pytest.approx(70)
    assert m["J1", "total"] == pytest.approx(80)
