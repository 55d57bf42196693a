"""Project paths, derived from this file's location, never from the working directory.

The package lives in ``<root>/lib/kinerja``; the project root is two levels up.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = PROJ_ROOT / "data"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
RESOURCES_DIR = PACKAGE_DIR / "data" / "resources"

__all__ = ["PACKAGE_DIR", "PROJ_ROOT", "DATA_DIR", "NOTEBOOKS_DIR", "REPORTS_DIR", "RESOURCES_DIR"]
