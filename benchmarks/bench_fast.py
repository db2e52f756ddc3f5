"""Benchmark the compiled engine (causal_align.fast) against the pure-Python engine and networkx.

Usage::

    python benchmarks/bench_fast.py [--sizes 10000,100000] [--million] [--queries 12]

Graphs are those of ``bench.py`` (``random-3``: average degree 3, each edge joining a node to
one of the 1000 before it in a hidden topological order, 5 % ``<->``, one regime node pointing
at 5 nodes, one σ; ``chain``: one directed chain plus the ``<->`` edges), built directly as a
:class:`CausalGraph` (no YAML). ``--million`` adds the 1M-node graphs.

Queries are (Y_b ⊥ s | Y_m), Y_b one node and Y_m 1-3 nodes, in three classes: **local**
(every query node has at most 1000 ancestors), **large aligned** and **large misaligned** (Y_b
has more). Per class, medians over the queries measured (each tool stops a class after a time
budget): the verdict (``is_separated``), ``check_inner_alignment(limit=1)`` and, on misaligned
queries, ``check_inner_alignment(limit=100)``, with the pure-Python engine and with the
compiled one (the core's dispatch hook applied by hand, as in tests/test_fast.py); networkx's
``is_d_separator`` on the latent-expanded G_σ. Every verdict and every listed path is checked
to agree between the engines, and networkx's verdicts against ours.

"Repeated" is the per-query median once warm; "single-shot" adds what a fresh process pays
before its first compiled query: importing numba and loading the cached kernels (measured
once, at the start of this run) and compiling the graph's CSR arrays (measured per graph).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (the graphs and queries of the main benchmark, unchanged)

from causal_align.alignment import check_inner_alignment  # noqa: E402
from causal_align.intervention import sigma_graph  # noqa: E402
from causal_align.model import CausalGraph, SoftIntervention  # noqa: E402
from causal_align.separation import is_separated  # noqa: E402

SEED = bench.SEED


@contextmanager
def engine(compiled: bool) -> Iterator[None]:
    """Run every query on one engine: the core's own dispatch, forced by the environment
    variable it reads."""
    saved = os.environ.get("CAUSAL_ALIGN_ENGINE")
    os.environ["CAUSAL_ALIGN_ENGINE"] = "fast" if compiled else "python"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["CAUSAL_ALIGN_ENGINE"]
        else:
            os.environ["CAUSAL_ALIGN_ENGINE"] = saved


def build(generated: bench.Generated) -> CausalGraph:
    names = generated.names
    edges = [f"{tail} -> {head}" for tail, head in generated.directed_names()]
    edges += [f"{first} <-> {second}" for first, second in generated.bidirected_names()]
    sigma = [SoftIntervention(names[generated.target],
                              [names[node] for node in generated.context])]
    return CausalGraph([bench.REGIME, *names], edges, regime=bench.REGIME, sigma=sigma,
                       name=generated.name)


@dataclass
class ClassRow:
    """Medians for one class of queries on one graph (seconds; None: not measured)."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    ancestral: float = 0.0
    times: dict[str, float | None] = field(default_factory=dict)
    fewest_paths: int | None = None
    listed_nodes: list[int] = field(default_factory=list)


@dataclass
class GraphRow:
    name: str
    nodes: int
    edges: int
    construct: float
    compile: float
    memory: tuple[float, float, float] | None
    classes: list[ClassRow]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def median_of(call: Callable[[bench.Query], object], queries: list[bench.Query],
              seconds: float, counts: dict[str, int], label: str) -> float | None:
    times = bench.time_each(call, queries, seconds, hard_limit=4 * seconds)
    counts[label] = len(times)
    return statistics.median(times) if times else None


