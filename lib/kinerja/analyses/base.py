"""What every analysis module returns: :class:`Analysis`, and how its tables are documented.

An analysis module (one per notebook) has

* ``NAME`` (e.g. ``"agreement"``) and ``NOTEBOOK`` (e.g. ``"01_juror_agreement"``);
* ``TABLES``: a dict ``name -> TableSpec`` documenting every table it returns (the
  columns and what they mean); a test checks each returned table against it;
* ``analyse(dataset, *, year=None, ...) -> Analysis``: a loaded
  :class:`kinerja.data.io.Dataset` in, tidy tables and findings out, no I/O and no
  printing, so that it can be unit-tested without running a notebook.

The notebook then only displays ``result.tables``, draws figures from them and writes
them with :mod:`kinerja.report.notebook`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..data.provenance import basis_of
from .findings import FINDINGS_COLUMNS, Finding, findings_frame


@dataclass(frozen=True)
class TableSpec:
    """Documentation of one result table: what a row is and what each column means."""

    description: str
    columns: Mapping[str, str]

    def markdown(self, name: str) -> str:
        """The spec as a Markdown paragraph and column list (for READMEs and notebooks)."""
        cols = "\n".join(f"- `{c}`: {d}" for c, d in self.columns.items())
        return f"**`{name}.csv`**: {self.description}\n\n{cols}"


class TableContractError(ValueError):
    """A result table lacks columns its :class:`TableSpec` promises."""


@dataclass
class Analysis:
    """The result of one analysis on one dataset-year.

    Attributes
    ----------
    name, notebook : str
        The analysis (``"agreement"``) and the notebook that shows it.
    dataset : str
        Dataset name.
    year : int
        Evaluation year.
    tables : dict of str to DataFrame
        The documented result tables (see the module's ``TABLES``).
    bases : dict of str to list of str
        For each table, the ``basis`` values of the input rows it was computed from
        (``named``, ``inferred``, ``synthetic``, ``observed``).
    findings : DataFrame
        The findings in the contract of :mod:`kinerja.analyses.findings`.
    facts : dict
        Values computed from the data that the notebook's prose quotes (counts, names,
        bands used), so that no sentence is written for one dataset.
    notes : list of str
        What a reader should know about how the analysis ran (skipped parts and why).
    """

    name: str
    notebook: str
    dataset: str
    year: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    bases: dict[str, list[str]] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(FINDINGS_COLUMNS)))
    facts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name``; a KeyError names the tables there are."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r} in the {self.name} analysis; it has {', '.join(self.tables)}") from None

    def add(self, name: str, table: pd.DataFrame, *sources: pd.DataFrame, bases: Iterable[str] | None = None) -> None:
        """Add a result table with the bases of the input rows behind it (from the
        ``basis`` columns of ``sources``, or given directly)."""
        self.tables[name] = table
        self.bases[name] = sorted(set(bases)) if bases is not None else basis_of(*sources)

    def set_findings(self, findings: Iterable[Finding]) -> None:
        """Set the findings (checked against the contract)."""
        self.findings = findings_frame(findings, dataset=self.dataset, year=self.year, notebook=self.notebook)


def check_tables(analysis: Analysis, specs: Mapping[str, TableSpec]) -> None:
    """Raise :class:`TableContractError` if a returned table is undocumented or lacks a
    documented column."""
    problems = []
    for name, table in analysis.tables.items():
        if name not in specs:
            problems.append(f"table {name!r} is not documented in TABLES")
            continue
        missing = [c for c in specs[name].columns if c not in table.columns]
        if missing:
            problems.append(f"table {name!r} lacks documented column(s) {missing}")
    if problems:
        raise TableContractError(f"{analysis.name}: " + "; ".join(problems))


def year_of(dataset, year: int | None) -> int:
    """The evaluation year to analyse: ``year``, or the dataset's only year."""
    years = dataset.years
    if year is None:
        if len(years) != 1:
            raise ValueError(f"give year=; the dataset holds years {years}")
        return int(years[0])
    if int(year) not in years:
        raise ValueError(f"the dataset {dataset.name!r} has no rows for year {year}; its years are {years}")
    return int(year)
