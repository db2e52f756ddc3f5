"""``causal-align incentives`` and ``causal-align tradeoffs``: the incentive layer's commands.

``incentives g.yaml`` prints the alignment verdict beside the decision's requisite
observations, VoI, RI, VoC and ICI, each with the path that creates it, and the
regime-relative signatures; ``tradeoffs g.yaml`` tabulates every single-change design variant.
Both exit 0 when the report is written and 2 on bad input (an invalid file, a missing utility,
an unknown node), with ``error: <message>`` on stderr.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="causal-align")
>>> _ = add_commands(parser.add_subparsers(dest="command"))
>>> options = parser.parse_args(["tradeoffs", "graphs/zoo/reward_tampering_current_rf.yaml"])
>>> options.run(options)  # doctest: +ELLIPSIS
reward_tampering_current_rf: design variants of D (utility: R_current; Y_b: Perf; Y_m: R_current)
No trade-off on this diagram: 'as filed', ... are aligned with no wireheading or
reward-tampering signature.
...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from causal_align.cli.options import print_report, say
from causal_align.errors import CausalAlignError
from causal_align.incentives.report import (
    FORMATS,
    incentive_report,
    render_incentives,
    render_tradeoffs,
)
from causal_align.incentives.tradeoffs import tradeoffs
from causal_align.limits import Limits
from causal_align.loader import load_graph
from causal_align.model import CausalGraph, SoftIntervention

Handler = Callable[[argparse.Namespace], int]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                 ) -> list[argparse.ArgumentParser]:
    """Add ``incentives`` and ``tradeoffs``; each parser's ``run`` runs it."""
    incentives = commands.add_parser(
        "incentives", help="the decision's incentives (VoI, RI, VoC, ICI) beside the verdict",
        description="Requisite observations, value of information, response incentives, value "
                    "of control and instrumental control incentives of the decision (the σ "
                    "target) in G_σ, each explained, with the deceptive-alignment, wireheading "
                    "and reward-tampering signatures and the alignment verdict.")
    trade = commands.add_parser(
        "tradeoffs", help="the wireheading / inner-misalignment trade-off across design variants",
        description="Every variant of the diagram that differs by one change (drop a context "
                    "variable, make the reward read only Y_m, cut an edge out of the decision, "
                    "current-RF where reward tampering shows), with its verdict, first open path "
                    "and signatures; Pareto-optimal variants are marked.")
    for parser, handler in ((incentives, _incentives), (trade, _tradeoffs)):
        parser.add_argument("graph", help="the graph file (YAML) with utility: declared")
        parser.add_argument("--decision", metavar="NODE",
                            help="the decision node (default: the file's decision:, else its "
                                 "only σ target)")
        parser.add_argument("--utility", action="append", metavar="NODES",
                            help="the utility nodes, overriding the file's utility: (repeat or "
                                 "separate by commas)")
        parser.add_argument("--sigma", action="append", metavar="TARGET=CONTEXT",
                            help="replace the file's σ, as for check: D_m=O,C (D_m= reads "
                                 "nothing); repeat for several targets")
        parser.add_argument("--format", choices=FORMATS, default="text",
                            help="text (default), markdown or json (a stable to_dict())")
        parser.set_defaults(run=_guarded(handler))
    return [incentives, trade]


def _guarded(handler: Handler) -> Handler:
    def run(options: argparse.Namespace) -> int:
        try:
            return handler(options)
        except (CausalAlignError, OSError) as error:
            say(f"error: {error}")
            return 2
    return run


def _load(options: argparse.Namespace) -> CausalGraph:
    limits = Limits(max_bytes=getattr(options, "max_bytes", Limits.max_bytes),
                    max_nodes=getattr(options, "max_nodes", Limits.max_nodes),
                    max_alias_values=getattr(options, "max_alias_values",
                                             Limits.max_alias_values))
    return load_graph(options.graph, limits=limits)


def _utility(options: argparse.Namespace) -> list[str] | None:
    if options.utility is None:
        return None
    return [name.strip() for value in options.utility for name in value.split(",")
            if name.strip()]


def _sigma(options: argparse.Namespace) -> list[SoftIntervention] | None:
    if options.sigma is None:
        return None
    found = []
    for value in options.sigma:
        target, equals, context = value.partition("=")
        if not equals:
            raise CausalAlignError(f"--sigma {value!r}: expected TARGET=CONTEXT,... "
                                   "(e.g. D_m=O,C; D_m= for an open-loop policy)")
        found.append(SoftIntervention(target.strip(), [name.strip() for name in
                                                       context.split(",") if name.strip()]))
    return found


def _incentives(options: argparse.Namespace) -> int:
    report = incentive_report(_load(options), decision=options.decision,
                              utility=_utility(options), sigma=_sigma(options))
    print_report(render_incentives(report, options.format))
    return 0


def _tradeoffs(options: argparse.Namespace) -> int:
    table = tradeoffs(_load(options), decision=options.decision, utility=_utility(options),
                      sigma=_sigma(options))
    print_report(render_tradeoffs(table, options.format))
    return 0
