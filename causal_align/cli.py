"""The ``causal-align`` command.

Exit codes: ``check`` returns 0 when aligned, 1 when not aligned; every command returns 2 on bad
input (an invalid file, an unknown node, a bad option), after listing every problem on stderr.
The commands that compute numbers (``gap``, ``sweep``, ``simulate``, ``test-data``,
``naturalness``) live in :mod:`causal_align.cli_quantities`.

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
from pathlib import Path
from typing import TYPE_CHECKING

from causal_align.alignment import AlignmentResult, check_queries
from causal_align.errors import CausalAlignError
from causal_align.loader import Document, Limits, load_queries, read_graph_document, read_text
from causal_align.model import Query, SoftIntervention
from causal_align.parameters import model_from_document
from causal_align.report import FORMATS, render

if TYPE_CHECKING:
    from causal_align.shift_sweep import Sweep

ALIGNED, NOT_ALIGNED, BAD_INPUT = 0, 1, 2


def query_options(parser: argparse.ArgumentParser) -> None:
    """``--base``, ``--mesa`` and ``--regime``: the query, replacing the file's."""
    parser.add_argument("--base", action="append", metavar="NODES",
                        help="Y_b, overriding the file's query (repeat or separate by commas)")
    parser.add_argument("--mesa", action="append", metavar="NODES",
                        help="Y_m, overriding the file's query ('' for none)")
    parser.add_argument("--regime", action="append", metavar="NODES",
                        help="which declared regime nodes to ask about (default: the file's "
                             "query, else all)")


def node_names(values: list[str] | None) -> list[str] | None:
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
        interventions.append(SoftIntervention(target.strip(), node_names([context])))
    return interventions


def whole_number(text: str) -> int:
    """An option's whole number >= 0, or argparse's usage error."""
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
    query_options(check)
    what_if = check.add_mutually_exclusive_group()
    what_if.add_argument("--sigma", action="append", metavar="TARGET=CONTEXT",
                         help="replace the file's interventions, e.g. D_m=O,C (repeatable)")
    what_if.add_argument("--no-sigma", action="store_true",
                         help="ignore the file's interventions (G_σ = G)")
    check.add_argument("--limit", type=whole_number, default=100, metavar="N",
                       help="list at most N open paths (default 100; the verdict never depends "
                            "on it)")
    check.add_argument("--query-file", metavar="FILE",
                       help="answer every query in FILE (YAML: queries: [{name, base, mesa, "
                            "regime, sigma}, ...]) against the graph, loaded once; exit 1 if any "
                            "is not aligned")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    validate = commands.add_parser("validate", help="check graph files, listing every problem")
    validate.add_argument("files", nargs="+", help="graph files (YAML)")
    # imported here: cli_quantities reads this module's helpers, so it loads after it
    from causal_align.cli_quantities import add_commands

    for command in (check, validate, *add_commands(commands)):
        command.add_argument("--max-bytes", type=whole_number, default=Limits.max_bytes,
                             metavar="N", help=f"largest file read (default {Limits.max_bytes:,})")
        command.add_argument("--max-nodes", type=whole_number, default=Limits.max_nodes,
                             metavar="N",
                             help=f"most nodes a graph may have (default {Limits.max_nodes:,})")
        command.add_argument("--max-alias-values", type=whole_number,
                             default=Limits.max_alias_values, metavar="N",
                             help="most values YAML aliases may add (default "
                             f"{Limits.max_alias_values:,})")
    return parser


