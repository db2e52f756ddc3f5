"""The ``causal-align`` command.

Exit codes: ``check`` returns 0 when aligned, 1 when not aligned; every command returns 2 on bad
input (an invalid file, an unknown node, a bad option), after listing every problem on stderr.

Examples
--------
>>> main(["check", "graphs/aligned_proxy.yaml", "--format", "json"])  # doctest: +ELLIPSIS
{
  "graph": "aligned_proxy",
  "aligned": true,
...
0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from causal_align.alignment import AlignmentResult, check_queries
from causal_align.errors import CausalAlignError
from causal_align.loader import Limits, load_graph, load_queries
from causal_align.model import Query, SoftIntervention
from causal_align.report import FORMATS, render

ALIGNED, NOT_ALIGNED, BAD_INPUT = 0, 1, 2


def _names(values: list[str] | None) -> list[str] | None:
    """``--base A --base B`` or ``--base A,B``; ``--mesa ''`` is the empty set."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _sigma(values: list[str] | None, none: bool) -> list[SoftIntervention] | None:
    if none:
        return []
    if values is None:
        return None
    interventions = []
    for value in values:
        target, equals, context = value.partition("=")
        if not equals:
            raise CausalAlignError(f"--sigma {value!r}: expected TARGET=CONTEXT,... "
                                   "(e.g. D_m=O,C; D_m= for an open-loop policy)")
        interventions.append(SoftIntervention(target.strip(), _names([context])))
    return interventions


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, found {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="causal-align",
        description="Check inner alignment: is (Y_b ⊥ s | Y_m) by d-separation in G_σ?")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="check a graph file and explain the verdict",
        description="Exit code 0: aligned; 1: not aligned; 2: bad input.")
    check.add_argument("file", help="a graph file (YAML)")
    check.add_argument("--format", choices=FORMATS, default="text", help="report format")
    check.add_argument("--base", action="append", metavar="NODES",
                       help="Y_b, overriding the file's query (repeat or separate by commas)")
    check.add_argument("--mesa", action="append", metavar="NODES",
                       help="Y_m, overriding the file's query ('' for none)")
    check.add_argument("--regime", action="append", metavar="NODES",
                       help="which declared regime nodes to ask about (default: all)")
    what_if = check.add_mutually_exclusive_group()
    what_if.add_argument("--sigma", action="append", metavar="TARGET=CONTEXT",
                         help="replace the file's interventions, e.g. D_m=O,C (repeatable)")
    what_if.add_argument("--no-sigma", action="store_true",
                         help="ignore the file's interventions (G_σ = G)")
    check.add_argument("--limit", type=_count, default=100, metavar="N",
                       help="list at most N open paths (default 100; the verdict never depends "
                            "on it)")
    check.add_argument("--query-file", metavar="FILE",
                       help="answer every query in FILE (YAML: queries: [{name, base, mesa, "
                            "regime, sigma}, ...]) against the graph, loaded once; exit 1 if any "
                            "is not aligned")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    validate = commands.add_parser("validate", help="check graph files, listing every problem")
    validate.add_argument("files", nargs="+", help="graph files (YAML)")
    for command in (check, validate):
        command.add_argument("--max-bytes", type=_count, default=Limits.max_bytes, metavar="N",
                             help=f"largest file read (default {Limits.max_bytes:,})")
        command.add_argument("--max-nodes", type=_count, default=Limits.max_nodes, metavar="N",
                             help=f"most nodes a graph may have (default {Limits.max_nodes:,})")
        command.add_argument("--max-alias-values", type=_count, default=Limits.max_alias_values,
                             metavar="N", help="most values YAML aliases may add (default "
                             f"{Limits.max_alias_values:,})")
    return parser


def _limits(options: argparse.Namespace) -> Limits:
    return Limits(max_bytes=options.max_bytes, max_nodes=options.max_nodes,
                  max_alias_values=options.max_alias_values)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    options = _parser().parse_args(argv)
    if options.command == "validate":
        return _validate(options.files, _limits(options))
    overrides = [flag for flag, value in (("--base", options.base), ("--mesa", options.mesa),
                                          ("--regime", options.regime), ("--sigma", options.sigma),
                                          ("--no-sigma", options.no_sigma or None))
                 if value is not None]
    if options.query_file and overrides:
        print(f"error: --query-file cannot be combined with {', '.join(overrides)} (put them in "
              "the query file)", file=sys.stderr)
        return BAD_INPUT
    try:
        graph = load_graph(options.file, limits=_limits(options))
        if options.query_file:
            queries = load_queries(options.query_file, graph, limits=_limits(options))
        else:
            base = graph.base if options.base is None else _names(options.base) or ()
            queries = (Query(base, _names(options.mesa), _names(options.regime),
                             _sigma(options.sigma, options.no_sigma)),)
        results = check_queries(graph, queries, limit=options.limit)
    except CausalAlignError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    report = _report(queries, results, options.format, batch=bool(options.query_file))
    if options.output:
        try:
            with open(options.output, "w", encoding="utf-8") as handle:
                handle.write(report + "\n")
        except OSError as error:
            print(f"error: cannot write {options.output}: {error.strerror}", file=sys.stderr)
            return BAD_INPUT
    else:
        _print(report)
    return ALIGNED if all(result.aligned for result in results) else NOT_ALIGNED


def _report(queries: Sequence[Query], results: Sequence[AlignmentResult], format: str, *,
            batch: bool) -> str:
    """One report, or for a query file one per query under its name (a JSON list)."""
    if not batch:
        return render(results[0], format)
    if format == "json":
        return json.dumps([{"query": query.name, "result": result.to_dict()}
                           for query, result in zip(queries, results)], indent=2,
                          ensure_ascii=False)
    heading = "## query: {}" if format == "markdown" else "=== query: {} ==="
    return "\n\n".join(f"{heading.format(query.name)}\n\n{render(result, format)}"
                        for query, result in zip(queries, results))


def _print(text: str) -> None:
    """Print, and keep quiet when the reader went away (``causal-align check g.yaml | head``)."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _validate(files: list[str], limits: Limits) -> int:
    failed = 0
    for name in files:
        try:
            graph = load_graph(name, limits=limits)
        except CausalAlignError as error:
            failed += 1
            print(error, file=sys.stderr)
        else:
            _print(f"{name}: ok ({len(graph.nodes)} nodes, {len(graph.edges)} edges)")
    summary = f"{len(files) - failed} of {len(files)} file{'s' if len(files) != 1 else ''} valid"
    print(summary, file=sys.stderr if failed else sys.stdout)
    return BAD_INPUT if failed else 0


def run() -> None:
    """Entry point of the ``causal-align`` script."""
    sys.exit(main())
