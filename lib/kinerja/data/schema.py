"""The kinerja data model: one dataset = one local government, six tidy long tables.

This module is the single description of the tables. The loader (:mod:`kinerja.io`),
the Excel template and the data dictionary in ``data/README.md`` are all derived from
it, so a column added here appears everywhere.

Every table is keyed by the **evaluation year** (the performance year that was judged;
Kota Batu's grades announced in February 2021 judge 2020, so their ``year`` is 2020 and
``announced`` is 2021-02-17).

Provenance: every row of every table has a ``basis``:

* ``named``     stated in a published source (the ``source`` column cites it);
* ``inferred``  reconstructed, not stated by a source (the source says how);
* ``synthetic`` made by :mod:`kinerja.synth` (never real juror behaviour);
* ``observed``  a user's own real records (e.g. evaluation worksheets).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASIS_VALUES = ("named", "inferred", "synthetic", "observed")
EVALUATIONS = ("sakip", "kovablik")
#: Unit categories seen in Indonesian local governments (extend here, nowhere else).
CATEGORIES = (
    "Sekretariat",
    "Inspektorat",
    "Dinas",
    "Badan",
    "Kantor",
    "Satpol PP",
    "Kecamatan",
    "Kelurahan",
    "RSUD",
    "UPT",
    "BUMD",
    "Lainnya",
)
#: Juror panel types (the Kota Batu award used the first five).
PANELS = (
    "tim_sakip",
    "inspektorat",
    "akademisi",
    "praktisi",
    "biro_provinsi",
    "lainnya",
)
#: Innovation award levels, best first; ``none`` = entered, won nothing.
AWARDS = ("top5", "top10", "top30", "top45", "top99", "finalist", "none")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` is one of ``int``, ``float``, ``str``, ``grade``; ``allowed`` restricts a
    ``str`` column to a vocabulary (matched case-insensitively after trimming);
    ``lo``/``hi`` bound a numeric column (inclusive).
    """

    name: str
    kind: str
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    example: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """Rows of this table must find ``columns`` among ``ref_columns`` of ``table``.

    ``when`` optionally restricts the check to rows where column == value.
    """

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]
    when: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    optional: bool = False

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _year() -> Column:
    return Column(
        "year", "int", True, "Evaluation year (the performance year judged).", lo=1990, hi=2100, example="2020"
    )


def _basis(default_hint: str = "") -> Column:
    return Column(
        "basis",
        "str",
        True,
        "Provenance of the row: named (stated in a published source), inferred "
        "(reconstructed), synthetic (made by kinerja.synth) or observed (your own records)." + default_hint,
        allowed=BASIS_VALUES,
        example="named",
    )


def _source() -> Column:
    return Column(
        "source",
        "str",
        True,
        "Where the row comes from (URL, document, or generator and seed).",
        example="https://malang-post.com/2021/02/17/sakip-award-tingkatkan-kinerja",
    )


UNITS = Table(
    "units",
    "Evaluated organisations (OPD) and other awardees such as BUMD, one row per year.",
    (
        _year(),
        Column("unit_id", "str", True, "Stable identifier of the unit, unique within a dataset.", example="disdik"),
        Column("name", "str", True, "Official name.", example="Dinas Pendidikan"),
        Column("abbreviation", "str", False, "Usual abbreviation (as in the source).", example="Disdik"),
        Column("category", "str", True, "Kind of unit.", allowed=CATEGORIES, example="Dinas"),
        _basis(),
        _source(),
    ),
    key=("year", "unit_id"),
)

JURORS = Table(
    "jurors",
    "Jurors (evaluators) per year, pseudonymous.",
    (
        _year(),
        Column("juror_id", "str", True, "Pseudonymous juror identifier, stable across years.", example="J01"),
        Column("panel", "str", True, "Panel type the juror sits for.", allowed=PANELS, example="akademisi"),
        Column(
            "home_unit_id",
            "str",
            False,
            "unit_id of the unit the juror works in, if it is one of the evaluated units (for home bias).",
            example="inspektorat",
        ),
        _basis(),
        _source(),
    ),
    key=("year", "juror_id"),
    foreign_keys=(ForeignKey(("year", "home_unit_id"), "units", ("year", "unit_id")),),
)

