"""A dataset's own notes: its assumptions-and-caveats log.

Every bundled dataset keeps a ``README.md`` beside its tables with a data log and a
section headed "Assumptions and caveats" (UK analytical quality-assurance practice:
the caveats of a brief come from that log, not from memory). Reports and briefs read
the items of that section here, so that nothing written for one dataset appears in
another's report.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Headings (level 2 or 3, case-insensitive) whose section holds the caveats.
CAVEAT_HEADING = re.compile(r"^#{2,3}\s+.*\bcaveats?\b", re.IGNORECASE)
#: The same in Bahasa Indonesia ("Asumsi dan catatan"), for briefs in Indonesian.
CAVEAT_HEADING_ID = re.compile(r"^#{2,3}\s+.*\bcatatan\b", re.IGNORECASE)


def readme_path(dataset) -> Path | None:
    """The dataset's ``README.md``: in its folder, or beside its workbook
    (``<stem>.README.md`` or ``README.md``); None when there is none."""
    path = Path(dataset.path)
    candidates = [path / "README.md"] if path.is_dir() else [path.with_suffix(".README.md"), path.parent / "README.md"]
    return next((p for p in candidates if p.is_file()), None)


def caveats_in(dataset, year: int | None = None, lang: str = "en") -> tuple[list[str], str]:
    r"""The caveats in ``lang`` and the language they are in: the Indonesian section
    ("Asumsi dan catatan", :data:`CAVEAT_HEADING_ID`) for ``lang="id"`` when the log has
    one, otherwise the English section.

    >>> import tempfile, types
    >>> d = Path(tempfile.mkdtemp())
    >>> text = "# X\n## Assumptions and caveats\n1. One.\n## Asumsi dan catatan\n1. Satu.\n"
    >>> _ = (d / "README.md").write_text(text)
    >>> ds = types.SimpleNamespace(path=d)
    >>> caveats_in(ds, lang="id"), caveats_in(ds, lang="en")
    ((['Satu.'], 'id'), (['One.'], 'en'))
    """
    if lang == "id":
        items = caveats(dataset, year, heading=CAVEAT_HEADING_ID)
        if items:
            return items, "id"
    return caveats(dataset, year), "en"


def caveats(dataset, year: int | None = None, *, heading: re.Pattern = CAVEAT_HEADING) -> list[str]:
    r"""The items (numbered or bulleted, joined across wrapped lines) of the README's
    "Assumptions and caveats" section; an empty list when there is no such section.

    An item may start with a year tag, ``[2020]`` or ``[2020, 2021]``: it then concerns
    those evaluation years only and is returned for ``year`` only if listed (without
    the tag); untagged items concern every year.

    >>> import tempfile, types
    >>> d = Path(tempfile.mkdtemp())
    >>> text = "# X\n## Assumptions and caveats\n1. One,\n   wrapped.\n2. [2020] Two.\n## Other\n- no"
    >>> _ = (d / "README.md").write_text(text)
    >>> caveats(types.SimpleNamespace(path=d), 2020), caveats(types.SimpleNamespace(path=d), 2021)
    (['One, wrapped.', 'Two.'], ['One, wrapped.'])
    """
    path = readme_path(dataset)
    if path is None:
        return []
    items: list[str] = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            inside = bool(heading.match(line))
            continue
        if not inside:
            continue
        m = re.match(r"^\s*(?:\d+[.)]|[-*])\s+(.*)$", line)
        if m:
            items.append(m.group(1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    out = []
    for item in items:
        tag = re.match(r"^\[(\d{4}(?:\s*,\s*\d{4})*)\]\s*", item)
        if tag:
            years = {int(y) for y in re.findall(r"\d{4}", tag.group(1))}
            if year is None or year in years:
                out.append(item[tag.end() :])
        else:
            out.append(item)
    return out
