"""The findings contract: what every analysis notebook writes to ``results/findings.csv``.

A *finding* is one answer a reader (or a policy brief) can lift as it is: a stable id,
the question it answers, one sentence in plain words (English and Bahasa Indonesia),
the estimate with its confidence interval where there is one, and the provenance of
the rows it rests on. Every sentence is computed from the data of the run; nothing in a
finding is written for one dataset or year.

Columns (:data:`FINDINGS_COLUMNS`, in this order):

=================  ==========================================================================
``dataset``        dataset name (folder or workbook stem)
``year``           evaluation year
``notebook``       the notebook that wrote it, e.g. ``01_juror_agreement``
``finding_id``     stable id ``<analysis>.<what>``, the same for every dataset and year
                   (briefs and trends join on it)
``question``       the question the finding answers, in plain words
``statement``      one sentence in plain English, computed from the data
``statement_ind``  the same finding in Bahasa Indonesia (ISO 639-3 ``ind``), with
                   Indonesian number conventions (decimal comma)
``estimate``       the number the statement rests on (NaN when there is none)
``ci_low``         lower limit of its confidence interval (NaN when there is none)
``ci_high``        upper limit
``ci_level``       confidence level of the interval, e.g. 0.95 (NaN without one)
``measure``        what ``estimate`` is, e.g. ``ICC(A,k)``, ``points``, ``share``, ``count``
``n``              number of units (or subjects) the estimate rests on
``basis``          the ``basis`` values of the rows behind it, ``;``-separated and sorted
                   (``named``, ``inferred``, ``synthetic``, ``observed``)
``provenance``     the same in words (:func:`kinerja.data.provenance.provenance_label`)
``evidence``       the results table(s) that show the detail, e.g. ``agreement.csv``
``status``         ``estimated``, or ``undefined`` when the design does not allow it (the
                   statement then says why and ``estimate`` is NaN)
``note``           caveats a reader needs (empty when none)
=================  ==========================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..data.provenance import provenance_label

#: Columns of ``results/findings.csv``, in order.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "dataset",
    "year",
    "notebook",
    "finding_id",
    "question",
    "statement",
    "statement_ind",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_level",
    "measure",
    "n",
    "basis",
    "provenance",
    "evidence",
    "status",
    "note",
)

#: Allowed values of ``status``.
STATUSES = ("estimated", "undefined")

#: The three questions of the collection, in the words findings use.
QUESTIONS = {
    "agreement": ("Do the jurors agree?", "Apakah para evaluator sepakat?"),
    "juror_effects": (
        "Do some jurors or panels score differently, and would grades survive another jury?",
        "Apakah ada evaluator atau panel yang menilai berbeda, dan apakah predikat bertahan dengan evaluator lain?",
    ),
    "categories": (
        "Do scores differ across unit categories once juror effects are accounted for?",
        "Apakah nilai berbeda antar-kategori perangkat daerah setelah efek evaluator diperhitungkan?",
    ),
    "innovations": ("How do innovations relate to grades?", "Bagaimana hubungan inovasi dengan predikat SAKIP?"),
    "data": ("What do the data hold?", "Apa isi data?"),
    "trends": ("What changed since last year?", "Apa yang berubah dibanding tahun lalu?"),
}


class FindingsError(ValueError):
    """A findings table does not follow the contract."""


@dataclass
class Finding:
    """One finding; see the module docstring for the meaning of each field."""

    finding_id: str
    question: str
    statement: str
    statement_ind: str
    estimate: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    ci_level: float = math.nan
    measure: str = ""
    n: float = math.nan
    bases: Sequence[str] = field(default_factory=tuple)
    evidence: str = ""
    status: str = "estimated"
    note: str = ""


def findings_frame(findings: Iterable[Finding], *, dataset: str, year: int, notebook: str) -> pd.DataFrame:
    """The findings of one run as a table in the contract's columns (checked).

    >>> f = Finding("demo.count", "What do the data hold?", "There are 3 units.", "Ada 3 unit.",
    ...             estimate=3, measure="count", n=3, bases=["named"])
    >>> t = findings_frame([f], dataset="toy", year=2020, notebook="00_data_overview")
    >>> t.loc[0, ["finding_id", "basis", "provenance"]].tolist()
    ['demo.count', 'named', 'real (published) records']
    """
    rows = []
    for f in findings:
        d = asdict(f)
        bases = sorted({str(b) for b in d.pop("bases")})
        d.update(
            dataset=dataset,
            year=int(year),
            notebook=notebook,
            basis=";".join(bases),
            provenance=provenance_label(bases) if bases else "",
        )
        rows.append(d)
    out = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    for c in ("estimate", "ci_low", "ci_high", "ci_level", "n"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["year"] = out["year"].astype("int64")
    check_findings(out)
    return out


def check_findings(table: pd.DataFrame, where: str = "findings") -> None:
    """Raise :class:`FindingsError` naming every way ``table`` breaks the contract."""
    problems = []
    missing = [c for c in FINDINGS_COLUMNS if c not in table.columns]
    if missing:
        problems.append(f"missing column(s) {missing}")
    else:
        if table["finding_id"].duplicated().any():
            problems.append(f"repeated finding_id {sorted(set(table['finding_id'][table['finding_id'].duplicated()]))}")
        bad_status = sorted(set(table["status"]) - set(STATUSES))
        if bad_status:
            problems.append(f"status must be one of {STATUSES}, found {bad_status}")
        for c in ("finding_id", "question", "statement", "statement_ind"):
            empty = table[c].isna() | (table[c].astype(str).str.strip() == "")
            if empty.any():
                problems.append(f"empty {c} in row(s) {list(np.flatnonzero(empty.to_numpy()))}")
        est = pd.to_numeric(table["estimate"], errors="coerce")
        lo = pd.to_numeric(table["ci_low"], errors="coerce")
        hi = pd.to_numeric(table["ci_high"], errors="coerce")
        tol = 1e-9 * (1 + est.abs())
        outside = (lo.notna() & hi.notna() & est.notna()) & ((lo > est + tol) | (hi < est - tol))
        if outside.any():
            problems.append(f"estimate outside its CI in row(s) {list(np.flatnonzero(outside.to_numpy()))}")
        undefined_with_value = (table["status"] == "undefined") & est.notna()
        if undefined_with_value.any():
            problems.append(
                f"status 'undefined' with an estimate in row(s) {list(np.flatnonzero(undefined_with_value.to_numpy()))}"
            )
    if problems:
        raise FindingsError(f"{where} does not follow the findings contract: " + "; ".join(problems))


def read_findings(path) -> pd.DataFrame:
    """Read a ``findings.csv`` and check it against the contract."""
    table = pd.read_csv(
        path,
        dtype={"finding_id": str, "statement": str, "statement_ind": str, "note": str, "basis": str, "evidence": str},
        keep_default_na=False,
        na_values={c: [""] for c in ("estimate", "ci_low", "ci_high", "ci_level", "n")},
    )
    check_findings(table, where=str(path))
    return table


# ----------------------------------------------------------------------------------------
# Numbers in sentences (English and Indonesian conventions)
# ----------------------------------------------------------------------------------------


def fmt_number(x: float, digits: int = 2, lang: str = "en") -> str:
    """A number for a sentence: ``0.62`` in English, ``0,62`` in Indonesian; ``—`` for NaN.

    Thousands are grouped (``1,234.5`` / ``1.234,5``).

    >>> fmt_number(1234.567, 1), fmt_number(1234.567, 1, "id"), fmt_number(float("nan"))
    ('1,234.6', '1.234,6', '—')
    """
    if x is None or not np.isfinite(x):
        return "—"
    text = f"{x:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    elif lang != "en":
        raise ValueError(f"lang is 'en' or 'id', not {lang!r}")
    return text


def fmt_share(x: float, digits: int = 0, lang: str = "en") -> str:
    """A share as a percentage: ``43%`` / ``43%``; ``—`` for NaN.

    >>> fmt_share(0.4348), fmt_share(0.4348, 1, "id")
    ('43%', '43,5%')
    """
    if x is None or not np.isfinite(x):
        return "—"
    return fmt_number(100 * x, digits, lang) + "%"


def format_ci(estimate: float, ci_low: float, ci_high: float, digits: int = 2, lang: str = "en") -> str:
    """``"0.62 [0.48, 0.73]"`` (Indonesian: ``"0,62 [0,48; 0,73]"``); ``"—"`` for NaN; the
    estimate alone without a CI.

    >>> format_ci(0.6197, 0.4829, 0.728), format_ci(0.5, float("nan"), float("nan")), format_ci(float("nan"), 0, 1)
    ('0.62 [0.48, 0.73]', '0.50', '—')
    >>> format_ci(0.6197, 0.4829, 0.728, lang="id")
    '0,62 [0,48; 0,73]'
    """
    if estimate is None or not np.isfinite(estimate):
        return "—"
    est = fmt_number(estimate, digits, lang)
    if ci_low is not None and ci_high is not None and np.isfinite(ci_low) and np.isfinite(ci_high):
        sep = "; " if lang == "id" else ", "
        return f"{est} [{fmt_number(ci_low, digits, lang)}{sep}{fmt_number(ci_high, digits, lang)}]"
    return est


def p_value(p: float, lang: str = "en") -> str:
    """A p-value as said in a sentence: ``p = 0.94``, ``p = 0.012``, ``p < 0.001``
    (Indonesian ``p = 0,012``), or that it is undefined.

    The one wording for every notebook: "p = < 0.001" came from putting ``p = `` before a
    formatted "< 0.001", and "p = 0.000" from three decimals of a tiny p.

    >>> p_value(0.9369), p_value(0.0123), p_value(0.00001), p_value(0.0123, "id"), p_value(float("nan"))
    ('p = 0.94', 'p = 0.012', 'p < 0.001', 'p = 0,012', 'p undefined')
    """
    if p is None or not np.isfinite(p):
        return "p tidak terdefinisi" if lang == "id" else "p undefined"
    if p < 0.001:
        return f"p < {fmt_number(0.001, 3, lang)}"
    return f"p = {fmt_number(p, 3 if p < 0.1 else 2, lang)}"


def join_words(items: Sequence[str], lang: str = "en") -> str:
    """``"a, b and c"`` / ``"a, b dan c"``.

    >>> join_words(["A", "BB"]), join_words(["A", "BB", "B"], "id"), join_words([])
    ('A and BB', 'A, BB dan B', '')
    """
    items = [str(i) for i in items]
    word = " dan " if lang == "id" else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + word + items[-1]


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 unit"``, ``"2 units"`` (English; Indonesian nouns do not inflect).

    >>> plural(1, "unit"), plural(2, "unit"), plural(3, "category", "categories")
    ('1 unit', '2 units', '3 categories')
    """
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


