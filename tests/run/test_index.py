"""The reports index: links that open from any folder name."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from kinerja.run.index import index_html


def test_links_to_folders_with_spaces_and_hashes_resolve(tmp_path):
    """A dataset folder named 'kota makmur' gave href="kota makmur/2023/..." (a raw space);
    a '#' would cut the link at the fragment."""
    for name in ("kota makmur", "data#2"):
        folder = tmp_path / name / "2023"
        folder.mkdir(parents=True)
        (folder / "00_data_overview.html").write_text("<html></html>", encoding="utf-8")
        (folder / "06_policy_brief.en.html").write_text("<html></html>", encoding="utf-8")
        (folder / "06_policy_brief.en.pdf").write_bytes(b"%PDF-1.4")
        record = {
            "dataset": name,
            "year": 2023,
            "status": "ok",
            "notebooks": {"00_data_overview": {"status": "ok"}, "06_policy_brief.en": {"status": "ok"}},
        }
        (folder / "parameters.json").write_text(json.dumps(record), encoding="utf-8")
    page = index_html(tmp_path)
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert len(hrefs) >= 6
    for href in hrefs:
        assert " " not in href and "#" not in href, href
        assert (tmp_path / unquote(href.replace("&amp;", "&"))).is_file(), href
    assert any(h.startswith("kota%20makmur/2023/") for h in hrefs)
