"""Write docs/gallery.md and one SVG picture per example graph in docs/gallery/.

Run from the repository root: ``python docs/make_gallery.py``. Every picture is drawn by
causal_align itself from graphs/*.yaml; tests/test_gallery.py checks the page is up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from causal_align import check_inner_alignment, load_graph
from causal_align.pictures.svg import to_svg

ROOT = Path(__file__).resolve().parent.parent
SHOWN_PATHS = 5


def header_comment(path: Path) -> str:
    """The first paragraph of the graph file's header comment: what it models."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# yaml-language-server"):
            continue
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        if not text and lines:
            break
        if text:
            lines.append(text)
    return " ".join(lines)


def gallery_page(graphs: list[Path]) -> str:
    """The Markdown page: one section per graph, with its verdict, paths and picture."""
    parts = ["# Gallery", "",
             "Every example graph in `graphs/`, checked and drawn by causal_align "
             "(`python docs/make_gallery.py` regenerates this page). Open paths are coloured and "
             "numbered; regime nodes are boxes, Y_m is shaded, Y_b is outlined in red, the σ "
             "diamond points at the policy's decision, dashed grey edges are those σ removed.", ""]
    for path in graphs:
        result = check_inner_alignment(load_graph(path))
        verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
        parts += [f"## {result.graph_name}: {verdict}", "", header_comment(path), "",
                  f"`causal-align check graphs/{path.name}`", ""]
        for number, open_path in enumerate(result.open_paths[:SHOWN_PATHS], 1):
            parts.append(f"{number}. `{open_path}` — {', '.join(open_path.kinds)}")
        if len(result.open_paths) > SHOWN_PATHS:
            parts.append(f"\n… and {len(result.open_paths) - SHOWN_PATHS} more open paths.")
        parts += ["", f"![{result.graph_name}](gallery/{path.stem}.svg)", ""]
    return "\n".join(parts)


def main(folder: Path = ROOT / "docs") -> None:
    graphs = sorted((ROOT / "graphs").glob("*.yaml"))
    (folder / "gallery").mkdir(parents=True, exist_ok=True)
    for path in graphs:
        svg = to_svg(check_inner_alignment(load_graph(path)))
        (folder / "gallery" / f"{path.stem}.svg").write_text(svg, encoding="utf-8")
    (folder / "gallery.md").write_text(gallery_page(graphs), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