# ----------------------------------------------------------------------------------------
# Juror totals left out (one wording for every analysis)
# ----------------------------------------------------------------------------------------


def as_sentence(clause: str) -> str:
    """A clause as a sentence: first letter upper case, one final period.

    >>> as_sentence("12 of 290 juror totals are left out"), as_sentence("done."), as_sentence("")
    ('12 of 290 juror totals are left out.', 'Done.', '')
    """
    clause = clause.strip()
    if not clause:
        return ""
    return clause[0].upper() + clause[1:].rstrip(".") + "."


def totals_left_out(account: dict, lang: str = "en", *, what: str = "") -> str:
    """What an analysis of juror totals left out, as a clause; ``""`` when nothing.

    ``account`` is :func:`kinerja.data.rubrics.totals_account` of the scores analysed;
    ``what`` names the evaluation when the sentence speaks of more than one
    ("KOVABLIK": its subjects are entries, not units).
    A juror who left a criterion of a unit unscored has no total for it (a partial total
    is not on the 0-100 scale), so such a juror is not among "the jurors" of that unit.

    >>> acc = dict(n_cells=290, n_incomplete=12, n_jurors=10, n_jurors_complete=10, n_subjects_complete=29)
    >>> totals_left_out(acc)
    '12 of 290 juror totals are left out: the juror did not score every criterion of the unit'
    >>> totals_left_out(dict(acc, n_incomplete=0))
    ''
    """
    n, k = int(account["n_incomplete"]), int(account["n_cells"])
    if not n:
        return ""
    entry = what.upper() == "KOVABLIK"
    label = f"{what} " if what else ""
    if lang == "id":
        return (
            f"{n} dari {k} nilai total {label}evaluator tidak diikutkan: evaluatornya tidak menilai semua kriteria "
            + ("entri itu" if entry else "perangkat daerah itu")
        )
    return (
        f"{n} of {k} {label}juror {'total is' if k == 1 else 'totals are'} left out: the juror did not score every "
        + ("criterion of the entry" if entry else "criterion of the unit")
    )