def limits_of(options: argparse.Namespace) -> Limits:
    return Limits(max_bytes=options.max_bytes, max_nodes=options.max_nodes,
                  max_alias_values=options.max_alias_values)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    options = _parser().parse_args(argv)
    if options.command == "validate":
        return _validate(options.files, limits_of(options))
    if options.command != "check":
        return int(options.run(options))
    overrides = [flag for flag, value in (("--base", options.base), ("--mesa", options.mesa),
                                          ("--regime", options.regime), ("--sigma", options.sigma),
                                          ("--no-sigma", options.no_sigma or None))
                 if value is not None]
    if options.query_file and overrides:
        print(f"error: --query-file cannot be combined with {', '.join(overrides)} (put them in "
              "the query file)", file=sys.stderr)
        return BAD_INPUT
    try:
        document = _read_graph(options.file, limits_of(options))
        graph = document[0]
        if options.query_file:
            queries = load_queries(options.query_file, graph, limits=limits_of(options))
        else:
            base = graph.base if options.base is None else node_names(options.base) or ()
            queries = (Query(base, node_names(options.mesa), node_names(options.regime),
                             _sigma(options.sigma, options.no_sigma)),)
        results = check_queries(graph, queries, limit=options.limit)
    except CausalAlignError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    sweeps: Sequence[Sweep | None] = [None] * len(results)
    if options.format == "html" and document[1].get("model") is not None:
        sweeps = _sweeps(document, queries, results)
    report = _report(queries, results, options.format, batch=bool(options.query_file),
                     sweeps=sweeps)
    if not emit(report, options.output):
        return BAD_INPUT
    return ALIGNED if all(result.aligned for result in results) else NOT_ALIGNED


def _read_graph(path: str, limits: Limits) -> Document:
    """The graph, the file's plain data (which tells whether it has a ``model:`` section) and
    its origin."""
    return read_graph_document(read_text(Path(path), limits), source=path,
                               default_name=Path(path).stem, limits=limits)


def _sweeps(document: Document, queries: Sequence[Query],
            results: Sequence[AlignmentResult]) -> list[Sweep | None]:
    """The shift sweep of the file's model for each query that keeps the file's σ (the model's
    policy tables are for that σ); a sweep that cannot be made gets a note on stderr."""
    from causal_align.shift_sweep import sweep

    try:
        model = model_from_document(*document)
    except CausalAlignError as error:
        print(f"note: the report has no shift sweep: {error}", file=sys.stderr)
        return [None] * len(results)
    sweeps: list[Sweep | None] = []
    for query, result in zip(queries, results):
        try:
            sweeps.append(None if query.sigma is not None else
                          sweep(model, base=result.base, mesa=result.mesa, regime=result.regime))
        except CausalAlignError as error:
            print(f"note: the report has no shift sweep: {error}", file=sys.stderr)
            sweeps.append(None)
    return sweeps


def emit(report: str, output: str | None) -> bool:
    """Print ``report``, or write it to ``output``; False (after an error on stderr) when the
    file cannot be written."""
    if not output:
        print_report(report)
        return True
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")
    except OSError as error:
        print(f"error: cannot write {output}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _report(queries: Sequence[Query], results: Sequence[AlignmentResult], format: str, *,
            batch: bool, sweeps: Sequence[Sweep | None]) -> str:
    """One report, or for a query file one per query under its name (a JSON list)."""
    def one(result: AlignmentResult, sweep: Sweep | None) -> str:
        if format == "html":
            from causal_align.html import to_html

            return to_html(result, sweep=sweep)
        return render(result, format)

    if not batch:
        return one(results[0], sweeps[0])
    if format == "json":
        return json.dumps([{"query": query.name, "result": result.to_dict()}
                           for query, result in zip(queries, results)], indent=2,
                          ensure_ascii=False)
    heading = "## query: {}" if format == "markdown" else "=== query: {} ==="
    return "\n\n".join(f"{heading.format(query.name)}\n\n{one(result, sweep)}"
                        for query, result, sweep in zip(queries, results, sweeps))


def print_report(text: str) -> None:
    """Print, and keep quiet when the reader went away (``causal-align check g.yaml | head``)."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _validate(files: list[str], limits: Limits) -> int:
    failed = 0
    for name in files:
        try:
            graph, data, origin = _read_graph(name, limits)
            if "model" in data:  # the model section too, with the same care
                model_from_document(graph, data, origin)
        except CausalAlignError as error:
            failed += 1
            print(f"error: {error}", file=sys.stderr)
        else:
            model = ", with a model" if "model" in data else ""
            print_report(f"{name}: ok ({len(graph.nodes)} nodes, {len(graph.edges)} "
                         f"edges{model})")
    summary = f"{len(files) - failed} of {len(files)} file{'s' if len(files) != 1 else ''} valid"
    print(summary, file=sys.stderr if failed else sys.stdout)
    return BAD_INPUT if failed else 0


def run() -> None:
    """Entry point of the ``causal-align`` script."""
    sys.exit(main())
