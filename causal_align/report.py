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
from causal_align.explain import OpenPath

FORMATS = ("text", "markdown", "json", "dot", "html")


def render(result: AlignmentResult, format: str = "text") -> str:
    """The report in ``format``: ``"text"``, ``"markdown"``, ``"json"``, ``"dot"`` (Graphviz
    source of the picture) or ``"html"`` (one offline page with the picture).

    Raises
    ------
    ValueError
        For any other format. (Without a Graphviz executable, the HTML page says why it has
        no picture instead of raising.)
    """
    if format == "dot":
        from causal_align.picture import to_dot

        return to_dot(result)
    if format == "html":
        from causal_align.html import to_html

        return to_html(result)
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    if format == "text":
        return "\n".join(_text(result))
    if format == "markdown":
        return "\n".join(_markdown(result))
    raise ValueError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")


def _verdict(result: AlignmentResult) -> str:
    return "ALIGNED" if result.aligned else "NOT ALIGNED"


def _names(nodes: tuple[str, ...]) -> str:
    return ", ".join(nodes) or "∅"


def query_text(result: AlignmentResult) -> str:
    return f"({_names(result.base)} ⊥ {_names(result.regime)} | {_names(result.mesa)}) in G_σ"


def _sigma_lines(result: AlignmentResult) -> list[str]:
    if not result.sigma:
        return ["none (G_σ = G, a plain transportability check)"]
    lines = [f"{item.target} reads {', '.join(item.context or ()) or 'nothing (open loop)'}"
             for item in result.sigma]
    lines.append("edges removed: " + (", ".join(map(str, result.sigma_removed)) or "none"))
    lines.append("edges added by the context: " + (", ".join(map(str, result.sigma_added)) or "none"))
    return lines


def paths_sentence(result: AlignmentResult) -> str:
    given = f"given {_names(result.mesa)}" if result.mesa else "with nothing conditioned on"
    if result.aligned:
        return f"No open path from {_names(result.regime)} to {_names(result.base)} {given}."
    count = len(result.open_paths)
    if not count:
        return f"Open paths exist {given}; none listed (limit {result.limit})."
    more = " (more exist: raise the limit to list them)" if result.truncated else ""
    return f"{count} open path{'s' if count != 1 else ''} {given}, shortest first{more}:"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def conjecture_lines(result: AlignmentResult) -> list[str]:
    conjecture = result.conjecture
    base, mesa, regime = _names(result.base), _names(result.mesa), _names(result.regime)
    through = f"(2) every causal path from {regime} to {base} passes through {mesa}: " + \
        _yes(conjecture.all_through_mesa)
    if not conjecture.has_causal_route:
        through += f" (vacuously: no causal path runs from {regime} to {base})"
    elif conjecture.all_through_mesa != conjecture.all_through_mesa_in_g:
        through += (f" (read in G it would be {_yes(conjecture.all_through_mesa_in_g)}: σ "
                    f"{'adds' if conjecture.all_through_mesa_in_g else 'cuts'} a causal path)")
    if conjecture.agrees is None:
        verdict = f"The conjecture {conjecture.note}."
    else:
        predicted = "ALIGNED" if conjecture.predicts_aligned else "NOT ALIGNED"
        verdict = f"(1) and (2) predict {predicted}: the conjecture {conjecture.note}."
    return [f"(1) {base} depends causally on {mesa}: {_yes(conjecture.depends)}", through, verdict]


def repair_lines(result: AlignmentResult) -> list[str]:
    repairs = result.repairs
    if result.aligned:
        return []
    lines = [f"impossible by conditioning: {edge} is an edge" for edge in repairs.impossible]
    if repairs.monitor is not None:
        lines.append(f"monitor more: also condition on {', '.join(repairs.monitor)} (a weaker "
                     f"guarantee: aligned given {_names(result.mesa)} and these)")
    elif not repairs.impossible:
        lines.append("monitor more: no set of observed nodes blocks every path")
    lines += [f"narrow the policy's context: drop {node} from what {target} reads"
              for target, node in repairs.narrow_context]
    return lines


def _path_lines(index: int, path: OpenPath) -> list[str]:
    return [f"{index:>3}. {path}  [{', '.join(path.kinds)}]",
            *(f"       {reason}" for reason in path.explain())]


def _text(result: AlignmentResult) -> list[str]:
    sigma = _sigma_lines(result)
    lines = [f"{result.graph}: {_verdict(result)}", f"query: {query_text(result)}",
             f"σ: {sigma[0]}", *(f"   {line}" for line in sigma[1:]), "", paths_sentence(result)]
    for index, path in enumerate(result.open_paths, 1):
        lines += _path_lines(index, path)
    lines += ["", "The founding text's conjecture, read in G_σ:"]
    lines += [f"  {line}" for line in conjecture_lines(result)]
    repairs = repair_lines(result)
    if repairs:
        lines += ["", "What would make it aligned:", *(f"  - {line}" for line in repairs)]
    return lines


def _markdown(result: AlignmentResult) -> list[str]:
    lines = [f"# {result.graph}: {_verdict(result)}", "", f"**Query:** {query_text(result)}", "",
             "**σ:**", "", *(f"- {line}" for line in _sigma_lines(result)), "",
             "## Open paths", "", paths_sentence(result), ""]
    if result.open_paths:
        lines += ["| # | path | kinds |", "|---|---|---|"]
        lines += [f"| {index} | `{path}` | {', '.join(path.kinds)} |"
                  for index, path in enumerate(result.open_paths, 1)]
        for index, path in enumerate(result.open_paths, 1):
            lines += ["", f"### {index}. `{path}`", "", *(f"- {reason}" for reason in path.explain())]
        lines.append("")
    lines += ["## The founding text's conjecture, read in G_σ", ""]
    lines += [f"- {line}" for line in conjecture_lines(result)]
    repairs = repair_lines(result)
    if repairs:
        lines += ["", "## What would make it aligned", "", *(f"- {line}" for line in repairs)]
    return lines
