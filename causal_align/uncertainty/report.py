"""render_uncertain(result, format): the verdict over a partial diagram as text, Markdown or JSON.

Examples
--------
>>> from causal_align.uncertainty.files import load_partial_graph
>>> from causal_align.uncertainty.verdict import check_under_uncertainty
>>> result = check_under_uncertainty(load_partial_graph("graphs/uncertain/tutoring_cpdag.yaml"))
>>> print(render_uncertain(result))  # doctest: +ELLIPSIS
tutoring_cpdag: UNDETERMINED
query: (Mastery ⊥ s | Score) in G_σ, in every consistent orientation of the -- edges
σ: σ(Plan) reads nothing
after background knowledge and Meek's rules: 2 edges still undirected (Mastery -- Plan, ...)
<BLANKLINE>
3 possible parent sets of Plan: 2 aligned, 1 not aligned
  1. Plan <- {}: NOT ALIGNED, s -> Score <- Motivation <- Plan -> Mastery is open
  2. Plan <- {Mastery}: aligned
  3. Plan <- {Motivation}: aligned
<BLANKLINE>
Knowing one direction settles it:
  Mastery -> Plan: aligned
  Motivation -> Plan: aligned
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from causal_align.errors import CausalAlignError
from causal_align.uncertainty.candidates import Consensus
from causal_align.uncertainty.edges import EdgeUncertaintyResult
from causal_align.uncertainty.verdict import Member, UncertainResult

FORMATS = ("text", "markdown", "json")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def render_uncertain(result: UncertainResult, format: str = "text") -> str:
    """The report in ``format``: ``"text"``, ``"markdown"`` or ``"json"``.

    Raises
    ------
    CausalAlignError
        For any other format.
    """
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    if format == "text":
        return "\n".join(_lines(result, markdown=False))
    if format == "markdown":
        return "\n".join(_lines(result, markdown=True))
    raise CausalAlignError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")


def render_consensus(consensus: Consensus, format: str = "text") -> str:
    """The consensus over candidate diagrams in ``format``: ``"text"``, ``"markdown"``, ``"json"``.

    Examples
    --------
    >>> from causal_align.uncertainty.candidates import check_candidates, load_candidates
    >>> print(render_consensus(check_candidates(*load_candidates(
    ...     "graphs/candidates/warehouse.yaml"))))
    UNDETERMINED over 3 candidate diagrams (defer: they disagree)
    P(aligned) = 0.5 (the weight of the aligned candidates)
      1. warehouse_as_designed (weight 0.5): aligned
      2. warehouse_carrier_shift (weight 0.2): NOT ALIGNED, s -> Carrier -> Y_b is open
      3. warehouse_shared_damage (weight 0.3): NOT ALIGNED, s -> Layout -> Y_m <-> Y_b is open
    """
    if format == "json":
        return json.dumps(consensus.to_dict(), indent=2, ensure_ascii=False)
    if format not in FORMATS:
        raise CausalAlignError(f"unknown format {format!r} (expected one of: "
                               f"{', '.join(FORMATS)})")
    markdown = format == "markdown"

    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    count = len(consensus.candidates)
    why = {"undetermined": " (defer: they disagree)", "aligned": " (all agree)",
           "not aligned": " (all agree)"}[consensus.verdict]
    lines = [(f"{'# ' if markdown else ''}{consensus.verdict.upper()} over {count} candidate "
              f"diagram{'s' if count != 1 else ''}{why}")]
    low, high = consensus.p_bounds
    if consensus.p_aligned is not None:
        lines.append(f"P(aligned) = {consensus.p_aligned:.3g} (the weight of the aligned "
                     "candidates)")
    elif any(item.weight is not None for item in consensus.candidates):
        lines.append(f"P(aligned) between {low:.3g} and {high:.3g} (some candidates are "
                     "undetermined themselves)")
    for index, item in enumerate(consensus.candidates, 1):
        name = _MARKDOWN.sub(r"\\\1", item.name) if markdown else item.name
        weight = "" if item.weight is None else f" (weight {item.weight:.3g})"
        verdict = item.verdict if item.verdict != "not aligned" else "NOT ALIGNED"
        witness = f", {code(item.witness)} is open" if item.witness else ""
        lines.append(f"{'-' if markdown else f'  {index}.'} {name}{weight}: {verdict}{witness}")
    return "\n".join(lines)


def render_edges(result: EdgeUncertaintyResult, format: str = "text") -> str:
    """P(aligned) over uncertain edges in ``format``: ``"text"``, ``"markdown"``, ``"json"``.

    Examples
    --------
    >>> from causal_align.uncertainty.edges import check_uncertain_edges
    >>> from causal_align.uncertainty.files import load_uncertain_file
    >>> found = load_uncertain_file("graphs/uncertain/warehouse_edges.yaml")
    >>> print(render_edges(check_uncertain_edges(found.graph.core, found.prior)))
    warehouse_edges: UNDETERMINED
    P(aligned) = 0.684 (exact, over 4 relevant uncertain edges)
    <BLANKLINE>
    Most worth learning (expected drop in the chance of a wrong call):
      s -> Carrier (prior 0.2): P(aligned) 0 if present, 0.855 if absent; value 0.2
      Layout -> Y_b (prior 0.1): P(aligned) 0 if present, 0.76 if absent; value 0.1
      Y_m <-> Y_b (prior 0.05): P(aligned) 0 if present, 0.72 if absent; value 0.05
      s -> Order (prior 0.2): P(aligned) 0.456 if present, 0.741 if absent; value 0.0176
    """
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    if format not in FORMATS:
        raise CausalAlignError(f"unknown format {format!r} (expected one of: "
                               f"{', '.join(FORMATS)})")
    markdown = format == "markdown"

    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    title = _MARKDOWN.sub(r"\\\1", result.graph_name) if markdown else result.graph_name
    lines = [f"{'# ' if markdown else ''}{title}: {result.verdict.upper()}"]
    count = len(result.relevant)
    how = (f"exact, over {count} relevant uncertain edge{'s' if count != 1 else ''}"
           if result.exact else
           f"sampled: {result.samples:,} draws, standard error {result.standard_error:.2g}")
    lines.append(f"P(aligned) = {result.p_aligned:.3g} ({how})")
    if result.pruned:
        lines.append("cannot matter (outside the query's ancestral set in G_σ): "
                     + ", ".join(code(str(edge)) for edge in result.pruned))
    useful = [item for item in result.values if item.value > 0]
    if useful:
        lines += ["", "Most worth learning (expected drop in the chance of a wrong call):"]
        lines += [f"{'-' if markdown else ' '} {code(str(item.edge))} (prior {item.prior:.3g}): "
                  f"P(aligned) {item.p_if_present:.3g} if present, {item.p_if_absent:.3g} if "
                  f"absent; value {item.value:.3g}" for item in useful]
    return "\n".join(lines)


def _lines(result: UncertainResult, *, markdown: bool) -> list[str]:
    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    first = result.members[0].result if result.members else None
    title = _MARKDOWN.sub(r"\\\1", result.graph_name) if markdown else result.graph_name
    lines = [f"{'# ' if markdown else ''}{title}: {result.verdict.upper()}"]
    if first is not None:
        query = f"{result.query} in G_σ"
        sigma = "; ".join(str(item) if item.context else f"σ({item.target}) reads nothing"
                          for item in first.sigma) or "none"
        lines += [f"query: {code(query)}, in every consistent orientation of the -- edges",
                  f"σ: {sigma}"]
    undirected = [f"{a} -- {b}" for a, b in result.closed_undirected]
    shown = ", ".join(undirected[:3]) + (", ..." if len(undirected) > 3 else "")
    lines.append(f"after background knowledge and Meek's rules: {len(undirected)} edge"
                 f"{'s' if len(undirected) != 1 else ''} still undirected"
                 + (f" ({shown})" if undirected else ""))
    counts = result.counts
    heading = (f"{len(result.members)} possible parent set"
               f"{'s' if len(result.members) != 1 else ''} of {', '.join(result.pivots)}"
               if result.pivots else
               f"{len(result.members)} diagram (no node's parents are in question)")
    lines += ["", f"{heading}: {counts['aligned']} aligned, {counts['not aligned']} not aligned"
              + (" (cut: not every member was checked)" if result.truncated else "")]
    lines += [f"  {index}. {_member(member, code)}"
              for index, member in enumerate(result.members, 1)]
    if result.settling:
        lines += ["", "Knowing one direction settles it:"]
        lines += [f"  {code(str(item.edge))}: {item.verdict}" for item in result.settling]
    elif result.verdict == "undetermined" and not result.truncated:
        lines += ["", "No single direction settles it."]
    return lines


def _member(member: Member, code: Callable[[str], str]) -> str:
    parents = member.label
    if member.result.aligned:
        return f"{code(parents)}: aligned"
    path = member.result.open_paths[0] if member.result.open_paths else None
    return f"{code(parents)}: NOT ALIGNED" + (f", {code(str(path))} is open" if path else "")
