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
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from causal_align.alignment import AlignmentResult, check_queries
from causal_align.cli.options import (
    ALIGNED,
    BAD_INPUT,
    NOT_ALIGNED,
    emit,
    emit_image,
    failing_safely,
    limits_of,
    node_names,
    print_report,
    query_options,
    say,
    sigma_option,
    whole_number,
)
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.header import resolve_query
from causal_align.limits import STDIN, Limits, read_text
from causal_align.loader import Document, load_queries, read_graph_document
from causal_align.model import Query
from causal_align.pictures.formats import FORMATS, render
from causal_align.pictures.html import to_html_batch
from causal_align.wording import markdown, plain

if TYPE_CHECKING:
    from causal_align.pictures.html import Figure


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                 ) -> list[argparse.ArgumentParser]:
    """Add ``check`` and ``validate``; each parser's ``run`` default runs it."""
    check = commands.add_parser(
        "check", help="check a graph file and explain the verdict",
        description="Exit code 0: aligned; 1: not aligned; 2: bad input.")
    check.add_argument("file", help="a graph file (YAML); - reads standard input")
    check.add_argument("--format", choices=(*FORMATS, "png"), default="text",
                       help="report format (png: the picture as an image, with -o FILE)")
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
    check.set_defaults(run=failing_safely(_check))
    validate = commands.add_parser("validate", help="check graph files, listing every problem")
    validate.add_argument("files", nargs="+", help="graph files (YAML); - reads standard input")
    validate.set_defaults(run=failing_safely(
        lambda options: _validate(options.files, limits_of(options))))
    return [check, validate]


def _check(options: argparse.Namespace) -> int:
    overrides = [flag for flag, value in (("--base", options.base), ("--mesa", options.mesa),
                                          ("--regime", options.regime), ("--sigma", options.sigma),
                                          ("--no-sigma", options.no_sigma or None))
                 if value is not None]
    if options.query_file and overrides:
        say(f"error: --query-file cannot be combined with {', '.join(overrides)} (put them in "
            "the query file)")
        return BAD_INPUT
    try:
        try:
            document = _read_graph(options.file, limits_of(options))
        except GraphSpecError:
            if _layer_file(options.file, limits_of(options)) == "uncertain":
                return _check_uncertain(options)
            raise
        graph = document[0]
        if options.query_file:
            queries = load_queries(options.query_file, graph, limits=limits_of(options))
            if not queries:
                raise CausalAlignError(f"{options.query_file}: the query file lists no queries "
                                       "(add at least one under queries:)")
        else:
            asked = resolve_query(graph, base=node_names(options.base),
                                  mesa=node_names(options.mesa),
                                  regime=node_names(options.regime))
            queries = (Query(asked.base, asked.mesa, asked.regime,
                             sigma_option(options.sigma, options.no_sigma)),)
        results = check_queries(graph, queries, limit=options.limit)
    except CausalAlignError as error:
        say(f"error: {error}")
        return BAD_INPUT
    if options.format in ("png", "svg") and len(results) != 1:
        say(f"error: --format {options.format} draws one picture, and a query file asks "
            f"{len(results)} queries: use --format html (one page, a picture per query), or "
            "ask one query per run")
        return BAD_INPUT
    if options.format == "png":
        return _png(results, options)
    figures: list[list[Figure]] = [[] for _ in results]
    if options.format == "html" and document[1].get("model") is not None:
        figures = [[] if figure is None else [figure]
                   for figure in _sweep_figures(document, queries, results)]
    if options.format == "html" and graph.utility and not options.query_file:
        figures[0] += [figure for figure in [_incentive_figure(results[0])] if figure]
    report = _report(queries, results, options.format, batch=bool(options.query_file),
                     figures=figures)
    if graph.utility and not options.query_file:
        report = _with_incentives(report, results[0], options.format)
    if not emit(report, options.output):
        return BAD_INPUT
    return ALIGNED if all(result.aligned for result in results) else NOT_ALIGNED


def _png(results: Sequence[AlignmentResult], options: argparse.Namespace) -> int:
    """The picture of one query as a PNG image; exit 0 or 1 with the verdict, as always."""
    from causal_align.pictures.svg import to_png

    try:
        image = to_png(results[0])
    except CausalAlignError as error:
        say(f"error: {error}")
        return BAD_INPUT
    if not emit_image(image, options.output):
        return BAD_INPUT
    return ALIGNED if results[0].aligned else NOT_ALIGNED


def _layer_file(path: str, limits: Limits) -> str | None:
    """Which file the core cannot read alone this is: ``"uncertain"`` (``A -- B`` edges,
    background knowledge or uncertain edges), ``"candidates"`` (a list of candidate diagrams;
    both the uncertainty layer's), or None."""
    if path == STDIN:
        return None
    from causal_align.uncertainty.files import is_partial
    from causal_align.yamldoc import read_yaml

    try:
        data, _ = read_yaml(read_text(Path(path), limits), path, limits)
    except CausalAlignError:
        return None
    if "candidates" in data:
        return "candidates"
    return "uncertain" if is_partial(data) else None