def why_no_juror_totals(account: dict, what: str = "SAKIP") -> tuple[str, str] | None:
    """Why there are fewer than two jurors with a total to compare, in English and
    Indonesian (a clause, no final period); ``None`` when two jurors or more have one.

    Says whether there are no scores, one juror, or scores whose totals are all
    undefined because criteria were left unscored: the last had been reported as "no
    juror scores", which sent the user looking for rows that are there.

    >>> acc = dict(n_cells=0, n_incomplete=0, n_jurors=0, n_jurors_complete=0, n_subjects_complete=0)
    >>> why_no_juror_totals(acc)[0]
    'there are no SAKIP juror scores this year'
    >>> why_no_juror_totals(dict(acc, n_cells=283, n_incomplete=283, n_jurors=10))[0]
    'no juror scored every criterion of any unit this year (all 283 juror totals are incomplete)'
    >>> why_no_juror_totals(dict(acc, n_cells=20, n_incomplete=10, n_jurors=2, n_jurors_complete=1))[0]
    'only one juror scored every criterion of a unit this year (10 of 20 juror totals are incomplete)'
    """
    n, k = int(account["n_incomplete"]), int(account["n_cells"])
    if account["n_jurors_complete"] >= 2:
        return None
    if k == 0:
        return (f"there are no {what} juror scores this year", f"tidak ada nilai {what} per evaluator tahun ini")
    if account["n_jurors"] < 2:
        return (f"only one juror scored {what} this year", f"hanya satu evaluator yang menilai {what} tahun ini")
    if account["n_jurors_complete"] == 0:
        return (
            f"no juror scored every criterion of any unit this year (all {k} juror totals are incomplete)",
            f"tidak ada evaluator yang menilai semua kriteria satu perangkat daerah pun tahun ini (semua {k} "
            "nilai total evaluator tidak lengkap)",
        )
    return (
        f"only one juror scored every criterion of a unit this year ({n} of {k} juror totals are incomplete)",
        f"hanya satu evaluator yang menilai semua kriteria suatu perangkat daerah tahun ini ({n} dari {k} nilai "
        "total evaluator tidak lengkap)",
    )


