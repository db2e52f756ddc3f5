"""The incentive panel and the trade-off table as text, Markdown or JSON.

:func:`incentive_report` puts the alignment verdict, the incentives and their signatures side
by side; :func:`render_incentives` and :func:`render_tradeoffs` write them out. Node names are
set in code spans in Markdown and free text (graph names) is escaped.

Examples
--------
>>> from causal_align.loader import load_graph
>>> report = incentive_report(load_graph("graphs/zoo/coinrun.yaml"))
>>> print(render_incentives(report, "text"))  # doctest: +ELLIPSIS
coinrun: incentives of Move (utility: GotCoin)
alignment: NOT ALIGNED (first open path: s -> Coin -> GotCoin)
Move reads Screen; requisite: Screen; the minimal reduction drops no link
<BLANKLINE>
requisite observations: Screen
  Screen: Screen <- Coin -> GotCoin, open given Move
    Coin is a fork (Screen <- Coin -> GotCoin), not conditioned on
...
signatures:
  deceptive alignment: Coin, Screen, s
    s -> Coin -> Screen -> Move (the optimal decision may respond to Coin, which the regime changes)
...
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError
from causal_align.header import ResultHeader, header_of
from causal_align.incentives.criteria import KINDS, Incentives, influence_diagram
from causal_align.incentives.signatures import (
    SIGNATURE_KINDS,
    Signatures,
    read_signatures,
)
from causal_align.incentives.tradeoffs import Tradeoffs
from causal_align.model import CausalGraph, SoftIntervention

FORMATS = ("text", "markdown", "json")

HEADINGS = {"requisite": "requisite observations", "voi": "value of information",
            "ri": "response incentives", "voc": "value of control",
            "ici": "instrumental control incentives"}
"""How each incentive kind is headed in reports."""


@dataclass(frozen=True)
class IncentiveReport(ResultHeader):
    """The alignment verdict (when the graph has a query) beside the incentives and signatures."""

    aligned: bool | None
    first_open_path: str | None
    incentives: Incentives
    signatures: Signatures

    def to_dict(self) -> dict[str, Any]:
        return {"graph": self.graph_name, "aligned": self.aligned,
                "first_open_path": self.first_open_path,
                "incentives": self.incentives.to_dict(),
                "signatures": self.signatures.to_dict()}


def incentive_report(graph: CausalGraph, *, decision: str | None = None,
                     utility: str | Iterable[str] | None = None,
                     sigma: Iterable[SoftIntervention] | None = None) -> IncentiveReport:
    """Incentives, signatures and (for a graph with a base objective) the alignment verdict;
    ``sigma`` replaces the graph's interventions for both."""
    sigma = None if sigma is None else tuple(sigma)
    found = read_signatures(influence_diagram(graph, decision=decision, utility=utility,
                                              sigma=sigma))
    aligned, path = None, None
    if graph.base:
        result = check_inner_alignment(graph, limit=1, sigma=sigma)
        aligned = result.aligned
        path = str(result.open_paths[0]) if result.open_paths else None
    return IncentiveReport(aligned, path, found.incentives, found, **header_of(graph).keywords())


def render_incentives(report: IncentiveReport, format: str = "text") -> str:
    """The incentive report in ``format``: ``"text"``, ``"markdown"`` or ``"json"``."""
    if format == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    if format == "text":
        return "\n".join(_incentive_text(report))
    if format == "markdown":
        return "\n".join(_incentive_markdown(report))
    raise CausalAlignError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")


def render_tradeoffs(table: Tradeoffs, format: str = "text") -> str:
    """The trade-off table in ``format``: ``"text"``, ``"markdown"`` or ``"json"``."""
    if format == "json":
        return json.dumps(table.to_dict(), indent=2, ensure_ascii=False)
    if format == "text":
        return "\n".join(_tradeoff_text(table))
    if format == "markdown":
        return "\n".join(_tradeoff_markdown(table))
    raise CausalAlignError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")