def _validated_by_layer(name: str, kind: str, limits: Limits) -> str:
    """What ``validate`` says of an uncertainty-layer file it read whole (or raises)."""
    if kind == "candidates":
        from causal_align.uncertainty.candidates import load_candidates

        graphs, _ = load_candidates(name, limits=limits)
        return f"{len(graphs)} candidate diagram{'s' if len(graphs) != 1 else ''}"
    from causal_align.uncertainty.files import load_uncertain_file

    found = load_uncertain_file(name, limits=limits)
    core = found.graph.core
    uncertain = 0 if found.prior is None else len(found.prior.edges) + (
        len(found.prior.shift.edges) if found.prior.shift else 0)
    return (f"{len(core.nodes)} nodes, {len(core.edges)} edges, "
            f"{len(found.graph.undirected)} undirected, {uncertain} uncertain")


def _check_uncertain(options: argparse.Namespace) -> int:
    """``check`` on an uncertain diagram: the verdict over every diagram it stands for, exit 0
    (aligned in every one), 1 (not aligned in every one) or 3 (undetermined)."""
    from causal_align.cli.uncertainty import check_uncertain_file

    if options.query_file or options.format not in ("text", "markdown", "json", "html"):
        raise CausalAlignError(f"{options.file} is an uncertain diagram (-- edges, background "
                               "or uncertain edges): check reports it as text, markdown, json "
                               "or html, one query at a time (or use causal-align uncertain)")
    code, report = check_uncertain_file(
        options.file, format=options.format, base=node_names(options.base),
        mesa=node_names(options.mesa), regime=node_names(options.regime),
        sigma=sigma_option(options.sigma, options.no_sigma), limit=options.limit,
        limits=limits_of(options))
    return code if emit(report, options.output) else BAD_INPUT


def _with_incentives(report: str, result: AlignmentResult, format: str) -> str:
    """The text, Markdown or JSON report with the agent's incentives beside the verdict (graphs
    with a utility; the HTML page gets them as a figure, :func:`_incentive_figure`)."""
    from causal_align.incentives.report import incentive_panel, incentive_panel_data

    graph = result.diagram.graph
    if format == "json":
        return json.dumps({**result.to_dict(),
                           "incentives": incentive_panel_data(graph, sigma=result.sigma)},
                          indent=2, ensure_ascii=False)
    panel = incentive_panel(graph, format, sigma=result.sigma) if format in (
        "text", "markdown") else None
    return report if panel is None else f"{report}\n\n{panel}"


def _incentive_figure(result: AlignmentResult) -> Figure | None:
    """The incentives panel as a section of the HTML page, or None without a utility."""
    from causal_align.incentives.report import incentive_panel
    from causal_align.pictures.html import Figure

    panel = incentive_panel(result.diagram.graph, "text", sigma=result.sigma)
    if panel is None:
        return None
    return Figure("Incentives", "What the agent's optimal policy responds to and would control "
                  "(Everitt et al. 2021), beside the verdict.", f"<pre>{escape(panel)}</pre>")


def _read_graph(path: str, limits: Limits) -> Document:
    """The graph, the file's plain data (which tells whether it has a ``model:`` section) and
    its origin."""
    if path == STDIN:
        return read_graph_document(read_text(Path(path), limits), source="<stdin>",
                                   default_name="stdin", limits=limits)
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
        say(f"note: the report has no shift sweep: {error}")
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
            say(f"note: the report has no shift sweep: {error}")
            figures.append(None)
    return figures



def _report(queries: Sequence[Query], results: Sequence[AlignmentResult], format: str, *,
            batch: bool, figures: Sequence[Sequence[Figure]]) -> str:
    """One report, or for a query file one per query under its name (a JSON list)."""
    def one(result: AlignmentResult, shown: Sequence[Figure]) -> str:
        return render(result, format, figures=shown)

    if not batch:
        return one(results[0], figures[0])
    if format == "json":
        return json.dumps([{"query": query.name, "result": result.to_dict()}
                           for query, result in zip(queries, results)], indent=2,
                          ensure_ascii=False)
    if format == "html":  # one page, a section per query
        return to_html_batch([(query.name, result, shown)
                              for query, result, shown in zip(queries, results, figures)])
    if format == "markdown":
        heading = "## query: {}"
        name = markdown
    else:  # text, dot: the name as plain text (a DOT comment for pictures)
        heading = "// query: {}" if format == "dot" else "=== query: {} ==="
        name = plain
    return "\n\n".join(f"{heading.format(name(query.name))}\n\n"
                        f"{one(result, shown)}"
                        for query, result, shown in zip(queries, results, figures))



def _validate(files: list[str], limits: Limits) -> int:
    failed, written = 0, True
    for name in files:
        try:
            try:
                graph, data, origin = _read_graph(name, limits)
            except GraphSpecError:
                kind = _layer_file(name, limits)
                if kind is None:
                    raise
                written &= print_report(f"{plain(name)}: ok "
                                        f"({_validated_by_layer(name, kind, limits)})")
                continue
            if "model" in data:  # the model section too, with the same care
                from causal_align.quantities.parameters import model_from_document

                model_from_document(graph, data, origin)
        except CausalAlignError as error:
            failed += 1
            say(f"error: {error}")
        else:
            model = ", with a model" if "model" in data else ""
            written &= print_report(f"{plain(name)}: ok ({len(graph.nodes)} nodes, "
                                    f"{len(graph.edges)} edges{model})")
    summary = f"{len(files) - failed} of {len(files)} file{'s' if len(files) != 1 else ''} valid"
    if failed:
        say(summary)
    else:
        written &= print_report(summary)
    return BAD_INPUT if failed or not written else 0