RUBRIC = Table(
    "rubric",
    "Criteria and weights of each evaluation and stage; weights of one (year, evaluation, stage) sum to 100.",
    (
        _year(),
        Column("evaluation", "str", True, "sakip or kovablik.", allowed=EVALUATIONS, example="sakip"),
        Column(
            "stage", "str", True, "Stage of the evaluation (sakip: lke; kovablik: proposal, presentasi).", example="lke"
        ),
        Column(
            "criterion_id", "str", True, "Identifier of the criterion within its evaluation and stage.", example="A1"
        ),
        Column("criterion", "str", True, "Name of the criterion.", example="Pemenuhan Renstra"),
        Column("component", "str", True, "Component the criterion belongs to.", example="Perencanaan Kinerja"),
        Column("weight", "float", True, "Points out of 100 for the criterion.", lo=0, hi=100, example="2"),
        _basis(),
        _source(),
    ),
    key=("year", "evaluation", "stage", "criterion_id"),
)

SCORES = Table(
    "scores",
    "One score per (year, evaluation, stage, subject, juror, criterion), 0-100.",
    (
        _year(),
        Column("evaluation", "str", True, "sakip or kovablik.", allowed=EVALUATIONS, example="sakip"),
        Column("stage", "str", True, "Stage, as in the rubric.", example="lke"),
        Column(
            "subject_id", "str", True, "unit_id (sakip) or innovation_id (kovablik) being scored.", example="disdik"
        ),
        Column("juror_id", "str", True, "Juror who gave the score.", example="J01"),
        Column("criterion_id", "str", True, "Criterion, as in the rubric.", example="A1"),
        Column("score", "float", True, "Score on 0-100 (decimal comma accepted).", lo=0, hi=100, example="75"),
        _basis(),
        _source(),
    ),
    key=("year", "evaluation", "stage", "subject_id", "juror_id", "criterion_id"),
    foreign_keys=(
        ForeignKey(("year", "juror_id"), "jurors", ("year", "juror_id")),
        ForeignKey(
            ("year", "evaluation", "stage", "criterion_id"), "rubric", ("year", "evaluation", "stage", "criterion_id")
        ),
        ForeignKey(("year", "subject_id"), "units", ("year", "unit_id"), when=("evaluation", "sakip")),
        ForeignKey(("year", "subject_id"), "innovations", ("year", "innovation_id"), when=("evaluation", "kovablik")),
    ),
)

GRADES = Table(
    "grades",
    "Published (or synthetic) SAKIP grade per unit and year.",
    (
        _year(),
        Column("unit_id", "str", True, "Graded unit.", example="disdik"),
        Column("grade", "grade", True, "SAKIP grade AA, A, BB, B, CC, C or D (any case).", example="BB"),
        Column(
            "total",
            "float",
            False,
            "Total score 0-100 when published; must lie in the grade's band.",
            lo=0,
            hi=100,
            example="",
        ),
        Column(
            "announced", "str", False, "Date the grade was announced (YYYY-MM-DD or YYYY-MM).", example="2021-02-17"
        ),
        _basis(),
        _source(),
    ),
    key=("year", "unit_id"),
    foreign_keys=(ForeignKey(("year", "unit_id"), "units", ("year", "unit_id")),),
)

INNOVATIONS = Table(
    "innovations",
    "Innovations entered in a competition, with their award.",
    (
        _year(),
        Column("innovation_id", "str", True, "Stable identifier of the innovation.", example="ada_kelas_di_atv"),
        Column("unit_id", "str", True, "Unit that owns the innovation.", example="disdik"),
        Column("name", "str", True, "Name of the innovation.", example="Ada Kelas di ATV"),
        Column(
            "competition",
            "str",
            True,
            "Competition: e.g. kovablik (the local government's own), kovablik_provinsi, kipp (national).",
            example="kovablik",
        ),
        Column(
            "award", "str", True, "Award level, best first: " + ", ".join(AWARDS) + ".", allowed=AWARDS, example="top5"
        ),
        Column("announced", "str", False, "Date the award was announced.", example="2021-02-17"),
        _basis(),
        _source(),
    ),
    key=("year", "innovation_id", "competition"),
    foreign_keys=(ForeignKey(("year", "unit_id"), "units", ("year", "unit_id")),),
)

#: Tables in load order (a table's foreign keys point only to tables before it, except
#: scores -> innovations, which is why innovations is loaded before scores).
TABLES: dict[str, Table] = {t.name: t for t in (UNITS, JURORS, RUBRIC, GRADES, INNOVATIONS, SCORES)}

#: Tolerance for "weights sum to 100".
WEIGHT_SUM_TOL = 1e-6
