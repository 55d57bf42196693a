"""kinerja: audit the fairness of Indonesian public-sector performance evaluations.

The package is built in layers; each imports only from the layers above it in this
list, never from those below:

``kinerja.data``      what a dataset is: ``schema`` (the six tables), ``io``
                      (``load_dataset``: validation, clear errors, row accounts),
                      ``template`` (Excel fill-in template, data dictionary), ``synth``
                      (synthetic juror scores with planted effects), ``grades`` (SAKIP
                      bands), ``rubrics`` (bundled rubrics, weighted totals).
``kinerja.stats``     statistics on plain tables, no I/O: ``agreement`` (ICC, alpha,
                      kappas, Gwet's AC, Kendall's W, two-juror tools), ``varcomp``
                      (the one REML engine for variance components), ``gtheory`` (G and
                      D studies in Brennan's notation), ``effects`` (juror leniency,
                      rater fit, panel effects, home bias), ``stability`` (grade
                      stability under another jury), ``compare`` (grades and scores
                      between groups of units: exact r x c test, exact shares and power,
                      Welch/Kruskal-Wallis, ordinal and mixed models) and the shared
                      machinery the analyses build on.
``kinerja.analyses``  one module per notebook: a ``Dataset`` in, documented tidy tables
                      and ``findings`` out (``overview`` = notebook 00, ``agreement`` =
                      01, ``juror_effects`` = 02, ``categories`` = 03, ``innovations`` =
                      04, ...); ``findings`` holds the findings contract.
``kinerja.report``    what a reader sees: provenance ``labels``, ``plots``, ``wording``,
                      ``notebook`` (the one set-up call and the saving of tables,
                      figures and findings) and ``brief`` (the policy brief, from what
                      the other notebooks of a run wrote).
``kinerja.run``       the papermill runner behind ``kinerja run`` (``runner``, ``cli``,
                      ``index`` for reports/index.html).

Short public names
------------------
The modules users import by a short name keep working at that name, as the very same
module objects: ``kinerja.io`` is ``kinerja.data.io``, ``kinerja.agreement`` is
``kinerja.stats.agreement``, and so on (:data:`PUBLIC_NAMES`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

__version__ = "0.1.0"

#: Short public module names and the layered module each one is.
PUBLIC_NAMES: dict[str, str] = {
    "schema": "kinerja.data.schema",
    "io": "kinerja.data.io",
    "template": "kinerja.data.template",
    "synth": "kinerja.data.synth",
    "grades": "kinerja.data.grades",
    "rubrics": "kinerja.data.rubrics",
    "agreement": "kinerja.stats.agreement",
    "gtheory": "kinerja.stats.gtheory",
    "effects": "kinerja.stats.effects",
    "stability": "kinerja.stats.stability",
    "compare": "kinerja.stats.compare",
    "overview": "kinerja.analyses.overview",
    "trends": "kinerja.analyses.trends",
    "labels": "kinerja.report.labels",
    "plots": "kinerja.report.plots",
    "brief": "kinerja.report.brief",
    "cli": "kinerja.run.cli",
}


class _PublicNameFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes ``import kinerja.<short name>`` give the layered module itself.

    The module object is shared (``kinerja.io is kinerja.data.io``; the same for their
    submodules, ``kinerja.agreement._icc is kinerja.stats.agreement._icc``), so
    monkeypatching, ``isinstance`` checks and pickling behave as if the module lived at
    both names.
    """

    @staticmethod
    def real_name(fullname: str) -> str | None:
        """The layered name of ``kinerja.<short>[.<sub>...]``, or None if not an alias."""
        package, _, rest = fullname.partition(".")
        short, dot, sub = rest.partition(".")
        if package != __name__ or short not in PUBLIC_NAMES:
            return None
        return PUBLIC_NAMES[short] + dot + sub

    def find_spec(self, fullname, path=None, target=None):
        if self.real_name(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module(self.real_name(spec.name))
        # the import system is about to overwrite the real module's __spec__ with the
        # alias spec; keep the real one to restore it in exec_module
        module.__dict__.setdefault("_kinerja_real_spec", module.__spec__)
        return module

    def exec_module(self, module):
        module.__spec__ = module.__dict__.pop("_kinerja_real_spec")
        module.__loader__ = module.__spec__.loader

    def get_code(self, fullname):
        """Code that runs the real module as ``__main__``, so that ``python -m
        kinerja.synth`` works as documented (runpy asks the loader of the name given for
        code to run; the real module's own code would resolve its relative imports
        against the alias's package)."""
        real = self.real_name(fullname)
        return compile(
            f"import runpy\nrunpy.run_module({real!r}, run_name='__main__', alter_sys=True)\n", fullname, "exec"
        )

    def is_package(self, fullname):
        spec = importlib.util.find_spec(self.real_name(fullname))
        return spec.submodule_search_locations is not None


if not any(isinstance(f, _PublicNameFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _PublicNameFinder())


def __getattr__(name: str):
    # ``kinerja.io`` as an attribute, without an import statement
    if name in PUBLIC_NAMES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