def measure_class(name: str, graph: CausalGraph, queries: list[bench.Query],
                  dag: nx.DiGraph[str], settings: argparse.Namespace,
                  misaligned: bool) -> ClassRow:
    from causal_align.fast import fast_separated
    from causal_align.fast.query import FastPrepared

    row = ClassRow(name)
    g_sigma = sigma_graph(graph)
    regime = {bench.REGIME}
    verdicts = {query: is_separated(g_sigma, regime, {query.base}, given=query.mesa)
                for query in queries[:3]}
    seconds = settings.seconds

    def python_verdict(query: bench.Query) -> None:
        with engine(False):
            verdicts[query] = is_separated(g_sigma, regime, {query.base}, given=query.mesa)

    def fast_verdict(query: bench.Query) -> None:
        answer = fast_separated(g_sigma, regime, {query.base}, given=query.mesa)
        assert answer == verdicts.get(query, answer), f"engines disagree on {query}"

    def networkx(query: bench.Query) -> None:
        answer = nx.is_d_separator(dag, regime, {query.base}, set(query.mesa))
        assert answer == verdicts[query], f"networkx disagrees on {query}"

    listed: dict[tuple[bench.Query, int], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}

    def checker(compiled: bool, limit: int) -> Callable[[bench.Query], None]:
        def check(query: bench.Query) -> None:
            with engine(compiled):
                result = check_inner_alignment(graph, base=query.base, mesa=query.mesa,
                                               limit=limit)
            paths = [(path.nodes, path.arrows) for path in result.open_paths]
            if limit == 100:
                row.listed_nodes.append(sum(len(nodes) for nodes, _ in paths))
            expected = listed.setdefault((query, limit), paths)
            assert paths == expected, f"engines list different paths for {query}"
        return check

    counts = row.counts
    row.times["python verdict"] = median_of(python_verdict, queries, seconds, counts, "python")
    row.times["fast verdict"] = median_of(fast_verdict, queries, seconds, counts, "fast")
    peers = [query for query in queries if query in verdicts][:settings.peer_queries]
    row.times["networkx verdict"] = median_of(networkx, peers, seconds, counts, "networkx")
    row.times["python check 1"] = median_of(checker(False, 1), queries, seconds, counts,
                                            "python check")
    done = queries[:max(counts["python check"], 1)]
    row.times["fast check 1"] = median_of(checker(True, 1), done, seconds, counts, "fast check")
    if misaligned:
        row.times["python check 100"] = median_of(checker(False, 100), queries[:5], seconds,
                                                  counts, "python 100")
        done = queries[:max(counts["python 100"], 5)]
        row.times["fast check 100"] = median_of(checker(True, 100), done, seconds, counts,
                                                "fast 100")
        row.fewest_paths = min((len(paths) for (_, limit), paths in listed.items()
                                if limit == 100), default=None)
    row.ancestral = statistics.median(
        len(FastPrepared(g_sigma, regime, {query.base}, query.mesa).relevant)
        for query in queries[:10])
    return row


def traced_megabytes(build_it: Callable[[], object]) -> tuple[object, float]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = build_it()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return result, (after - before) / 1e6


def run_graph(family: str, degree: int | None, n: int,
              settings: argparse.Namespace) -> GraphRow:
    from causal_align.fast.compiled import compile_graph

    bench.progress(f"{family}-{n}: generating")
    generated = bench.generate(family, degree, n, SEED)
    start = time.perf_counter()
    graph = build(generated)
    construct = time.perf_counter() - start
    g_sigma = sigma_graph(graph)
    compile_seconds = timed(lambda: compile_graph(g_sigma))
    memory = None
    if n <= settings.memory_max_nodes:
        bench.progress(f"{family}-{n}: memory")
        other, ours = traced_megabytes(lambda: build(generated))
        assert isinstance(other, CausalGraph)
        _, flat = traced_megabytes(lambda: sigma_graph(other))
        _, compiled_mb = traced_megabytes(lambda: compile_graph(sigma_graph(other)).labels())
        _, plain = traced_megabytes(lambda: bench.nx_plain_graph(generated))
        memory = (ours + flat, compiled_mb, plain)
        del other
    bench.progress(f"{family}-{n}: queries")
    rng = random.Random(f"{SEED}-fast-{family}-{n}")
    local_nodes, large_nodes = bench.split_nodes(graph, generated.names, rng)
    dag, _ = bench.nx_sigma_graph(generated)
    from causal_align.fast import fast_separated

    classes = []
    count = settings.queries
    if len(local_nodes) >= 20:
        queries = bench.make_queries(count, local_nodes, local_nodes, rng)
        classes.append(measure_class("local", graph, queries, dag, settings, misaligned=False))
    if len(large_nodes) >= 20:
        pool = bench.make_queries(8 * count, large_nodes, generated.names, rng)
        aligned = [query for query in pool
                   if fast_separated(g_sigma, {bench.REGIME}, {query.base}, given=query.mesa)]
        misaligned = [query for query in pool if query not in aligned]
        for name, queries, is_misaligned in (("large aligned", aligned, False),
                                             ("large misaligned", misaligned, True)):
            if queries:
                bench.progress(f"{family}-{n}: {name} ({len(queries[:count])})")
                classes.append(measure_class(name, graph, queries[:count], dag, settings,
                                             misaligned=is_misaligned))
    return GraphRow(generated.name, len(graph.nodes), len(graph.edges), construct,
                    compile_seconds, memory, classes)


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else bench.ms(seconds)


