"""docs/gallery.md and its pictures are generated from graphs/ and kept up to date."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_gallery_is_up_to_date(tmp_path: Path) -> None:
    script = runpy.run_path(str(ROOT / "docs" / "make_gallery.py"))
    script["main"](tmp_path)
    committed = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    assert (tmp_path / "gallery.md").read_text(encoding="utf-8") == committed, (
        "docs/gallery.md is stale: run python docs/make_gallery.py")
    for graph in (ROOT / "graphs").glob("*.yaml"):
        picture = ROOT / "docs" / "gallery" / f"{graph.stem}.svg"
        assert picture.exists(), f"missing {picture}: run python docs/make_gallery.py"
        assert f"](gallery/{graph.stem}.svg)" in committed