def escape_markdown(text: str) -> str:
    """``text`` safe in Markdown and HTML: punctuation backslash-escaped, ``<>&`` as entities.

    >>> print(escape_markdown("a_b <i>*x*</i> (c -> d)"))
    a\\_b &lt;i&gt;\\*x\\*&lt;/i&gt; (c -&gt; d)
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", text)


def _names(nodes: Iterable[str]) -> str:
    return ", ".join(nodes) or "none"


def _code(nodes: Iterable[str]) -> str:
    return ", ".join(f"`{node}`" for node in nodes) or "none"


def _verdict(report: IncentiveReport) -> str:
    if report.aligned is None:
        return "no alignment query (declare query: base: to see the verdict)"
    if report.aligned:
        return "ALIGNED"
    return f"NOT ALIGNED (first open path: {report.first_open_path})"


def _reduction(found: Incentives) -> str:
    dropped = (f"the minimal reduction drops {', '.join(found.removed_links)}"
               if found.removed_links else "the minimal reduction drops no link")
    return (f"{found.decision} reads {_names(found.context)}; requisite: "
            f"{_names(found.requisite)}; {dropped}")


def panel_lines(found: Incentives, signatures: Signatures) -> list[str]:
    """The incentive panel as plain-text lines, for any report that shows it."""
    lines: list[str] = []
    for kind in KINDS:
        nodes = found.of(kind)
        lines.append(f"{HEADINGS[kind]}: {_names(nodes)}")
        for item in found.explanations:
            if item.kind != kind:
                continue
            text = f"  {item.node}: {item.path}"
            if kind in ("requisite", "voi"):
                text += f", open given {', '.join(item.given)}"
                if item.hypothetical:
                    text += f" (if {found.decision} read {item.node})"
            lines.append(text)
            lines += [f"    {reason}" for reason in item.reasons]
    lines += ["", "signatures:"]
    for kind in SIGNATURE_KINDS:
        marks = [mark for mark in signatures.items if mark.kind == kind]
        lines.append(f"  {kind}: {_names(mark.node for mark in marks)}")
        lines += [f"    {' -> '.join(mark.nodes)} ({mark.note})" for mark in marks]
    return lines


def _incentive_text(report: IncentiveReport) -> list[str]:
    found = report.incentives
    return [f"{report.graph_name}: incentives of {found.decision} "
            f"(utility: {_names(found.utility)})",
            f"alignment: {_verdict(report)}", _reduction(found), "",
            *panel_lines(found, report.signatures)]


def _incentive_markdown(report: IncentiveReport, *, panel: bool = False) -> list[str]:
    """The Markdown report; as a ``panel`` inside the alignment report, its title is a
    second-level heading, the verdict is left out and the sections are third-level."""
    found = report.incentives
    verdict = _verdict(report)
    if report.first_open_path:
        verdict = f"NOT ALIGNED (first open path: `{report.first_open_path}`)"
    section = "###" if panel else "##"
    title = (f"## Incentives of `{found.decision}`" if panel else
             f"# {escape_markdown(report.graph_name)}: incentives of `{found.decision}`")
    lines = [title, "", f"**Utility:** {_code(found.utility)}", "",
             *([] if panel else [f"**Alignment:** {verdict}", ""]),
             (f"**Reads:** {_code(found.context)}; **requisite:** {_code(found.requisite)}; "
              f"**dropped by the minimal reduction:** "
              f"{', '.join(f'`{link}`' for link in found.removed_links) or 'none'}"), "",
             "| incentive | nodes |", "|---|---|"]
    lines += [f"| {HEADINGS[kind]} | {_code(found.of(kind))} |" for kind in KINDS]
    for kind in KINDS:
        items = [item for item in found.explanations if item.kind == kind]
        if not items:
            continue
        lines += ["", f"{section} {HEADINGS[kind].capitalize()}", ""]
        for item in items:
            text = f"- `{item.node}`: `{item.path}`"
            if kind in ("requisite", "voi"):
                text += f", open given {_code(item.given)}"
                if item.hypothetical:
                    text += f" (if `{found.decision}` read `{item.node}`)"
            lines.append(text)
            lines += [f"  - {escape_markdown(reason)}" for reason in item.reasons]
    lines += ["", f"{section} Signatures", ""]
    for kind in SIGNATURE_KINDS:
        marks = [mark for mark in report.signatures.items if mark.kind == kind]
        lines.append(f"- **{kind}:** {_code(mark.node for mark in marks)}")
        lines += [f"  - `{' -> '.join(mark.nodes)}` ({escape_markdown(mark.note)})"
                  for mark in marks]
    return lines


def _row(table: Tradeoffs) -> list[tuple[str, ...]]:
    return [(("*" if variant.pareto else ""), variant.name,
             "ALIGNED" if variant.aligned else "NOT ALIGNED", variant.first_open_path or "-",
             _dash(variant.signatures.deception), _dash(variant.signatures.wireheading),
             _dash(variant.signatures.tampering)) for variant in table.variants]


def _dash(nodes: tuple[str, ...]) -> str:
    return ", ".join(nodes) or "-"


COLUMNS = ("", "variant", "verdict", "first open path", "deceptive alignment", "wireheading",
           "reward tampering")
PARETO_NOTE = ("* Pareto-optimal: no other variant is at least as good on both axes (aligned; "
               "free of wireheading and reward-tampering signatures) and better on one.")


def _heading(table: Tradeoffs) -> str:
    return (f"design variants of {table.decision} (utility: {_names(table.utility)}; "
            f"Y_b: {_names(table.base)}; Y_m: {_names(table.mesa)})")


def _tradeoff_text(table: Tradeoffs) -> list[str]:
    rows = [COLUMNS, *_row(table)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS))]
    lines = [f"{table.graph_name}: {_heading(table)}", table.summary, ""]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
              for row in rows]
    return [*lines, "", PARETO_NOTE]


def _tradeoff_markdown(table: Tradeoffs) -> list[str]:
    lines = [f"# {escape_markdown(table.graph_name)}: {escape_markdown(_heading(table))}", "",
             escape_markdown(table.summary), "",
             "| " + " | ".join(COLUMNS[1:]) + " | Pareto |",
             "|" + "---|" * len(COLUMNS)]
    for row in _row(table):
        cells = [escape_markdown(row[1]), row[2],
                 *(cell if cell == "-" else f"`{cell}`" for cell in row[3:])]
        lines.append("| " + " | ".join([*cells, "yes" if row[0] else ""]) + " |")
    return [*lines, "", escape_markdown(PARETO_NOTE)]


def node_marks(report: IncentiveReport) -> dict[str, tuple[str, ...]]:
    """Every node with an incentive or a signature, mapped to its kinds (incentive kinds in
    :data:`~causal_align.incentives.criteria.KINDS` order, then signature kinds): what a
    picture needs to colour nodes by incentive.

    >>> from causal_align.loader import load_graph
    >>> marks = node_marks(incentive_report(load_graph("graphs/zoo/reward_tampering.yaml")))
    >>> marks["Theta_R2"], marks["O"]
    (('voc', 'ici', 'reward tampering'), ('requisite', 'voi', 'ri', 'voc', 'deceptive alignment'))
    """
    marks: dict[str, list[str]] = {}
    for kind in KINDS:
        for node in report.incentives.of(kind):
            marks.setdefault(node, []).append(kind)
    for mark in report.signatures.items:
        marks.setdefault(mark.node, []).append(mark.kind)
    return {node: tuple(kinds) for node, kinds in sorted(marks.items())}


def incentive_panel(graph: CausalGraph, format: str = "text", *,
                    sigma: Iterable[SoftIntervention] | None = None) -> str | None:
    """The incentive panel to append to the alignment report of ``graph`` in ``format``
    (``"text"`` or ``"markdown"``), or ``None`` when the graph declares no utility; for JSON,
    use :func:`incentive_panel_data`. Pass the result's ``sigma`` for a what-if query.

    >>> from causal_align.loader import load_graph
    >>> print(incentive_panel(load_graph("graphs/zoo/coinrun.yaml")))  # doctest: +ELLIPSIS
    Incentives of Move (utility: GotCoin):
      Move reads Screen; requisite: Screen; the minimal reduction drops no link
      requisite observations: Screen
    ...
    """
    if not getattr(graph, "utility", ()):
        return None
    report = incentive_report(graph, sigma=sigma)
    found = report.incentives
    if format == "text":
        return "\n".join([f"Incentives of {found.decision} (utility: {_names(found.utility)}):",
                          f"  {_reduction(found)}",
                          *(f"  {line}" if line else "" for line in panel_lines(
                              found, report.signatures))])
    if format == "markdown":
        return "\n".join(_incentive_markdown(report, panel=True))
    raise CausalAlignError(f"unknown format {format!r} (expected text or markdown)")


def incentive_panel_data(graph: CausalGraph, *,
                         sigma: Iterable[SoftIntervention] | None = None
                         ) -> dict[str, Any] | None:
    """The incentive panel of ``graph`` as JSON-ready data (``incentives`` and ``signatures``),
    or ``None`` when the graph declares no utility."""
    if not getattr(graph, "utility", ()):
        return None
    report = incentive_report(graph, sigma=sigma)
    return {"incentives": report.incentives.to_dict(), "signatures": report.signatures.to_dict()}
