"""render(result, format): the verdict and its explanation as text, Markdown or JSON.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.alignment import check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b", "X -> Y_m"], regime="s",
...                                base="Y_b", mesa="Y_m", name="demo")
>>> print(render(check_inner_alignment(graph), "text"))  # doctest: +ELLIPSIS
demo: NOT ALIGNED
query: (Y_b ⊥ s | Y_m) in G_σ
σ: none (G_σ = G, a plain transportability check)
<BLANKLINE>
1 open path given Y_m, shortest first:
  1. s -> X -> Y_b  [causal leak]
       X is a chain (s -> X -> Y_b), not conditioned on
...
"""

from __future__ import annotations

import json

from causal_align.alignment import AlignmentResult
from causal_align.errors import CausalAlignError
from causal_align.explain import OpenPath
from causal_align.wording import (
    CONJECTURE_HEADING,
    blocked_sentence,
    conjecture_lines,
    markdown,
    paths_sentence,
    plain,
    query_text,
    repair_lines,
    sigma_lines,
    verdict_word,
)

FORMATS = ("text", "markdown", "json")
"""The formats of this module; the pictures layer adds ``dot``, ``svg`` and ``html``
(:func:`causal_align.pictures.render`, which is ``causal_align.render``)."""


def render(result: AlignmentResult, format: str = "text") -> str:
    """The report in ``format``: ``"text"``, ``"markdown"`` or ``"json"``.

    Raises
    ------
    CausalAlignError
        For any other format (pictures: :func:`causal_align.render`).
    """
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    if format == "text":
        return "\n".join(_text(result))
    if format == "markdown":
        return "\n".join(_markdown(result))
    raise CausalAlignError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)}; "
                           "dot, svg and html are causal_align.render's)")


def _path_lines(index: int, path: OpenPath) -> list[str]:
    return [f"{index:>3}. {path}  [{', '.join(path.kinds)}]",
            *(f"       {reason}" for reason in path.explain())]


def _text(result: AlignmentResult) -> list[str]:
    sigma = sigma_lines(result)
    lines = [f"{plain(result.graph_name)}: {verdict_word(result)}", f"query: {query_text(result)}",
             f"σ: {sigma[0]}", *(f"   {line}" for line in sigma[1:]), "", paths_sentence(result)]
    for index, path in enumerate(result.open_paths, 1):
        lines += _path_lines(index, path)
    if result.blocked_paths:
        lines += [blocked_sentence(result), *(f"  - {path}" for path in result.blocked_paths)]
    lines += ["", f"{CONJECTURE_HEADING}:"]
    lines += [f"  {line}" for line in conjecture_lines(result)]
    repairs = repair_lines(result)
    if repairs:
        lines += ["", "What would make it aligned:", *(f"  - {line}" for line in repairs)]
    return lines


def _markdown(result: AlignmentResult) -> list[str]:
    """Markdown: user text (the graph's name, node names outside code spans) is escaped with
    :func:`~causal_align.wording.markdown`, so no name can add markup or raw HTML."""
    md = markdown
    lines = [f"# {md(result.graph_name, 200)}: {verdict_word(result)}", "",
             f"**Query:** {md(query_text(result))}", "",
             "**σ:**", "", *(f"- {md(line)}" for line in sigma_lines(result)), "",
             "## Open paths", "", md(paths_sentence(result)), ""]
    if result.open_paths:
        lines += ["| # | path | kinds |", "|---|---|---|"]
        lines += [f"| {index} | `{path}` | {', '.join(path.kinds)} |"
                  for index, path in enumerate(result.open_paths, 1)]
        for index, path in enumerate(result.open_paths, 1):
            lines += ["", f"### {index}. `{path}`", "",
                      *(f"- {md(reason)}" for reason in path.explain())]
        lines.append("")
    if result.blocked_paths:
        lines += [md(blocked_sentence(result)), "",
                  *(f"- `{path.to_dict()['path']}`: {md(str(path).split(': ', 1)[1])}"
                    for path in result.blocked_paths), ""]
    lines += [f"## {CONJECTURE_HEADING}", ""]
    lines += [f"- {md(line)}" for line in conjecture_lines(result)]
    repairs = repair_lines(result)
    if repairs:
        lines += ["", "## What would make it aligned", "", *(f"- {md(line)}" for line in repairs)]
    return lines