#: An interval of a positive quantity (a standard deviation, a ratio) whose upper limit
#: is this many times its lower one says little about the quantity's size.
WIDE_INTERVAL_FACTOR = 10.0


def reason_id(reason: str, table: Sequence[tuple[str, str]], fallback: str | None = None) -> str:
    """The Indonesian wording of an English reason an estimate is undefined.

    ``table`` pairs a regular expression (searched in ``reason``) with its Indonesian
    wording, which may use the expression's groups (``\\1``); the first match wins. An
    unknown reason gives ``fallback``, or the English in brackets.

    >>> reason_id("3 juror(s) scored", [(r"^(\\d+) juror\\(s\\) scored", r"\\1 evaluator menilai")])
    '3 evaluator menilai'
    >>> reason_id("something new", [])
    'lihat catatan (something new)'
    """
    for pattern, wording in table:
        m = re.search(pattern, reason)
        if m:
            return m.expand(wording)
    return f"lihat catatan ({reason})" if fallback is None else fallback


def poorly_determined(ci_low: float, ci_high: float, n: int, what: str, lang: str = "en") -> str:
    """A sentence for a positive quantity whose interval's upper limit is
    :data:`WIDE_INTERVAL_FACTOR` times its lower one or more ("" otherwise): the estimate
    alone would read as settled. ``what`` names the quantity and ``n`` the jurors it
    rests on.

    >>> poorly_determined(1.7, 148.9, 3, "the spread between jurors")
    'With 3 jurors the spread between jurors is poorly determined: the upper limit of its interval is 88 times the lower.'
    >>> poorly_determined(2.9, 7.7, 10, "the spread between jurors")
    ''
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)) or ci_low <= 0:
        return ""
    ratio = ci_high / ci_low
    if ratio < WIDE_INTERVAL_FACTOR:
        return ""
    fold = fmt_number(ratio, 0, lang)
    if lang == "id":
        return f"Dengan {n} evaluator, {what} kurang tertentukan: batas atas intervalnya {fold} kali batas bawahnya."
    return f"With {n} jurors {what} is poorly determined: the upper limit of its interval is {fold} times the lower."
