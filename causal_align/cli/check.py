"""``causal-align check`` (one graph, one or many queries, a report in any format) and
``causal-align validate`` (every problem in every file).

Examples
--------
>>> from causal_align.cli import main
>>> main(["validate", "graphs/coinrun.yaml"])
graphs/coinrun.yaml: ok (8 nodes, 11 edges)
1 of 1 file valid
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from causal_align.alignment import AlignmentResult, check_queries
from causal_align.cli.options import (
    ALIGNED,
    BAD_INPUT,
    NOT_ALIGNED,
    emit,
    limits_of,
    node_names,
    print_report,
    query_options,
    sigma_option,
    whole_number,
)
from causal_align.errors import CausalAlignError
from causal_align.limits import Limits, read_text
from causal_align.loader import Document, load_queries, read_graph_document
from causal_align.model import Query
from causal_align.pictures.formats import FORMATS, render

if TYPE_CHECKING:
    from causal_align.pictures.html import Figure


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                 ) -> list[argparse.ArgumentParser]:
    """Add ``check`` and ``validate``; each parser's ``run`` default runs it."""
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
    check.set_defaults(run=_check)
    validate = commands.add_parser("validate", help="check graph files, listing every problem")
    validate.add_argument("files", nargs="+", help="graph files (YAML)")
    validate.set_defaults(run=lambda options: _validate(options.files, limits_of(options)))
    return [check, validate]


def _check(options: argparse.Namespace) -> int:
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
                             sigma_option(options.sigma, options.no_sigma)),)
        results = check_queries(graph, queries, limit=options.limit)
    except CausalAlignError as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    figures: Sequence[Figure | None] = [None] * len(results)
    if options.format == "html" and document[1].get("model") is not None:
        figures = _sweep_figures(document, queries, results)
    report = _report(queries, results, options.format, batch=bool(options.query_file),
                     figures=figures)
    if not emit(report, options.output):
        return BAD_INPUT
    return ALIGNED if all(result.aligned for result in results) else NOT_ALIGNED


def _read_graph(path: str, limits: Limits) -> Document:
    """The graph, the file's plain data (which tells whether it has a ``model:`` section) and
    its origin."""
    return read_graph_document(read_text(Path(path), limits), source=path,
                               default_name=Path(path).stem, limits=limits)



def _sweep_figures(document: Document, queries: Sequence[Query],
                   results: Sequence[AlignmentResult]) -> list[Figure | None]:
    """The shift sweep of the file's model, drawn, for each query that keeps the file's σ (the
    model's policy tables are for that σ); a sweep that cannot be made gets a note on stderr,
    and without matplotlib the page goes without it."""
    from causal_align.pictures.html import Figure
    from causal_align.quantities.parameters import model_from_document
    from causal_align.quantities.plot import sweep_caption, sweep_svg
    from causal_align.quantities.sweep import sweep

    try:
        model = model_from_document(*document)
    except CausalAlignError as error:
        print(f"note: the report has no shift sweep: {error}", file=sys.stderr)
        return [None] * len(results)
    figures: list[Figure | None] = []
    for query, result in zip(queries, results):
        if query.sigma is not None:
            figures.append(None)
            continue
        try:
            drawn = sweep(model, base=result.base, mesa=result.mesa, regime=result.regime)
            figures.append(Figure("Shift sweep", sweep_caption(drawn), sweep_svg(drawn)))
        except CausalAlignError as error:
            print(f"note: the report has no shift sweep: {error}", file=sys.stderr)
            figures.append(None)
    return figures



def _report(queries: Sequence[Query], results: Sequence[AlignmentResult], format: str, *,
            batch: bool, figures: Sequence[Figure | None]) -> str:
    """One report, or for a query file one per query under its name (a JSON list)."""
    def one(result: AlignmentResult, figure: Figure | None) -> str:
        return render(result, format, figures=() if figure is None else (figure,))

    if not batch:
        return one(results[0], figures[0])
    if format == "json":
        return json.dumps([{"query": query.name, "result": result.to_dict()}
                           for query, result in zip(queries, results)], indent=2,
                          ensure_ascii=False)
    heading = "## query: {}" if format == "markdown" else "=== query: {} ==="
    return "\n\n".join(f"{heading.format(query.name)}\n\n{one(result, figure)}"
                        for query, result, figure in zip(queries, results, figures))



def _validate(files: list[str], limits: Limits) -> int:
    failed = 0
    for name in files:
        try:
            graph, data, origin = _read_graph(name, limits)
            if "model" in data:  # the model section too, with the same care
                from causal_align.quantities.parameters import model_from_document

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
