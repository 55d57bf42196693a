"""The run layer: the papermill runner behind ``kinerja run``.

``runner`` plans, checks, executes and records runs of the notebook collection;
``cli`` is the command line. The runner's public names are available here.
"""

from .runner import (  # noqa: F401
    DEFAULT_KERNEL,
    DEFAULT_TIMEOUT,
    STANDARD_PARAMETERS,
    CellFailure,
    KernelNotInstalledError,
    NotebookParameter,
    NotebookResult,
    NotebookSpec,
    RunConfigurationError,
    RunSummary,
    coerce_parameter,
    inspect_notebooks,
    run_collection,
)
