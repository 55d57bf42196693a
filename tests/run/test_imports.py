"""The runner's start-up: nbformat's validator without rfc3987-syntax's grammar build."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from kinerja.paths import PROJ_ROOT

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, "lib")
    from kinerja.run import runner
    runner._import_jsonschema_without_iri_grammar()
    print("jsonschema" in sys.modules, "rfc3987_syntax" in sys.modules)
    import nbformat
    nb = nbformat.v4.new_notebook()
    nbformat.validate(nb)  # the validator nbformat uses still works
    bad = nbformat.v4.new_notebook()
    bad.cells.append({"cell_type": "code"})
    try:
        nbformat.validate(bad)
    except nbformat.ValidationError:
        print("invalid notebook refused")
    import importlib.util
    if importlib.util.find_spec("rfc3987_syntax") is not None:
        import rfc3987_syntax  # the block was lifted: an explicit import still works
        print("explicit import", rfc3987_syntax.is_valid_syntax("iri", "http://example.org/ä"))
    else:
        print("explicit import True")
    """
)


def test_jsonschema_is_imported_without_building_the_iri_grammar_and_validation_still_works():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=PROJ_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "True False"
    assert out[1] == "invalid notebook refused"
    assert out[2] == "explicit import True"


def test_a_process_that_already_has_jsonschema_is_left_alone():
    script = (
        "import sys; sys.path.insert(0, 'lib'); import jsonschema; before = dict(sys.modules);"
        "from kinerja.run import runner; runner._import_jsonschema_without_iri_grammar();"
        "print(sys.modules.get('rfc3987_syntax', 'absent') is before.get('rfc3987_syntax', 'absent'))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJ_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_asyncio_report_of_a_killed_kernels_output_poll_is_dropped_and_nothing_else():
    import logging

    from kinerja.run.runner import _KILLED_KERNEL_POLL

    def record(msg):
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, (), None)

    poll = "Task was destroyed but it is pending!\ntask: <Task pending coro=<NotebookClient._async_poll_output_msg()>>"
    other = "Task was destroyed but it is pending!\ntask: <Task pending coro=<something_else()>>"
    assert not _KILLED_KERNEL_POLL.filter(record(poll))
    assert _KILLED_KERNEL_POLL.filter(record(other))
    assert _KILLED_KERNEL_POLL.filter(record("Unclosed client session"))


def test_the_pdf_renderer_is_imported_in_the_background_while_the_kernels_run():
    # A run with PDFs imports WeasyPrint at its start, on a thread of its own, instead of
    # at its end, when only the brief is left and one core has nothing to do.
    script = textwrap.dedent(
        """
        import sys, threading
        sys.path.insert(0, "lib")
        from kinerja.run import runner
        before = "weasyprint" in sys.modules
        thread = runner._warm_pdf_renderer()
        print(before, thread is not threading.current_thread(), thread.daemon)
        thread.join()
        print("weasyprint" in sys.modules, "kinerja.report.brief" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJ_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "False True True"
    assert out[1] == "True True"