def ratio(slow: float | None, quick: float | None) -> str:
    if slow is None or quick is None:
        return "—"
    value = slow / quick
    return f"{value:,.0f}×" if value >= 10 else f"{value:.2g}×"


def table(rows: list[GraphRow], fixed: tuple[float, float]) -> list[str]:
    numba_import, first_call = fixed
    lines = [f"Fixed costs of a fresh process: importing numba and the kernels "
             f"{numba_import * 1e3:,.0f} ms, first kernel calls {first_call * 1e3:,.0f} ms "
             "(cache load or JIT).", ""]
    lines += ["| graph | build CausalGraph s | compile CSR ms | memory ours MB with flat G_σ "
              "(+ compiled) | memory networkx MB | ratio |", "|---|---|---|---|---|---|"]
    for row in rows:
        if row.memory is None:
            memory = ["not measured"] * 3
        else:
            ours, compiled, plain = row.memory
            memory = [f"{ours:.1f} (+{compiled:.1f})", f"{plain:.1f}",
                      f"{(ours + compiled) / plain:.2f}×"]
        lines.append(f"| {row.name} | {row.construct:.2f} | {row.compile * 1e3:,.0f} | "
                     + " | ".join(memory) + " |")
    header = ["graph", "class", "median \\|An\\|", "verdict ms python / fast / networkx",
              "fast vs networkx", "fast vs python", "check(limit=1) ms python / fast",
              "check(limit=100) ms python / fast (fewest paths; median nodes listed)",
              "single-shot check(limit=100) ms fast (+CSR build)", "queries"]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        for result in row.classes:
            t = result.times
            hundred = ("—" if "fast check 100" not in t else
                       f"{ms(t['python check 100'])} / {ms(t['fast check 100'])} "
                       f"({result.fewest_paths}; "
                       f"{statistics.median(result.listed_nodes):,.0f} nodes)")
            key = "fast check 100" if "fast check 100" in t else "fast check 1"
            single = t[key]
            single_text = "—" if single is None else ms(single + row.compile)
            counts = ", ".join(f"{label} {value}" for label, value in result.counts.items())
            lines.append("| " + " | ".join([
                row.name, result.name, f"{result.ancestral:,.0f}",
                f"{ms(t['python verdict'])} / {ms(t['fast verdict'])} / "
                f"{ms(t['networkx verdict'])}",
                ratio(t["networkx verdict"], t["fast verdict"]),
                ratio(t["python verdict"], t["fast verdict"]),
                f"{ms(t['python check 1'])} / {ms(t['fast check 1'])}", hundred,
                single_text, counts]) + " |")
    return lines


def warm_up() -> tuple[float, float]:
    """Seconds to import numba with the kernels, and for the first compiled queries."""
    start = time.perf_counter()
    import causal_align.fast.query  # noqa: F401

    imported = time.perf_counter() - start
    from causal_align.fast import fast_open_paths, fast_separated

    tiny = sigma_graph(CausalGraph.from_edges(["s -> A", "A -> B", "C -> B", "B -> Y",
                                               "C <-> Y"], regime="s"))
    start = time.perf_counter()
    fast_separated(tiny, {"s"}, {"C"}, given={"Y"})
    fast_open_paths(tiny, {"s"}, {"C"}, given={"Y"}, limit=3)
    return imported, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="also the 1M-node graphs")
    parser.add_argument("--queries", type=int, default=12, help="queries per class")
    parser.add_argument("--peer-queries", type=int, default=4, help="networkx queries per class")
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="each tool stops a class after this many seconds")
    parser.add_argument("--memory-max-nodes", type=int, default=100_000)
    settings = parser.parse_args(argv)
    print("\n".join(bench.machine()), flush=True)
    import importlib.metadata

    print(f"- numba {importlib.metadata.version('numba')}, "
          f"numpy {importlib.metadata.version('numpy')}", end="\n\n", flush=True)
    started = time.perf_counter()
    fixed = warm_up()
    sizes = [int(size) for size in settings.sizes.split(",")]
    if settings.million:
        sizes.append(1_000_000)
    rows = []
    for family, degree in (("random-3", 3), ("chain", None)):
        for n in sizes:
            if family == "chain" and n < 100_000:
                continue
            rows.append(run_graph(family, degree, n, settings))
            gc.collect()
    print("\n".join(table(rows, fixed)))
    print(f"\n- total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
