"""The trends analysis (notebook 05) on the bundled data, without a notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinerja.analyses import trends
from kinerja.analyses.base import check_tables
from kinerja.analyses.findings import check_findings
from kinerja.data.grades import GRADE_ORDER
from kinerja.data.io import load_dataset
from kinerja.paths import DATA_DIR


@pytest.fixture(scope="module")
def batu():
    return load_dataset("batu")


@pytest.fixture(scope="module")
def res2021(batu):
    return trends.analyse(batu, year=2021, n_boot=5, seed=1)


def _raw_grades():
    g = pd.read_csv(DATA_DIR / "batu" / "grades.csv", dtype={"unit_id": str})
    g["code"] = g["grade"].map({x: i for i, x in enumerate(GRADE_ORDER)})
    return g


def test_one_year_says_so_and_stops_cleanly(batu):
    res = trends.analyse(batu, year=min(batu.years), n_boot=10)
    check_tables(res, trends.TABLES)
    assert all(t.empty for t in res.tables.values())
    check_findings(res.findings)
    assert set(res.findings["status"]) == {"undefined"}
    assert res.findings["estimate"].isna().all()
    assert res.findings["statement"].str.contains("only one evaluation year").all()
    assert res.findings["statement_ind"].str.contains("satu tahun").all()


def test_tables_follow_their_specs_and_never_use_later_years(res2021):
    check_tables(res2021, trends.TABLES)
    check_findings(res2021.findings)
    for name, t in res2021.tables.items():
        for col in ("year", "year_to", "last_year"):
            if col in t and len(t):
                assert pd.to_numeric(t[col], errors="coerce").max() <= 2021, (name, col)
    assert res2021.facts["years"] == [2019, 2020, 2021]


def test_transitions_match_a_crosstab_of_the_grades_file(res2021):
    g = _raw_grades()
    a = g[g["year"] == 2020].set_index("unit_id")["grade"]
    b = g[g["year"] == 2021].set_index("unit_id")["grade"]
    ref = pd.crosstab(a.rename("grade_from"), b.reindex(a.index).rename("grade_to"))
    t = res2021.table("transitions")
    t = t[(t["year_from"] == 2020) & (t["year_to"] == 2021)]
    for r in t.itertuples():
        assert ref.loc[r.grade_from, r.grade_to] == r.n_units
    assert t["n_units"].sum() == ref.to_numpy().sum()
    m = res2021.table("movement").set_index("year_to").loc[2021]
    assert m["n_up"] + m["n_same"] + m["n_down"] == m["n_units"] == len(a)
    codes = b.reindex(a.index).map({x: i for i, x in enumerate(GRADE_ORDER)}) - a.map(
        {x: i for i, x in enumerate(GRADE_ORDER)}
    )
    assert (m["n_up"], m["n_down"]) == ((codes > 0).sum(), (codes < 0).sum())


def test_drift_is_the_mean_change_in_grade_steps_with_a_sign_test(res2021):
    g = _raw_grades()
    first = g[g["year"] == 2019].set_index("unit_id")["code"]
    last = g[g["year"] == 2021].set_index("unit_id")["code"]
    d = (last - first).dropna()
    drift = res2021.table("drift").set_index("statistic")
    assert drift.loc["mean change", "estimate"] == pytest.approx(d.mean())
    assert drift.loc["mean change", "ci_low"] <= d.mean() <= drift.loc["mean change", "ci_high"]
    from scipy.stats import binomtest

    up, down = int((d > 0).sum()), int((d < 0).sum())
    assert drift.loc["sign test", "p_value"] == pytest.approx(binomtest(up, up + down).pvalue)
    dist = res2021.table("grade_distribution")
    assert dist.groupby("year")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_severity_is_the_mean_deviation_from_the_panel_mean(batu, res2021):
    from kinerja.analyses.agreement import juror_grades

    jg = juror_grades(batu, 2021)
    jg["dev"] = jg["total"] - jg.groupby("subject_id")["total"].transform("mean")
    ref = jg.groupby("juror_id")["dev"].mean()
    sev = res2021.table("juror_severity")
    sev = sev[sev["year"] == 2021].set_index("juror_id")["severity"]
    pd.testing.assert_series_equal(sev.sort_index(), ref.sort_index(), check_names=False, check_index_type=False)
    stab = res2021.table("severity_stability")
    assert list(stab["year_from"]) == ["2019", "2020", "all"]
    assert stab["estimate"].between(-1, 1).all()


def test_agreement_over_time_reuses_the_agreement_icc(batu, res2021):
    from kinerja.analyses.agreement import juror_grades
    from kinerja.stats.agreement._icc import icc

    jg = juror_grades(batu, 2020).rename(columns={"total": "score"})
    ref = icc(jg[["subject_id", "juror_id", "score"]]).set_index("statistic")
    at = res2021.table("agreement_over_time").set_index(["year", "statistic"])
    assert at.loc[(2020, "ICC(2,1)"), "estimate"] == pytest.approx(ref.loc["ICC(2,1)", "estimate"])
    assert at.loc[(2020, "ICC(2,1)"), "ci_low"] < at.loc[(2020, "ICC(2,1)"), "estimate"]
    # the intervals are icc()'s own (F for complete data, generalized CI with missing cells)
    for s in ("ICC(2,1)", "ICC(2,k)"):
        assert at.loc[(2020, s), ["ci_low", "ci_high"]].tolist() == pytest.approx(
            ref.loc[s, ["ci_low", "ci_high"]].tolist()
        )


def test_findings_are_computed_in_both_languages_with_indonesian_numbers(res2021):
    f = res2021.findings.set_index("finding_id")
    assert list(f.index) == [
        "trends.transitions",
        "trends.drift",
        "trends.stable_units",
        "trends.agreement",
        "trends.severity",
    ]
    assert (f["status"] == "estimated").all()
    drift = f.loc["trends.drift"]
    assert f"{drift['estimate']:.2f}".replace(".", ",") in drift["statement_ind"]
    assert "2020 dan 2021" in f.loc["trends.transitions", "statement_ind"]


def test_same_seed_same_tables(batu, res2021):
    again = trends.analyse(batu, year=2021, n_boot=5, seed=1)
    for name, t in res2021.tables.items():
        pd.testing.assert_frame_equal(t, again.tables[name], obj=name)


def test_a_rubric_change_between_years_is_flagged(batu):
    res = trends.analyse(batu, year=2022, n_boot=0)
    assert res.facts["rubric_changes"] == [(2021, 2022)]
    f = res.findings.set_index("finding_id").loc["trends.transitions"]
    assert "not on the same instrument" in f["note"]
    assert "rubric changed between 2021 and 2022" in f["statement"]
    assert "Instrumen SAKIP berubah antara 2021 dan 2022" in f["statement_ind"]
    assert np.isnan(res.table("drift").set_index("statistic").loc["mean change", "ci_low"])  # n_boot=0


def test_a_rubric_change_outside_the_years_compared_is_not_blamed(batu):
    """2022-2023 share one rubric: the 2021-2022 change does not concern the 2022-2023
    transitions (the sentence said it did; found by running the collection on other data)."""
    res = trends.analyse(batu, year=2023, n_boot=0)
    assert (2021, 2022) in res.facts["rubric_changes"] and (2022, 2023) not in res.facts["rubric_changes"]
    f = res.findings.set_index("finding_id").loc["trends.transitions"]
    assert "Between 2022 and 2023" in f["statement"]
    assert "rubric changed" not in f["statement"] and "Instrumen SAKIP berubah" not in f["statement_ind"]


def test_two_returning_jurors_do_not_make_a_severity_correlation():
    """Two jurors' deviations from their panel are mirror images: the pooled r was 1.00
    [0.96, 1.00] and read as 'a harsher juror stays harsher' (found on a two-juror dataset)."""
    sev = pd.DataFrame(
        {
            "year": [2021, 2021, 2022, 2022, 2023, 2023],
            "juror_id": ["J1", "J2"] * 3,
            "severity": [2.0, -2.0, -1.0, 1.0, 3.0, -3.0],
        }
    )
    stab = trends.severity_stability(sev, [2021, 2022, 2023]).set_index("year_from")
    assert stab[["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert "a correlation needs at least 3" in stab.loc["all", "note"]


def test_drift_is_claimed_only_when_the_sign_test_agrees(batu):
    """Three units, each one grade up: the bootstrap interval of the mean change is [1, 1]
    but the sign test gives p = 0.25; the sentence had said 'a drift towards the top grades'
    (while 2 up, 0 down, p = 0.5 with an interval including 0 said 'no clear drift')."""
    from dataclasses import replace

    g = batu.grades
    units = list(g.loc[(g["year"] == 2020) & g["grade"].astype(str).isin(["BB", "B"]), "unit_id"][:3])
    keep = g[g["unit_id"].isin(units) & g["year"].isin([2020, 2021])].copy()
    step = {"BB": "A", "B": "BB"}
    first = keep[keep["year"] == 2020]
    second = first.assign(year=2021, grade=first["grade"].astype(str).map(step).astype(g["grade"].dtype), total=np.nan)
    grades = pd.concat([first, second], ignore_index=True)
    ds = replace(batu, tables={**batu.tables, "grades": grades})
    res = trends.analyse(ds, year=2021, n_boot=200, seed=1)
    d = res.table("drift").set_index("statistic")
    assert d.loc["mean change", "ci_low"] > 0 and d.loc["sign test", "p_value"] == pytest.approx(0.25)
    f = res.findings.set_index("finding_id").loc["trends.drift"]
    assert "no clear drift: the interval excludes no change, but too few units changed grade" in f["statement"]
    assert "tidak tampak pergeseran yang jelas" in f["statement_ind"]


def _batu_copy(tmp_path, edit):
    """The bundled batu dataset with its CSV tables changed by ``edit(tables)``."""
    import shutil

    folder = tmp_path / "batu_edit"
    shutil.copytree(DATA_DIR / "batu", folder, ignore=shutil.ignore_patterns("record", "truth"))
    tables = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("units", "grades", "innovations", "jurors", "rubric", "scores")
    }
    edit(tables)
    for name, t in tables.items():
        t.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return load_dataset(folder)


def test_a_report_year_without_grades_runs_the_grade_trend_to_the_last_graded_year(tmp_path):
    """2023 scored but not yet graded: the sentences said 'Between 2020 and 2022 ...' with
    the previous report's counts, the drift printed '—' and claimed an interval, and the
    transition heatmap crashed on an empty table."""
    ds = _batu_copy(tmp_path, lambda t: t.update(grades=t["grades"][t["grades"]["year"] != "2023"]))
    res = trends.analyse(ds, year=2023, n_boot=50, seed=1)
    check_findings(res.findings)
    assert res.facts["last_year"] == 2022 and res.facts["previous_year"] == 2021
    assert any("2023 has no grades on record yet" in n for n in res.notes)
    f = res.findings.set_index("finding_id")["statement"]
    assert f["trends.transitions"].startswith("Between 2021 and 2022")
    assert f["trends.drift"].startswith("From 2019 to 2022") and "—" not in f["trends.drift"]
    assert "2023" not in f["trends.transitions"] + f["trends.drift"] + f["trends.stable_units"]


def test_units_with_new_ids_are_not_counted_as_zero_of_zero(tmp_path):
    """Every unit id recoded in the last year: '0 of the 0 units ... moved up' and a drift
    of '— grade steps ... the interval includes no change'."""

    def recode(t):
        for name in ("units", "grades", "innovations", "jurors"):
            part = t[name]
            last = part["year"] == "2023"
            col = "home_unit_id" if name == "jurors" else "unit_id"
            if col in part:
                part.loc[last & (part[col] != ""), col] = "new_" + part.loc[last & (part[col] != ""), col]
        sc = t["scores"]
        sak = (sc["year"] == "2023") & (sc["evaluation"] == "sakip")
        sc.loc[sak, "subject_id"] = "new_" + sc.loc[sak, "subject_id"]

    ds = _batu_copy(tmp_path, recode)
    res = trends.analyse(ds, year=2023, n_boot=50, seed=1)
    f = res.findings.set_index("finding_id")
    for fid in ("trends.transitions", "trends.drift", "trends.stable_units"):
        assert f.loc[fid, "status"] == "undefined", fid
        assert f.loc[fid, "statement"].startswith("Not computed: no unit has a grade in"), fid
        assert "0 of the 0" not in f.loc[fid, "statement"]


def test_a_rubric_change_across_a_year_without_a_rubric_is_flagged(tmp_path):
    """2021 on PermenPANRB 12/2015, 2023 on 88/2021 and 2022 with grades only: the change
    went unnoticed because 2022 had no rubric to compare."""

    def drop_2022(t):
        r = t["rubric"]
        t["rubric"] = r[~((r["year"] == "2022") & (r["evaluation"] == "sakip"))]
        t["scores"] = t["scores"][~((t["scores"]["year"] == "2022") & (t["scores"]["evaluation"] == "sakip"))]

    ds = _batu_copy(tmp_path, drop_2022)
    res = trends.analyse(ds, year=2023, n_boot=50, seed=1)
    assert (2021, 2023) in res.facts["rubric_changes"]
    f = res.findings.set_index("finding_id")["statement"]
    assert "The SAKIP rubric changed between 2021 and 2023" in f["trends.transitions"]
    assert "The SAKIP rubric changed" in f["trends.drift"]


def test_the_trajectory_grid_has_one_row_per_unit():
    """Grouped by label, two units sharing an abbreviation were averaged (A and B shown as
    BB) and a renamed unit split in two rows."""
    from kinerja.report import trend_plots

    traj = pd.DataFrame(
        {
            "unit_id": ["u1", "u1", "u2", "u2", "u3", "u3"],
            "label": ["Same", "Same", "Same", "Same", "Old", "New"],
            "year": [2021, 2022] * 3,
            "grade_step": [4.0, 4.0, 2.0, 2.0, 3.0, 3.0],
        }
    )
    ax = trend_plots.trajectory_grid(traj, ["synthetic"])
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 3
    assert sorted(rows) == ["New", "Same (u1)", "Same (u2)"]
    cells = sorted(t.get_text() for t in ax.texts if t.get_text() in GRADE_ORDER)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)  # later tests check that no figure is left open
    assert cells == ["B", "B", "BB", "BB", "CC", "CC"]
