"""``python -m kinerja``: the same as the ``kinerja`` command."""

import sys

from kinerja.run.cli import main

if __name__ == "__main__":
    sys.exit(main())
