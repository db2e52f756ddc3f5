"""Every phrase that several formats share: the verdict word, the query, the σ sentence, the
sentence before the open paths, the conjecture and the repairs. Text, Markdown and HTML reports
all say the same thing because they say it with these.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.alignment import check_inner_alignment
>>> result = check_inner_alignment(CausalGraph.from_edges(
...     ["s -> X", "X -> Y_b", "X -> Y_m"], regime="s", base="Y_b", mesa="Y_m"))
>>> verdict_word(result), query_text(result)
('NOT ALIGNED', '(Y_b ⊥ s | Y_m) in G_σ')
>>> paths_sentence(result)
'1 open path given Y_m, shortest first:'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from causal_align.errors import one_line
from causal_align.separation import LISTED_NODES

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult

TITLE_CAP = 200
"""Most characters of a user's text (a graph's or a query's name) shown in a title; longer text
is cut, with its length said."""


def plain(text: str, cap: int | None = TITLE_CAP) -> str:
    """User text made safe to print on one line: control characters (newlines, ANSI escapes,
    bidirectional overrides) written as escapes, and cut after ``cap`` characters.

    A graph named ``"g\\nALIGNED"`` cannot print a fake verdict line, nor send escape
    sequences to the terminal.

    Examples
    --------
    >>> print(plain("demo\\nnot aligned: ALIGNED\\x1b[2J"))
    demo\\nnot aligned: ALIGNED\\x1b[2J
    >>> plain("x" * 300, cap=20)
    'xxxxxxxxxxxxxxxxxxxx… (300 characters)'
    """
    if cap is not None and len(text) > cap:
        text = f"{plain(text[:cap], None)}… ({len(text):,} characters)"
        return text
    return one_line(text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]~]|<(?=[A-Za-z/!?])|(?<![^\W_])_|_(?![^\W_]))")


def markdown(text: str, cap: int | None = None) -> str:
    """User text for Markdown: :func:`plain`, then every character that Markdown or HTML
    would read as markup (emphasis, code, links, HTML tags and autolinks) backslash-escaped, so
    that ``_x_`` is not italics and ``<img ...>`` is not an image. An underscore inside a word
    (``Y_b``) and a ``<`` that cannot open a tag (the arrow ``<-``) are left alone; the caller
    escapes ``|`` in table cells.

    Examples
    --------
    >>> print(markdown("_x_ <script>alert(1)</script> Y_b *"))
    \\_x\\_ \\<script>alert(1)\\</script> Y_b \\*
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text, cap))


def verdict_word(result: AlignmentResult) -> str:
    return "ALIGNED" if result.aligned else "NOT ALIGNED"



def names(nodes: tuple[str, ...]) -> str:
    return ", ".join(nodes) or "∅"



def query_text(result: AlignmentResult) -> str:
    return f"({names(result.base)} ⊥ {names(result.regime)} | {names(result.mesa)}) in G_σ"



def sigma_lines(result: AlignmentResult) -> list[str]:
    if not result.sigma:
        return ["none (G_σ = G, a plain transportability check)"]
    lines = [f"{item.target} reads {', '.join(item.context or ()) or 'nothing (open loop)'}"
             for item in result.sigma]
    lines.append("edges removed: " + (", ".join(map(str, result.sigma_removed)) or "none"))
    lines.append("edges added by the context: "
                 + (", ".join(map(str, result.sigma_added)) or "none"))
    return lines



def paths_sentence(result: AlignmentResult) -> str:
    given = f"given {names(result.mesa)}" if result.mesa else "with nothing conditioned on"
    if result.aligned:
        return f"No open path from {names(result.regime)} to {names(result.base)} {given}."
    count = len(result.open_paths)
    if not count:
        return f"Open paths exist {given}; none listed (limit {result.limit})."
    more = ""
    if result.truncated:
        more = (" (more exist: raise the limit to list them)" if count >= result.limit else
                f" (more exist: the listing stops at {result.limit} paths or "
                f"{LISTED_NODES:,} nodes in all)")
    return f"{count} open path{'s' if count != 1 else ''} {given}, shortest first{more}:"



def blocked_sentence(result: AlignmentResult) -> str:
    """What the list of blocked paths beside an aligned verdict shows."""
    given = names(result.mesa) if result.mesa else "nothing"
    count = len(result.blocked_paths)
    return (f"Given {given}, {'this path is' if count == 1 else f'these {count} paths are'} "
            "blocked, shortest first (where, and why):")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"



def conjecture_lines(result: AlignmentResult) -> list[str]:
    conjecture = result.conjecture
    base, mesa, regime = names(result.base), names(result.mesa), names(result.regime)
    through = f"(2) every causal path from {regime} to {base} passes through {mesa}: " + \
        yes_no(conjecture.all_through_mesa)
    if not conjecture.has_causal_route:
        through += f" (vacuously: no causal path runs from {regime} to {base})"
    elif conjecture.all_through_mesa != conjecture.all_through_mesa_in_g:
        through += (f" (in G no causal path runs from {regime} to {base}: σ adds one, so read "
                    "in G the conjecture would set this graph aside as trivial)"
                    if not conjecture.has_causal_route_in_g else
                    f" (read in G it would be {yes_no(conjecture.all_through_mesa_in_g)}: σ "
                    f"{'adds' if conjecture.all_through_mesa_in_g else 'cuts'} a causal path)")
    if conjecture.agrees is None:
        verdict = f"The conjecture {conjecture.note}."
    else:
        predicted = "ALIGNED" if conjecture.predicts_aligned else "NOT ALIGNED"
        verdict = f"(1) and (2) predict {predicted}: the conjecture {conjecture.note}."
    return [f"(1) {base} depends causally on {mesa}: {yes_no(conjecture.depends)}", through,
            verdict]



def repair_lines(result: AlignmentResult) -> list[str]:
    repairs = result.repairs
    if result.aligned:
        return []
    lines = [f"impossible by conditioning: {edge} is an edge" for edge in repairs.impossible]
    if repairs.monitor is not None:
        lines.append(f"monitor more: also condition on {', '.join(repairs.monitor)} (a weaker "
                     f"guarantee: aligned given {names(result.mesa)} and these)")
    elif not repairs.impossible:
        lines.append("monitor more: no set of observed nodes blocks every path")
    lines += [f"narrow the policy's context: drop {node} from what {target} reads"
              for target, node in repairs.narrow_context]
    return lines


CONJECTURE_HEADING = ("Reber's conjecture (Inner Alignment through the Lens of Causality, 2022), "
                      "read in G_σ")
"""The heading of the conjecture's section in every format: who made it, and where."""
