"""How much does the rubric decide the ranking? Rankings and grades under other weights.

A rubric turns each juror's criterion scores into a total with fixed weights; the
ranking (who wins an award) and the SAKIP grade follow from those totals. Other
weights would be as defensible: the provincial KOVABLIK rubric gives 10 of 100
presentation points to whether the regional head attends, and SAKIP's components were
reweighted between PermenPANRB 12/2015 and 88/2021. This module recomputes the totals
under

* deterministic alternatives (:func:`weight_scenarios`): equal weights within each
  stage, and each criterion dropped in turn (its stage's other weights scaled up to
  100);
* many random reweightings around the official weights (:func:`dirichlet_weights`):
  each stage's weight vector drawn from a Dirichlet distribution centred on the
  official one, with a stated concentration;
* for SAKIP, the component weights of the other regulation (:func:`regulation_grades`);

and reports how far the ranking moves (Kendall's tau-b to the official ranking), how
often each subject stays in the top 5 / top 10, and how often a SAKIP grade changes
(:func:`rubric_sensitivity`).

Everything is vectorised: a subject's total under any weights is the product of its
juror-mean criterion scores with the weight vector, so ten thousand reweightings are
one matrix product (see ``benchmarks/bench_sensitivity.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER, grade_from_total
from ..data.rubrics import bundled_rubric
from .bootstrap import check_rng
from .innovation import RESULT_COLUMNS

__all__ = [
    "ATTENDANCE_PATTERN",
    "COMPONENT_KEYS",
    "RubricSensitivity",
    "canonical_component",
    "criterion_means",
    "weight_scenarios",
    "dirichlet_weights",
    "kendall_tau_b",
    "rank_descending",
    "rubric_sensitivity",
    "component_scores",
    "regulation_weights",
    "regulation_grades",
]

#: Criterion names that are about attendance, not the innovation (case-insensitive).
ATTENDANCE_PATTERN = r"kehadiran|hadir|attend"

#: Canonical SAKIP components and the (case-insensitive) patterns that recognise them in a
#: rubric's ``component`` names. 12/2015 has all five; 88/2021 has no achievement
#: component (performance achievement left the LKE as a scored component).
COMPONENT_KEYS: dict[str, str] = {
    "achievement": r"capaian",  # "Pencapaian Sasaran/Kinerja Organisasi" (12/2015)
    "planning": r"perencanaan",
    "measurement": r"pengukuran",
    "reporting": r"pelaporan",
    "evaluation": r"evaluasi",
}

#: The regulations whose component weights :func:`regulation_grades` compares.
REGULATIONS = {"12_2015": "sakip_12_2015", "88_2021": "sakip_88_2021"}

_ROUND = 9  # totals are rounded to 1e-9 before ranking, so float noise never breaks a tie


def canonical_component(name: str) -> str | None:
    """The canonical SAKIP component a rubric component name belongs to, or None.

    >>> canonical_component("Pencapaian Sasaran/Kinerja Organisasi"), canonical_component("Evaluasi Internal")
    ('achievement', 'evaluation')
    >>> canonical_component("Inovasi") is None
    True
    """
    for key, pat in COMPONENT_KEYS.items():
        if re.search(pat, str(name), flags=re.IGNORECASE):
            return key
    return None


def _check_single(rubric: pd.DataFrame) -> None:
    for col in ("year", "evaluation"):
        if col in rubric.columns and rubric[col].nunique() > 1:
            raise ValueError(
                f"the rubric holds several values of {col!r} ({sorted(map(str, rubric[col].unique()))}); "
                "pass the rows of one evaluation in one year"
            )
    for col in ("stage", "criterion_id", "weight"):
        if col not in rubric.columns:
            raise KeyError(f"the rubric needs a {col!r} column; it has {list(rubric.columns)}")


def _criteria(rubric: pd.DataFrame, stages) -> pd.DataFrame:
    _check_single(rubric)
    r = rubric.copy()
    if stages is not None:
        stages = [stages] if isinstance(stages, str) else list(stages)
        unknown = sorted(set(stages) - set(r["stage"]))
        if unknown:
            raise ValueError(f"stage(s) {unknown} are not in the rubric; its stages are {sorted(set(r['stage']))}")
        r = r[r["stage"].isin(stages)]
    r = r.reset_index(drop=True)
    if r.empty:
        raise ValueError("the rubric has no criteria for the stages asked")
    for c in ("criterion", "component"):
        if c not in r.columns:
            r[c] = r["criterion_id"]
    r["stage"] = r["stage"].astype(str)
    r["criterion_id"] = r["criterion_id"].astype(str)
    r["weight"] = r["weight"].astype(float)
    r["stage_index"] = pd.factorize(r["stage"])[0]
    # a criterion's label: its id, or stage:id when ids repeat across stages
    dup = r["criterion_id"].duplicated(keep=False)
    r["label"] = np.where(dup, r["stage"] + ":" + r["criterion_id"], r["criterion_id"])
    return r[["stage", "criterion_id", "label", "criterion", "component", "weight", "stage_index"]]


def criterion_means(scores: pd.DataFrame, rubric: pd.DataFrame, *, stages=None) -> pd.DataFrame:
    """Each subject's juror-mean score on each criterion, over the jurors who scored the
    whole stage.

    Parameters
    ----------
    scores : DataFrame
        Long scores of one evaluation: ``stage, subject_id, juror_id, criterion_id,
        score``.
    rubric : DataFrame
        Its rubric: ``stage, criterion_id, weight`` (``criterion``, ``component``
        optional).
    stages : str or list of str, optional
        Stages to keep (default all of the rubric's).

    Returns
    -------
    DataFrame
        ``subject_id, stage, criterion_id, mean_score, n_jurors`` (jurors with a complete
        stage for that subject), one row per subject and criterion of a stage the
        subject was scored in.

    Notes
    -----
    A juror who left a criterion of a stage unscored has no total for that stage (a
    partial total is not on the 0-100 scale; :func:`kinerja.data.rubrics.weighted_totals`
    follows the same rule), so their scores of that stage are left out for that
    subject. Then, for any weights ``w``, ``sum_k mean_score[k] * w[k] / 100`` is the mean
    over jurors of their weighted totals: the official total is recovered exactly.

    Examples
    --------
    >>> sc = pd.DataFrame({"stage": "s", "subject_id": ["a", "a", "a", "a"], "juror_id": ["J1", "J1", "J2", "J2"],
    ...                    "criterion_id": ["c1", "c2", "c1", "c2"], "score": [80, 60, 70, 50.0]})
    >>> rub = pd.DataFrame({"stage": "s", "criterion_id": ["c1", "c2"], "weight": [60, 40.0]})
    >>> criterion_means(sc, rub)["mean_score"].tolist()
    [75.0, 55.0]
    """
    crit = _criteria(rubric, stages)
    subjects, sums, counts = _means_arrays(scores, crit)
    si, k = np.nonzero(counts)
    return pd.DataFrame(
        {
            "subject_id": subjects[si],
            "stage": crit["stage"].to_numpy()[k],
            "criterion_id": crit["criterion_id"].to_numpy()[k],
            "mean_score": sums[si, k] / counts[si, k],
            "n_jurors": counts[si, k].astype(int),
        }
    )


def _means_arrays(scores: pd.DataFrame, crit: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subjects, and subjects x criteria sums and counts of the scores of jurors who
    scored the whole stage (numpy; see :func:`criterion_means`)."""
    need = ["stage", "subject_id", "juror_id", "criterion_id", "score"]
    missing = [c for c in need if c not in scores.columns]
    if missing:
        raise KeyError(f"scores need column(s) {missing}; they have {list(scores.columns)}")
    sc = scores[need]
    sc = sc[sc["score"].notna()]
    key = {(st, c): i for i, (st, c) in enumerate(zip(crit["stage"], crit["criterion_id"]))}
    k = np.fromiter(
        (key.get(x, -1) for x in zip(sc["stage"].astype(str), sc["criterion_id"].astype(str))), int, count=len(sc)
    )
    keep = k >= 0
    k = k[keep]
    subj_codes, subjects = pd.factorize(sc["subject_id"].astype(str).to_numpy()[keep], sort=True)
    jur_codes, jurors = pd.factorize(sc["juror_id"].astype(str).to_numpy()[keep])
    score = sc["score"].to_numpy(float)[keep]
    stage_of = crit["stage_index"].to_numpy()
    n_stage = int(stage_of.max()) + 1
    n_exp = np.bincount(stage_of, minlength=n_stage)
    S, J, K = len(subjects), len(jurors), len(crit)
    cell = (subj_codes * J + jur_codes) * n_stage + stage_of[k]
    done = np.bincount(cell, minlength=S * J * n_stage)
    complete = done[cell] == n_exp[stage_of[k]]
    idx = subj_codes[complete] * K + k[complete]
    sums = np.bincount(idx, weights=score[complete], minlength=S * K).reshape(S, K)
    counts = np.bincount(idx, minlength=S * K).reshape(S, K)
    return np.asarray(subjects, dtype=object), sums, counts


def _matrix(scores: pd.DataFrame, crit: pd.DataFrame) -> tuple[pd.Index, np.ndarray, pd.Series]:
    """Subjects x criteria matrix (criteria in rubric order) of the subjects scored in
    every stage; and the stages each other subject misses."""
    subjects, sums, counts = _means_arrays(scores, crit)
    with np.errstate(invalid="ignore", divide="ignore"):
        M = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    complete = (counts > 0).all(axis=1)
    stages = crit["stage"].to_numpy()
    missing = pd.Series(
        {subjects[i]: sorted(set(stages[counts[i] == 0])) for i in np.flatnonzero(~complete)}, dtype=object
    )
    return pd.Index(subjects[complete].astype(str)), M[complete], missing


def weight_scenarios(rubric: pd.DataFrame, *, stages=None, drop="each") -> pd.DataFrame:
    """Deterministic alternative weights: official, equal within each stage, and each
    criterion dropped.

    Parameters
    ----------
    rubric : DataFrame
        One evaluation's rubric (``stage, criterion_id, weight``; ``criterion`` names
        are used to flag attendance criteria, :data:`ATTENDANCE_PATTERN`).
    stages : optional
        Stages to keep.
    drop : "each", list of criterion labels, or None
        Which criteria get a "without" scenario (a label is the criterion id, or
        ``stage:id`` when ids repeat across stages).

    Returns
    -------
    DataFrame
        Long: ``scenario, kind, dropped, stage, criterion_id, weight`` (``kind`` is
        ``official``, ``equal`` or ``drop``; ``dropped`` the criterion label of a drop
        scenario). Within every scenario and stage the weights sum to 100, except a
        drop scenario that empties its stage (weights NaN: undefined).

    Notes
    -----
    Dropping criterion ``k`` sets its weight to 0 and multiplies the other weights of
    its stage by ``100 / (100 - w_k)``, i.e. keeps their proportions. Dropping a
    criterion whose weight is already 0 changes nothing.

    Examples
    --------
    >>> rub = pd.DataFrame({"stage": "s", "criterion_id": ["a", "b", "c"], "weight": [50, 30, 20.0]})
    >>> w = weight_scenarios(rub)
    >>> w[w["scenario"] == "without c"]["weight"].tolist()
    [62.5, 37.5, 0.0]
    """
    crit = _criteria(rubric, stages)
    return _weights_frame(crit, *_scenario_matrix(crit, drop))


def _weights_frame(crit: pd.DataFrame, names, kinds, dropped, W: np.ndarray) -> pd.DataFrame:
    K, n = W.shape
    return pd.DataFrame(
        {
            "scenario": np.repeat(names, K),
            "kind": np.repeat(kinds, K),
            "dropped": np.repeat(dropped, K),
            "stage": np.tile(crit["stage"].to_numpy(), n),
            "criterion_id": np.tile(crit["criterion_id"].to_numpy(), n),
            "weight": W.T.ravel(),
        }
    )


def _scenario_matrix(crit: pd.DataFrame, drop) -> tuple[list[str], list[str], list[str], np.ndarray]:
    """Names, kinds, dropped labels and the K x scenarios weight matrix of
    :func:`weight_scenarios`."""
    w = crit["weight"].to_numpy(float)
    st = crit["stage_index"].to_numpy()
    labels = list(crit["label"])
    names, kinds, dropped, cols = ["official", "equal weights"], ["official", "equal"], ["", ""], [w]
    cols.append(100.0 / np.bincount(st)[st])
    ids = labels if isinstance(drop, str) and drop == "each" else list(drop or [])
    unknown = sorted(set(ids) - set(labels))
    if unknown:
        raise ValueError(f"cannot drop criteria {unknown}: not in the rubric (labels {labels})")
    for k, cid in enumerate(labels):
        if cid not in ids:
            continue
        nw = w.copy()
        same = st == st[k]
        rest = w[same].sum() - w[k]
        nw[k] = 0.0
        if rest <= 0:
            nw[same] = np.nan
        else:
            nw[same] = nw[same] * (w[same].sum() / rest)
        names.append(f"without {cid}")
        kinds.append("drop")
        dropped.append(cid)
        cols.append(nw)
    return names, kinds, dropped, np.column_stack(cols)


def dirichlet_weights(weights, stage, *, n: int, concentration: float, seed=None) -> np.ndarray:
    """``n`` random weight vectors around ``weights``, drawn per stage from a Dirichlet.

    Parameters
    ----------
    weights : array-like, length K
        Official weights; those of each stage sum to 100.
    stage : array-like, length K
        Stage of each criterion (any labels).
    n : int
        Number of draws.
    concentration : float
        Dirichlet concentration ``c``: a stage's weight shares are drawn from
        ``Dirichlet(c * official shares)``, so each share has mean equal to the official
        one and standard deviation ``sqrt(p (1 - p) / (c + 1))`` (about 0.06 for a 30%
        criterion at c = 50). Larger ``c`` stays closer to the official weights.
    seed : int or Generator, optional

    Returns
    -------
    ndarray, K x n
        Each column sums to 100 within each stage; zero-weight criteria stay 0.

    Examples
    --------
    >>> W = dirichlet_weights([50, 30, 20, 100], ["a", "a", "a", "b"], n=4, concentration=50, seed=1)
    >>> W.shape, np.allclose(W[:3].sum(0), 100), np.allclose(W[3], 100)
    ((4, 4), True, True)
    """
    w = np.asarray(weights, float)
    st = pd.factorize(np.asarray(stage))[0]
    if concentration <= 0:
        raise ValueError(f"concentration must be positive, got {concentration}")
    rng = check_rng(seed)
    out = np.zeros((w.size, n))
    for s in np.unique(st):
        idx = np.flatnonzero((st == s) & (w > 0))
        if idx.size == 0:
            continue
        share = w[idx] / w[idx].sum()
        g = rng.standard_gamma(concentration * share, size=(n, idx.size))
        out[idx] = (100.0 * g / g.sum(axis=1, keepdims=True)).T
    return out


def rank_descending(totals: np.ndarray) -> np.ndarray:
    """Rank 1 = highest, per column; ties share the best rank ("min" method).

    >>> rank_descending(np.array([[70.0], [90.0], [70.0], [60.0]])).ravel().tolist()
    [2, 1, 2, 4]
    """
    T = np.atleast_2d(np.asarray(totals, float))
    if T.shape[0] == 0:
        return np.zeros(T.shape, int)
    X = np.ascontiguousarray(-T.T)  # one row per column of T: sorting contiguous rows is fast
    order = np.argsort(X, axis=1, kind="stable")
    sorted_x = np.take_along_axis(X, order, axis=1)
    pos = np.arange(T.shape[0])[None, :]
    new = np.ones(X.shape, bool)
    new[:, 1:] = sorted_x[:, 1:] != sorted_x[:, :-1]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    ranks = np.empty(X.shape, np.int64)
    np.put_along_axis(ranks, order, start + 1, axis=1)
    return ranks.T.copy()


def kendall_tau_b(a, B, *, chunk: int = 2048) -> np.ndarray:
    """Kendall's tau-b between the vector ``a`` and each column of ``B`` (vectorised).

    ``tau_b = (C - D) / sqrt((P - T_a) (P - T_b))`` over the ``P = n (n - 1) / 2`` pairs,
    ``T_a``, ``T_b`` the pairs tied in ``a`` / in the column. NaN when either side is
    constant. Equals :func:`scipy.stats.kendalltau` (checked in the tests).

    >>> kendall_tau_b([1, 2, 3, 4], np.array([[1, 2, 3, 4], [4, 3, 2, 1], [1, 3, 2, 4.0]]).T).round(4).tolist()
    [1.0, -1.0, 0.6667]
    """
    a = np.asarray(a, float)
    B = np.asarray(B)
    if B.dtype.kind not in "iu":  # integer ranks are compared as they are
        B = B.astype(float)
    if B.ndim == 1:
        B = B[:, None]
    i, j = np.triu_indices(a.size, 1)
    da = a[i] - a[j]
    # orient every pair untied in a so that a_i > a_j: its contribution is then
    # [b_i > b_j] - [b_i < b_j]; pairs tied in a only count towards b's untied pairs
    flip = da < 0
    hi_, lo_ = np.where(flip, j, i)[da != 0], np.where(flip, i, j)[da != 0]
    ti, tj = i[da == 0], j[da == 0]
    na = float(hi_.size)
    out = np.empty(B.shape[1])
    for c0 in range(0, B.shape[1], chunk):
        blk = B[:, c0 : c0 + chunk]
        x, y = blk[hi_], blk[lo_]
        conc = np.count_nonzero(x > y, axis=0)
        disc = np.count_nonzero(x < y, axis=0)
        nb = conc + disc + (np.count_nonzero(blk[ti] != blk[tj], axis=0) if ti.size else 0)
        den = np.sqrt(na * nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[c0 : c0 + chunk] = np.where(den > 0, (conc - disc) / np.where(den > 0, den, 1), np.nan)
    return out


def _rank_quantiles(R: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """Quantiles of each row of an integer rank matrix (inverted empirical CDF: the
    smallest rank whose cumulative share reaches q), from rank counts."""
    S, n = R.shape
    counts = np.bincount((np.arange(S)[:, None] * (S + 2) + R).ravel(), minlength=S * (S + 2)).reshape(S, S + 2)
    cum = np.cumsum(counts, axis=1) / n
    return [np.argmax(cum >= q - 1e-12, axis=1).astype(float) for q in qs]


@dataclass
class RubricSensitivity:
    """Result of :func:`rubric_sensitivity` (see there for the columns)."""

    scenarios: pd.DataFrame
    entries: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame
    random_weights: np.ndarray | None = None


@lru_cache(maxsize=1)
def _grade_uppers() -> np.ndarray:
    from ..data.grades import band

    return np.array([band(g)[1] for g in GRADE_ORDER])


def _grade_codes(T: np.ndarray) -> np.ndarray:
    """SAKIP grade code (0 = D ... 6 = AA) of totals, vectorised over any shape."""
    return np.minimum(np.searchsorted(_grade_uppers(), T, side="left"), len(GRADE_ORDER) - 1)


def rubric_sensitivity(
    scores: pd.DataFrame,
    rubric: pd.DataFrame,
    *,
    stages=None,
    n_reweight: int = 10_000,
    concentration: float = 50.0,
    top: tuple[int, ...] = (5, 10),
    drop="each",
    grades: bool = False,
    seed=None,
    keep_weights: bool = False,
) -> RubricSensitivity:
    """Rankings (and SAKIP grades) under alternative rubric weights.

    Parameters
    ----------
    scores, rubric : DataFrame
        One evaluation in one year (long scores; the rubric with ``stage,
        criterion_id, weight`` and optionally ``criterion``, ``component``).
    stages : str or list, optional
        Stages whose criteria make the total (default all). With several stages a
        subject's total is the mean of its stage totals (each on 0-100), and only
        subjects with a complete juror total in every stage are ranked (for KOVABLIK: the finalists).
    n_reweight : int
        Random reweightings (0 skips them).
    concentration : float
        Dirichlet concentration of the random weights (:func:`dirichlet_weights`).
    top : tuple of int
        The top-k places whose keeping is counted (default top 5 and top 10).
    drop : "each", list or None
        Criteria with a "without" scenario (:func:`weight_scenarios`).
    grades : bool
        Also report SAKIP grades (bands of :mod:`kinerja.data.grades`) under each
        scenario: grade changes and each subject's probability of keeping its grade.
    seed : int or Generator, optional
        Seed of the random reweightings.
    keep_weights : bool
        Keep the K x n_reweight random weight matrix in the result.

    Returns
    -------
    RubricSensitivity
        ``scenarios``: one row per scenario with the columns of
        :data:`kinerja.stats.innovation.RESULT_COLUMNS` (``statistic`` "Kendall's tau-b
        to the official ranking"; for the random reweightings ``estimate`` is the median
        tau and ``ci_low`` / ``ci_high`` the 2.5% and 97.5% points of the reweightings)
        and ``scenario, kind, dropped, criterion, is_attendance, kept_top<k>`` (of the
        official top k, how many stay in the top k; for random reweightings the mean; NaN
        when at most k subjects are ranked, since every one is in the top k),
        ``grade_changes`` (with ``grades``), ``n_reweight``, ``concentration``.
        ``entries``: one row per subject: ``subject_id, ranked, official_total,
        official_rank, official_top<k>, p_top<k>`` (share of random reweightings with
        the subject in the top k), ``rank_median, rank_low, rank_high`` (2.5% / 97.5%),
        with ``grades`` also ``official_grade, p_same_grade``; ``note`` says why an
        unranked subject is not ranked.
        ``ranks``: long ``scenario, subject_id, total, rank`` for the deterministic
        scenarios. ``weights``: the scenarios' weights (:func:`weight_scenarios`).

    Notes
    -----
    With ``M`` the subjects x criteria matrix of juror-mean scores (:func:`criterion_means`)
    and ``W`` the criteria x scenarios weight matrix, the totals are
    ``M W / (100 n_stages)``, one matrix product for all scenarios; with the official
    weights this is exactly the official total (mean over complete jurors of their
    weighted totals). Ranks are 1 for the highest total, ties sharing the best rank
    (totals rounded to 1e-9 first, so float noise never splits a tie). "Stays in the top
    k" uses the same ranks, so a tie at the boundary keeps every tied subject in.

    The random reweightings ask "how much would the ranking move if reasonable people
    had weighted the criteria a little differently?"; the concentration states how
    different (it is a choice, reported in every row). They are not a sampling
    distribution: the 2.5%-97.5% range is not a confidence interval.

    Examples
    --------
    >>> sc = pd.DataFrame({"stage": "s", "juror_id": "J1",
    ...                    "subject_id": ["a", "a", "b", "b", "c", "c"], "criterion_id": ["x", "y"] * 3,
    ...                    "score": [90, 10, 50, 50, 20, 85.0]})
    >>> rub = pd.DataFrame({"stage": "s", "criterion_id": ["x", "y"], "weight": [60, 40.0]})
    >>> res = rubric_sensitivity(sc, rub, n_reweight=0, top=(1,))
    >>> r = res.ranks.pivot(index="subject_id", columns="scenario", values="rank")
    >>> r["official"].tolist(), r["without x"].tolist(), r["equal weights"].tolist()
    ([1, 2, 3], [3, 2, 1], [2, 2, 1])
    """
    crit = _criteria(rubric, stages)
    subjects, M, missing = _matrix(scores, crit)
    n_st = int(crit["stage_index"].max()) + 1
    S = len(subjects)
    w_off = crit["weight"].to_numpy(float)
    names, kinds_l, dropped_l, Wd = _scenario_matrix(crit, drop)
    is_att = crit["criterion"].astype(str).str.contains(ATTENDANCE_PATTERN, case=False, regex=True).to_numpy()
    crit_name = dict(zip(crit["label"], crit["criterion"]))
    att_by_id = dict(zip(crit["label"], is_att))
    w_by_id = dict(zip(crit["label"], crit["weight"]))
    top = tuple(int(k) for k in top)

    def totals(W):
        return np.round(M @ W / (100.0 * n_st), _ROUND)

    Td = totals(Wd)  # S x scenarios
    official = Td[:, 0]
    Rd = rank_descending(Td)
    off_rank = Rd[:, 0]
    off_grade = _grade_codes(official) if grades else None
    base_note = ""
    if S < 2:
        base_note = f"{S} subject(s) with a complete juror total in every stage: nothing to rank"
    rows = []
    tau_d = kendall_tau_b(official, Td) if S >= 2 else np.full(len(names), np.nan)
    for c, name in enumerate(names):
        kind, dropped = kinds_l[c], dropped_l[c]
        undefined = np.isnan(Wd[:, c]).any()
        row = dict.fromkeys(RESULT_COLUMNS, np.nan)
        row.update(
            statistic="Kendall's tau-b to the official ranking",
            estimate=np.nan if undefined else tau_d[c],
            n=S,
            method="weights " + ("as published" if kind == "official" else name),
            note=(
                "dropping it leaves its stage without weight: undefined"
                if undefined
                else base_note
                if S < 2
                else ("" if kind != "drop" or w_by_id[dropped] > 0 else "its weight is 0: nothing changes")
            ),
            scenario=name,
            kind=kind,
            dropped=dropped,
            criterion=crit_name.get(dropped, "") if dropped else "",
            is_attendance=bool(att_by_id.get(dropped, False)) if dropped else False,
        )
        for k in top:
            row[f"kept_top{k}"] = (
                np.nan if undefined else float(np.sum((off_rank <= k) & (Rd[:, c] <= k))) if S else np.nan
            )
        if grades:
            row["grade_changes"] = np.nan if undefined else float(np.sum(_grade_codes(Td[:, c]) != off_grade))
        rows.append(row)

    entries = pd.DataFrame(
        {"subject_id": subjects, "ranked": True, "official_total": official, "official_rank": off_rank}
    )
    for k in top:
        entries[f"official_top{k}"] = off_rank <= k
    if grades:
        entries["official_grade"] = grade_from_total(official) if S else []
    Wr = None
    if n_reweight and S >= 1:
        Wr = dirichlet_weights(w_off, crit["stage_index"], n=n_reweight, concentration=concentration, seed=seed)
        Tr = totals(Wr)
        Rr = rank_descending(Tr)
        # tau-b from the ranks (same order and ties as the totals; int16 halves the memory traffic)
        tau_r = kendall_tau_b(official, (S + 1 - Rr).astype(np.int16)) if S >= 2 else np.full(n_reweight, np.nan)
        row = dict.fromkeys(RESULT_COLUMNS, np.nan)
        finite = tau_r[np.isfinite(tau_r)]
        row.update(
            statistic="Kendall's tau-b to the official ranking",
            estimate=float(np.median(finite)) if finite.size else np.nan,
            ci_low=float(np.quantile(finite, 0.025)) if finite.size else np.nan,
            ci_high=float(np.quantile(finite, 0.975)) if finite.size else np.nan,
            n=S,
            method=f"{n_reweight} random reweightings, Dirichlet around the official weights (concentration "
            f"{concentration:g}); estimate = median, range = middle 95% of reweightings",
            note=base_note or "the range shows the spread over reweightings, not a confidence interval",
            scenario=f"random reweighting (Dirichlet, c={concentration:g})",
            kind="random",
            dropped="",
            criterion="",
            is_attendance=False,
        )
        for k in top:
            row[f"kept_top{k}"] = float(np.mean(np.sum((off_rank[:, None] <= k) & (Rr <= k), axis=0)))
            entries[f"p_top{k}"] = np.mean(Rr <= k, axis=1)
        entries["rank_median"], entries["rank_low"], entries["rank_high"] = _rank_quantiles(Rr, (0.5, 0.025, 0.975))
        if grades:
            gr = _grade_codes(Tr)
            row["grade_changes"] = float(np.mean(np.sum(gr != off_grade[:, None], axis=0)))
            entries["p_same_grade"] = np.mean(gr == off_grade[:, None], axis=1)
        rows.append(row)
    else:
        for k in top:
            entries[f"p_top{k}"] = np.nan
        entries["rank_median"] = entries["rank_low"] = entries["rank_high"] = np.nan
        if grades:
            entries["p_same_grade"] = np.nan
    entries["note"] = ""
    whole = [k for k in top if 0 < S <= k]  # every subject is in the top k, under any weights
    if whole:
        # "keeps 3.00 of its 5 places" read as two places lost: with S <= k nothing can
        # leave the top k, so staying in it is undefined, not a count
        said = (
            f"only {S} subject(s) ranked: every one is in the top {' and top '.join(map(str, whole))} under any weights"
        )
        entries["note"] = said
        for k in whole:
            entries[f"p_top{k}"] = np.nan
        for row in rows:
            for k in whole:
                row[f"kept_top{k}"] = np.nan
            row["note"] = "; ".join(x for x in (row["note"], said) if x)
    if len(missing):
        extra = pd.DataFrame(
            {
                "subject_id": missing.index.astype(str),
                "ranked": False,
                "note": [f"not ranked: no complete juror total in stage(s) {', '.join(v)}" for v in missing.to_numpy()],
            }
        )
        entries = pd.concat([entries, extra], ignore_index=True)
    entries = entries.sort_values(["ranked", "official_rank", "subject_id"], ascending=[False, True, True])
    entries = entries.reset_index(drop=True)
    for k in top:
        entries[f"official_top{k}"] = entries[f"official_top{k}"].fillna(False).astype(bool)
    scen_cols = list(RESULT_COLUMNS) + ["scenario", "kind", "dropped", "criterion", "is_attendance"]
    scen_cols += [f"kept_top{k}" for k in top] + (["grade_changes"] if grades else [])
    scenarios = pd.DataFrame(rows, columns=scen_cols)
    scenarios["n_reweight"] = np.where(scenarios["kind"] == "random", n_reweight, 0)
    scenarios["concentration"] = np.where(scenarios["kind"] == "random", concentration, np.nan)
    ranks = pd.DataFrame(
        {
            "scenario": np.repeat(names, S),
            "subject_id": np.tile(np.asarray(subjects), len(names)),
            "total": Td.T.ravel(),
            "rank": Rd.T.ravel(),
        }
    )
    undefined_names = [n for c, n in enumerate(names) if np.isnan(Wd[:, c]).any()]
    if undefined_names:
        ranks["rank"] = ranks["rank"].astype(float)
        ranks.loc[ranks["scenario"].isin(undefined_names), ["total", "rank"]] = np.nan
    weights = _weights_frame(crit, names, kinds_l, dropped_l, Wd)
    return RubricSensitivity(scenarios, entries, ranks, weights, Wr if keep_weights else None)


# ----------------------------------------------------------------------------------------
# SAKIP: component weights of PermenPANRB 12/2015 versus 88/2021
# ----------------------------------------------------------------------------------------


def component_scores(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Each subject's score per rubric component (0-100): the weight-averaged juror-mean
    criterion scores of the component.

    Returns long ``subject_id, component, key, weight, score`` where ``key`` is the
    canonical component (:func:`canonical_component`, None if unrecognised) and
    ``weight`` the component's points in the rubric. Only subjects with a complete
    juror total are included.
    """
    crit = _criteria(rubric, None)
    subjects, M, _ = _matrix(scores, crit)
    rows = []
    for comp, idx in crit.groupby("component", sort=False).groups.items():
        w = crit.loc[idx, "weight"].to_numpy(float)
        if w.sum() <= 0:
            continue
        sc = M[:, idx] @ w / w.sum()
        rows.append(
            pd.DataFrame(
                {
                    "subject_id": subjects,
                    "component": comp,
                    "key": canonical_component(comp),
                    "weight": w.sum(),
                    "score": sc,
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["subject_id", "component", "key", "weight", "score"])
    return pd.concat(rows, ignore_index=True)


def regulation_weights() -> pd.DataFrame:
    """Component weights of the two SAKIP regulations on the canonical components.

    From the bundled rubrics (:func:`kinerja.data.rubrics.bundled_rubric`): 12/2015
    planning 30, measurement 25, reporting 15, evaluation 10, achievement 20; 88/2021
    planning 30, measurement 30, reporting 15, evaluation 25, achievement 0 (88/2021
    has no achievement component).

    >>> regulation_weights().loc["achievement"].tolist()
    [20.0, 0.0]
    """
    cols = {}
    for label, name in REGULATIONS.items():
        r = bundled_rubric(name)
        r["key"] = r["component"].map(canonical_component)
        cols[label] = r.groupby("key")["weight"].sum()
    out = pd.DataFrame(cols).reindex(list(COMPONENT_KEYS)).fillna(0.0).astype(float)
    out.index.name = "key"
    return out


def regulation_grades(scores: pd.DataFrame, rubric: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """SAKIP totals and grades of each unit under the dataset's own rubric and under the
    component weights of PermenPANRB 12/2015 and 88/2021.

    Parameters
    ----------
    scores, rubric : DataFrame
        SAKIP scores and rubric of one year.

    Returns
    -------
    (table, note)
        ``table``: one row per unit with ``subject_id``, the canonical component scores
        (``planning, measurement, reporting, evaluation, achievement``; NaN when the
        rubric has no such component), ``total_official, grade_official,
        total_12_2015, grade_12_2015, total_88_2021, grade_88_2021, grade_changed``
        (12/2015 and 88/2021 give different grades). ``note`` documents the mapping
        used for these data (which components were recognised, rescaled, or left out).

    Notes
    -----
    Components are matched by name (:data:`COMPONENT_KEYS`): perencanaan -> planning,
    pengukuran -> measurement, pelaporan -> reporting, evaluasi -> evaluation,
    (pen)capaian -> achievement. A regulation's total is ``sum_c W_c s_c / sum_c W_c``
    over the canonical components the data have, ``W_c`` the regulation's weight and
    ``s_c`` the unit's component score: when the data lack a component the regulation
    weighs (88/2021 data have no achievement score, which 12/2015 weighs 20), the
    other weights are scaled up to 100, and the note says so. A component of the data
    that matches no canonical one is left out of both regulation totals (named in the
    note). Grades follow the bands of :mod:`kinerja.data.grades` (the same under both
    regulations).

    Examples
    --------
    >>> from kinerja.data.rubrics import bundled_rubric
    >>> rub = bundled_rubric("sakip_12_2015")
    >>> sc = rub[["stage", "criterion_id"]].assign(subject_id="u1", juror_id="J1", score=80.0)
    >>> sc.loc[rub["component"].str.contains("Pencapaian").to_numpy(), "score"] = 40.0
    >>> t, note = regulation_grades(sc, rub)
    >>> t[["total_12_2015", "grade_12_2015", "total_88_2021", "grade_88_2021"]].round(1).values.tolist()
    [[72.0, 'BB', 80.0, 'BB']]
    """
    comp = component_scores(scores, rubric)
    regw = regulation_weights()
    keys = list(COMPONENT_KEYS)
    if comp.empty:
        empty = pd.DataFrame(
            columns=["subject_id", *keys, "total_official", "grade_official"]
            + [f"{c}_{r}" for r in REGULATIONS for c in ("total", "grade")]
            + ["grade_changed"]
        )
        return empty, "no unit has a complete SAKIP total"
    unknown = sorted(set(comp.loc[comp["key"].isna(), "component"]))
    # official total: all components with their own weights
    off = comp.assign(_wx=comp["weight"] * comp["score"]).groupby("subject_id", sort=True)
    total_off = off["_wx"].sum() / comp.groupby("subject_id", sort=True)["weight"].sum()
    known = comp.dropna(subset=["key"])
    canon = (
        known.assign(_wx=known["weight"] * known["score"])
        .groupby(["subject_id", "key"], sort=True)[["_wx", "weight"]]
        .sum()
    )
    canon = (canon["_wx"] / canon["weight"]).unstack("key").reindex(columns=keys)
    canon.columns.name = None
    canon = canon.reindex(total_off.index)
    out = canon.copy()
    out.insert(0, "subject_id", out.index.astype(str))
    out["total_official"] = total_off.to_numpy()
    out["grade_official"] = grade_from_total(out["total_official"].to_numpy())
    present = [k for k in keys if canon[k].notna().any()]
    notes = [f"components recognised: {', '.join(present) or 'none'}"]
    if unknown:
        notes.append(f"left out of the regulation totals (no match): {', '.join(unknown)}")
    for label in REGULATIONS:
        w = regw[label].reindex(present).fillna(0.0)
        den = float(w.sum())
        if den <= 0:
            out[f"total_{label}"] = np.nan
            notes.append(f"{label}: none of its components is in the data")
        else:
            out[f"total_{label}"] = (canon[present].to_numpy() @ w.to_numpy()) / den
            lacking = [k for k in keys if regw.loc[k, label] > 0 and k not in present]
            if lacking:
                notes.append(
                    f"{label}: the data have no {', '.join(lacking)} score; its other weights are scaled to 100"
                )
        out[f"grade_{label}"] = grade_from_total(out[f"total_{label}"].to_numpy())
    out["grade_changed"] = out["grade_12_2015"] != out["grade_88_2021"]
    return out.reset_index(drop=True), "; ".join(notes)
