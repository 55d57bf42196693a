"""The ``kinerja`` command (also ``python -m kinerja``).

This module is the output layer: it parses arguments with :mod:`argparse`, calls the
library and prints. Exit codes of ``kinerja run``: 0 every notebook succeeded,
1 at least one notebook failed (its report is still written), 2 the run was
refused before anything ran (bad arguments, notebook conventions, unknown
parameter, missing kernel or dataset, report folder already used), 130
interrupted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from kinerja import __version__
from kinerja.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR
from kinerja.run import runner
from kinerja.run.runner import DEFAULT_KERNEL, DEFAULT_TIMEOUT, STANDARD_PARAMETERS

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130

_RUN_DESCRIPTION = """\
Execute the report notebooks (notebooks/*.ipynb, in file-name order) with papermill
for each dataset and evaluation year, and write one report folder per dataset and
year:

  <out>/<dataset>/<year>/<notebook>.ipynb   executed notebook (code, outputs, errors)
  <out>/<dataset>/<year>/<notebook>.html    the report without code, figures embedded
  <out>/<dataset>/<year>/parameters.json    dataset, year, parameters of each notebook,
                                            status, timestamps, git commit, version
  <out>/<dataset>/<year>/environment.txt    exact versions of all installed packages
  <out>/index.html                          links every report folder under <out>

A notebook may declare in its metadata ("kinerja") that it runs after the other
notebooks of its folder and once per value of a parameter, with its own template
and a PDF: the policy brief runs last, as 06_policy_brief.id.* and .en.*.

Every notebook receives the standard parameters data (absolute path of the dataset),
year and out_dir (its report folder), plus the -p parameters it declares in its cell
tagged "parameters".

The run is refused before anything is executed (exit code 2) if a notebook has no
"parameters" cell or lacks a standard parameter, if a -p parameter is declared by
none of the selected notebooks or does not convert to its declared type, if the
kernel, a dataset or a year does not exist, or if a report folder already holds a
run (reports are an immutable record of one run: --overwrite replaces them).
"""

_RUN_EPILOG = f"""\
examples:
  kinerja run --data all                          every year of every bundled dataset
  kinerja run --data batu                         every year of data/batu
  kinerja run --data data/batu --year 2020 2021 --jobs 2
  kinerja run --data batu --year 2020 --notebook 01 -p n_boot=200 --overwrite
  kinerja run --list                              notebooks and their parameters

-p values are converted to the type the notebook declares: int, float, bool
(true/false, yes/no, 1/0, on/off), str, Optional[...] (none), list/dict literals.

exit codes:
  0    every notebook ran without error
  1    at least one notebook failed; its .ipynb and .html are still written and a
       table names the failing cell
  2    refused before running anything (nothing was written)
  130  interrupted

defaults: --out {REPORTS_DIR}; notebooks from {NOTEBOOKS_DIR}; kernels run with
the project root as working directory ({PROJ_ROOT}).
"""


def _parameter_assignment(text: str) -> tuple[str, str]:
    """argparse type for ``-p name=value``."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    return name, value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kinerja`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="kinerja",
        description="kinerja: audit the fairness of Indonesian public-sector performance evaluations "
        "with reproducible, parameterised notebooks.",
        epilog="Run `kinerja <command> --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"kinerja {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="<command>", title="commands")

    run = commands.add_parser(
        "run",
        help="execute the report notebooks into reports/<dataset>/<year>/ (ipynb + HTML)",
        description=_RUN_DESCRIPTION,
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--data",
        action="extend",
        nargs="+",
        metavar="DATASET",
        default=[],
        help="dataset: a folder name under data/ (batu), a path to a dataset folder or "
        ".xlsx workbook, or 'all' (every dataset bundled in data/); repeat or list several "
        "(required unless --list)",
    )
    run.add_argument(
        "--year",
        action="extend",
        nargs="+",
        type=int,
        metavar="YEAR",
        default=[],
        help="evaluation year(s) to run (default: every year of each dataset)",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        default=str(REPORTS_DIR),
        help="reports go to DIR/<dataset>/<year>/ (default: %(default)s)",
    )
    run.add_argument(
        "--notebook",
        action="extend",
        nargs="+",
        metavar="NAME",
        default=[],
        help="run only these notebooks: a name (00_data_overview), a unique prefix (00) "
        "or a path to an .ipynb (default: all, in file-name order)",
    )
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        type=_parameter_assignment,
        default=[],
        metavar="NAME=VALUE",
        dest="parameters",
        help="set a notebook parameter; only notebooks that declare it receive it "
        "(repeatable; the last value of a name wins)",
    )
    run.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=1,
        metavar="N",
        help="notebooks to run at the same time, each in its own kernel (default: 1)",
    )
    run.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="seconds a single cell may run before its notebook fails (default: %(default)s)",
    )
    run.add_argument(
        "--kernel",
        default=DEFAULT_KERNEL,
        metavar="NAME",
        help="Jupyter kernel to run the notebooks with (default: %(default)s)",
    )
    run.add_argument(
        "--no-fork",
        action="store_false",
        dest="fork_kernels",
        default=None,
        help="start every kernel from scratch; by default (on Linux) a run of two notebooks or more forks its "
        "kernels from one process that has imported pandas, SciPy, matplotlib and kinerja once "
        "(also: KINERJA_FORK_KERNELS=0)",
    )
    run.add_argument(
        "--overwrite", action="store_true", help="replace report folders that already hold a run (default: refuse)"
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no line per finished notebook")
    run.add_argument("--list", action="store_true", help="print the notebooks and their parameters, then exit")
    run.set_defaults(handler=_cmd_run, command_parser=run)
    return parser


def _print_notebooks(specs: Sequence[runner.NotebookSpec]) -> None:
    for spec in specs:
        print(f"{spec.name}  ({spec.path})")
        for p in spec.parameters.values():
            marker = "   " if p.name in STANDARD_PARAMETERS else " * "
            print(f"  {marker}{p}")
        for problem in spec.problems:
            print(f"   ! refused: {problem.split(': ', 1)[-1]}")
    if specs:
        print("\n* = notebook-specific parameter, set with -p NAME=VALUE")


def _cmd_run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    notebooks = args.notebook or None
    if args.list:
        try:
            specs = runner.inspect_notebooks(notebooks)
        except runner.RunConfigurationError as exc:
            print(f"kinerja run: error: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        _print_notebooks(specs)
        return EXIT_OK
    if not args.data:
        parser.error("--data is required (e.g. --data batu), unless --list")

    try:
        summary = runner.run_collection(
            data=args.data,
            years=args.year or None,
            out=Path(args.out),
            notebooks=notebooks,
            parameters=dict(args.parameters),
            jobs=args.jobs,
            kernel=args.kernel,
            timeout=args.timeout,
            overwrite=args.overwrite,
            progress=not args.quiet,
            fork_kernels=args.fork_kernels,
        )
    except runner.RunConfigurationError as exc:
        print(f"kinerja run: error: {exc}", file=sys.stderr)
        print("kinerja run: nothing was run", file=sys.stderr)
        return EXIT_REFUSED

    n = len(summary.results)
    folders = ", ".join(str(p) for p in summary.report_dirs)
    if summary.ok:
        print(f"{n} notebook{'s' if n != 1 else ''} ran in {summary.duration:.0f} s; reports in {folders}")
        return EXIT_OK
    print(summary.failure_table(width=max(shutil.get_terminal_size((120, 24)).columns, 80)))
    print(f"The executed notebooks (.ipynb, with the tracebacks) and their .html are in {folders}")
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kinerja`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_REFUSED
    try:
        return args.handler(args, args.command_parser)
    except KeyboardInterrupt:
        print("\nkinerja: interrupted (parameters.json of each report folder says what did not run)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
