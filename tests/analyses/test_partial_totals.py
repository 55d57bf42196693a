"""Juror totals left out because a criterion is unscored: every analysis says how many,
and, when no juror has a complete total, says that (not "no juror scores").

Found on a dataset whose every juror x unit cell missed one criterion: notebook 01 said
"there are no SAKIP juror scores this year" and "Only 0 juror(s) scored SAKIP", notebook
04 "no SAKIP totals (neither published nor from juror scores)", notebook 02 that "a
severity adjustment would change 0 grades", beside thousands of score rows."""

from __future__ import annotations

import pytest

from kinerja.analyses import agreement, categories, innovations, overview
from kinerja.analyses import juror_effects as je
from kinerja.analyses.findings import totals_left_out, why_no_juror_totals
from kinerja.io import load_dataset
from kinerja.report.notebook import findings_markdown
from kinerja.rubrics import totals_account

from .. import datasets


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    return load_dataset(datasets.partial_cells(tmp_path_factory.mktemp("p") / "partial_cells"))


@pytest.fixture(scope="module")
def none_complete(tmp_path_factory):
    return load_dataset(datasets.no_complete_totals(tmp_path_factory.mktemp("n") / "no_complete_totals"))


def _sakip(ds):
    return (
        ds.scores[ds.scores["evaluation"] == "sakip"],
        ds.rubric[ds.rubric["evaluation"] == "sakip"],
    )


def test_the_account_counts_cells_by_hand(partial, none_complete):
    sc, rub = _sakip(partial)
    per_cell = sc.groupby(["stage", "subject_id", "juror_id"], observed=True)["criterion_id"].nunique()
    n_criteria = rub.groupby("stage")["criterion_id"].nunique()
    short = per_cell < per_cell.index.get_level_values("stage").map(n_criteria).to_numpy()
    acc = totals_account(sc, rub)
    assert acc["n_cells"] == len(per_cell)
    assert acc["n_incomplete"] == int(short.sum()) > 0
    assert acc["n_jurors_complete"] == acc["n_jurors"] >= 2
    acc0 = totals_account(*_sakip(none_complete))
    assert acc0["n_incomplete"] == acc0["n_cells"] > 0
    assert acc0["n_jurors_complete"] == acc0["n_subjects_complete"] == 0
    assert why_no_juror_totals(acc) is None
    assert "no juror scored every criterion" in why_no_juror_totals(acc0)[0]


def test_agreement_says_who_is_left_out_and_why_nothing_is_computed(partial, none_complete):
    res = agreement.analyse(partial, n_boot=0)
    f = res.findings.set_index("finding_id")
    left = totals_left_out(totals_account(*_sakip(partial)))
    assert left and left in f.loc["agreement.published_total", "statement"]
    assert "who scored every criterion" in f.loc["agreement.published_total", "statement"]
    assert "tidak diikutkan" in f.loc["agreement.published_total", "statement_ind"]
    total_rows = res.table("agreement")
    total_rows = total_rows[
        (total_rows["evaluation"] == "sakip") & (total_rows["measure"] == "total") & (total_rows["panel"] == "all")
    ]
    assert total_rows["note"].str.contains(left, regex=False).all()

    res0 = agreement.analyse(none_complete, n_boot=0)
    f0 = res0.findings.set_index("finding_id")
    sakip = f0.loc[["agreement.two_jurors", "agreement.published_total", "agreement.near_boundary"]]
    assert (sakip["status"] == "undefined").all()
    assert sakip["statement"].str.contains("no juror scored every criterion of any unit").all()
    assert not sakip["statement"].str.contains("no SAKIP juror scores").any()
    assert res0.facts["no_totals_why"][0].startswith("no juror scored every criterion")
    # the four undefined findings with one reason open the report once
    assert findings_markdown(res0.findings).count("no juror scored every criterion") == 1


def test_juror_effects_does_not_claim_zero_grade_changes_without_totals(none_complete):
    res = je.analyse(none_complete, n_resamples=50, seed=1)
    f = res.findings.set_index("finding_id")
    # leniency is on criterion scores: still estimated
    assert f.loc["juror_effects.leniency", "status"] == "estimated"
    assert "would change 0 grades" not in f.loc["juror_effects.leniency", "statement"]
    assert "No unit has a complete juror total" in f.loc["juror_effects.leniency", "statement"]
    for fid in ("juror_effects.grade_changes", "juror_effects.jurors_needed"):
        assert "no juror scored every criterion" in f.loc[fid, "statement"]
    assert "no juror scored every criterion" in res.facts["stability_note"]


def test_overview_and_categories_and_innovations_name_the_cause(partial, none_complete):
    o = overview.analyse(partial).findings.set_index("finding_id")
    assert "are left out" in o.loc["data.totals_reproduce_grades", "statement"]
    o0 = overview.analyse(none_complete).findings.set_index("finding_id")
    assert o0.loc["data.totals_reproduce_grades", "status"] == "undefined"
    assert "incomplete" in o0.loc["data.totals_reproduce_grades", "statement"]

    c = categories.analyse(partial, n_boot=0, n_perm=0)
    assert any("are left out" in n for n in c.notes)

    i0 = innovations.analyse(none_complete, n_perm=200, n_reweight=0, seed=1)
    models = i0.table("juror_models")
    gap = models[models["analysis"] == "award gap"].iloc[0]
    assert "juror totals are incomplete" in gap["note"]
    assert "neither published nor from juror scores" not in gap["note"]
    halo = i0.table("halo")
    assert halo["note"].str.contains("SAKIP juror totals are left out").all()
