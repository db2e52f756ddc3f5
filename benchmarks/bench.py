"""Benchmark causal_align against PyYAML, networkx and pgmpy on large random mixed graphs.

Usage::

    python benchmarks/bench.py [--sizes 1000,10000,100000,1000000] [--queries N] [--quick]

Every graph has one regime node ``s`` (pointing at 5 random nodes), one soft intervention σ (a
random node reading 2 random nodes above it in the topological order, so never a descendant)
and about 5% bidirected edges. Families:

- ``random-3`` / ``random-8``: average degree 3 / 8 (edges = degree x nodes / 2). Nodes are put in
  a random topological order and each edge joins a node to one of the ~1000 nodes before it.
- ``chain``: a directed chain through every node (the deepest DAG), plus the bidirected edges.

Queries ask (Y_b ⊥ s | Y_m) in G_σ with Y_b one random node and Y_m 1-3 random nodes. They come
in two classes, because our engine's cost grows with the query's ancestral set, not the graph:

- ``local``: every query node has at most 1000 ancestors (a tenth of the nodes in a smaller
  graph);
- ``large``: Y_b has more (in these graphs usually a sizeable share of the graph); Y_m is any.

In the random families about half the nodes (degree 3) or 4% (degree 8) are local; the rest
have ancestral sets of a third of the graph and more: with more than one parent per node on
average, ancestry spreads like a supercritical branching process.

Each graph is written as a YAML file into a temporary directory and everything below is
measured in the same run. The script prints the machine, then one Markdown table; progress goes
to stderr. networkx and pgmpy run on G_σ with every ``A <-> B`` replaced by ``A <- L -> B``,
built once per graph; their verdicts are checked against ours.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from causal_align import Limits, check_inner_alignment, load_graph, sigma_graph
from causal_align.model import CausalGraph
from causal_align.separation import ancestors, is_separated

REGIME = "s"
WINDOW = 1000  # an edge joins a node to one of the WINDOW nodes before it in topological order
BIDIRECTED_SHARE = 0.05
REGIME_CHILDREN = 5
LOCAL_ANCESTORS = 1000  # a node with at most this many ancestors is "local"
SEED = 20240601
FAMILIES = (("random-3", 3, (1_000, 10_000, 100_000, 1_000_000)),
            ("random-8", 8, (1_000, 10_000, 100_000)),
            ("chain", None, (100_000, 1_000_000)))


# --------------------------------------------------------------------------- graph generation

@dataclass
class Generated:
    """A random graph: nodes are named by ``names[position]`` in topological order."""

    name: str
    names: list[str]
    directed: list[tuple[int, int]]
    bidirected: list[tuple[int, int]]
    regime_children: list[int]
    target: int
    context: tuple[int, ...]

    def directed_names(self) -> list[tuple[str, str]]:
        """Every directed edge of G by name, the regime's first."""
        names = self.names
        return ([(REGIME, names[child]) for child in self.regime_children] +
                [(names[tail], names[head]) for tail, head in self.directed])

    def bidirected_names(self) -> list[tuple[str, str]]:
        names = self.names
        return [(names[first], names[second]) for first, second in self.bidirected]


def window_pairs(n: int, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """``count`` distinct pairs (i, j), i < j, with j - i at most WINDOW, sorted."""
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        later = rng.randrange(1, n)
        pairs.add((rng.randrange(max(0, later - WINDOW), later), later))
    return sorted(pairs)


def generate(family: str, degree: int | None, n: int, seed: int) -> Generated:
    """A deterministic random graph of ``family`` with ``n`` nodes besides the regime node."""
    rng = random.Random(f"{seed}-{family}-{n}")
    if degree is None:
        directed = [(position, position + 1) for position in range(n - 1)]
        bidirected = window_pairs(n, round(BIDIRECTED_SHARE * len(directed)), rng)
    else:
        total = round(degree * n / 2)
        bidirected = window_pairs(n, round(BIDIRECTED_SHARE * total), rng)
        directed = window_pairs(n, total - len(bidirected), rng)
    ids = list(range(n))
    rng.shuffle(ids)  # names say nothing about the topological order
    target = rng.randrange(n // 2, n)
    return Generated(f"{family}-{n}", [f"v{k}" for k in ids], directed, bidirected,
                     rng.sample(range(n), REGIME_CHILDREN), target,
                     tuple(sorted(rng.sample(range(target), 2))))


def yaml_text(graph: Generated) -> str:
    """The graph file, written directly (dump_graph would need a CausalGraph first)."""
    names = graph.names
    lines = [f"name: {graph.name}", "nodes:", f"  {REGIME}: regime"]
    lines += [f"  v{k}: ''" for k in range(len(names))]
    lines.append("edges:")
    lines += [f"  - {tail} -> {head}" for tail, head in graph.directed_names()]
    lines += [f"  - {first} <-> {second}" for first, second in graph.bidirected_names()]
    context = ", ".join(names[node] for node in graph.context)
    lines += [f"regime: {REGIME}", "sigma:", f"  - target: {names[graph.target]}",
              f"    context: [{context}]", ""]
    return "\n".join(lines)


def nx_sigma_graph(graph: Generated) -> tuple[nx.DiGraph[str], set[str]]:
    """G_σ as a plain DAG, built independently of causal_align: σ drops the edges into its
    target and its ``<->`` edges and adds context -> target; ``A <-> B`` becomes A <- L -> B.
    Returns the DAG and its latent nodes."""
    target = graph.names[graph.target]
    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from([REGIME, *graph.names])
    dag.add_edges_from(edge for edge in graph.directed_names() if edge[1] != target)
    dag.add_edges_from((graph.names[node], target) for node in graph.context)
    latents = set()
    for index, (first, second) in enumerate(graph.bidirected_names()):
        if target not in (first, second):
            latent = f"L{index}"
            latents.add(latent)
            dag.add_edges_from([(latent, first), (latent, second)])
    return dag, latents


# --------------------------------------------------------------------------- queries

@dataclass(frozen=True)
class Query:
    """(Y_b ⊥ s | Y_m) with one base node."""

    base: str
    mesa: tuple[str, ...]


def ancestor_count(graph: CausalGraph, node: str, cap: int) -> int:
    """The number of ancestors of ``node`` in G (itself included), counting no further than
    ``cap + 1``."""
    seen, stack = {node}, [node]
    while stack and len(seen) <= cap:
        for parent in graph.parents(stack.pop()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


def split_nodes(graph: CausalGraph, names: list[str], rng: random.Random,
                attempts: int = 10_000, wanted: int = 400) -> tuple[list[str], list[str]]:
    """Random nodes sorted into (local, large) by their number of ancestors: local when at most
    LOCAL_ANCESTORS (a tenth of the graph for small graphs)."""
    cap = min(LOCAL_ANCESTORS, len(names) // 10)
    local: list[str] = []
    large: list[str] = []
    for _ in range(attempts):
        node = rng.choice(names)
        (local if ancestor_count(graph, node, cap) <= cap else large).append(node)
        if len(local) >= wanted and len(large) >= wanted // 4:
            break
    return local, large


def make_queries(count: int, bases: list[str], mesas: list[str],
                 rng: random.Random) -> list[Query]:
    """``count`` queries: a base from ``bases``, 1-3 distinct mesa nodes from ``mesas``."""
    queries: list[Query] = []
    while len(queries) < count:
        base = rng.choice(bases)
        mesa = tuple(sorted(set(rng.sample(mesas, rng.randint(1, 3))) - {base}))
        if mesa:
            queries.append(Query(base, mesa))
    return queries


# --------------------------------------------------------------------------- measuring

@dataclass(frozen=True)
class Settings:
    """How much to measure.

    ``queries`` per class for our engine; each tool stops a class once ``seconds`` are spent;
    networkx, our full check and the path listing are cut off after ``hard_limit`` seconds per
    class; pgmpy gets ``pgmpy_seconds`` per graph, building its DAG included; graphs up to 10k
    nodes are loaded ``load_repeats`` times (100k: 3, larger: once); tracemalloc (slow: about
    5 minutes for a 1M-node load) runs up to ``memory_max_nodes`` nodes.
    """

    queries: int
    seconds: float
    hard_limit: float
    pgmpy_seconds: float
    load_repeats: int
    memory_max_nodes: int

    def peer_queries(self, n: int) -> int:
        """Queries per class for networkx and pgmpy, whose cost grows with the graph."""
        return min(self.queries, 50 if n < 50_000 else 10 if n < 500_000 else 3)


def timed(call: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def time_each(call: Callable[[Query], object], queries: list[Query], seconds: float,
              hard_limit: float | None = None) -> list[float]:
    """Seconds per query, in order, stopping early once ``seconds`` have been spent, or when
    ``hard_limit`` seconds pass in all (the call then running is abandoned)."""
    times: list[float] = []
    try:
        with deadline(hard_limit) if hard_limit else nullcontext():
            for query in queries:
                times.append(timed(partial(call, query)))
                if sum(times) >= seconds:
                    break
    except Timeout:
        pass
    return times


def median(times: list[float]) -> float | None:
    """The median, or None when nothing finished."""
    return statistics.median(times) if times else None


class Timeout(Exception):
    """A deadline passed."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Timeout inside the block once ``seconds`` have passed (main thread only)."""
    def expire(signum: int, frame: object) -> None:
        raise Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def traced(build: Callable[[], object]) -> tuple[object, int, int]:
    """Run ``build`` under tracemalloc: (its result, bytes it retained, peak bytes above the
    start)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = build()
    gc.collect()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, after - before, peak - before


def nx_plain_graph(graph: Generated) -> nx.DiGraph[str]:
    """The same nodes and edges as a plain DiGraph (``A <-> B`` as two arcs), from fresh strings."""
    names = ["v" + name[1:] for name in graph.names]  # new strings, as a loader makes
    plain: nx.DiGraph[str] = nx.DiGraph()
    plain.add_node(REGIME)
    plain.add_nodes_from(names)
    plain.add_edges_from((REGIME, names[child]) for child in graph.regime_children)
    plain.add_edges_from((names[tail], names[head]) for tail, head in graph.directed)
    for first, second in graph.bidirected:
        plain.add_edges_from([(names[first], names[second]), (names[second], names[first])])
    return plain


def measure_load(path: Path, text: str, limits: Limits, repeats: int) -> tuple[float, float]:
    """Median seconds for CSafeLoader on the text and for our load_graph on the file."""
    def median_time(call: Callable[[], object]) -> float:
        return statistics.median(timed(call) for _ in range(repeats))

    return (median_time(lambda: yaml.load(text, Loader=yaml.CSafeLoader)),
            median_time(lambda: load_graph(path, limits=limits)))


def measure_memory(path: Path, limits: Limits, generated: Generated,
                   max_nodes: int) -> tuple[CausalGraph, tuple[int, int, int] | None]:
    """Load the graph, under tracemalloc when it has at most ``max_nodes`` nodes: then also
    the bytes it retains, the load's peak minus the decoded text (which load_graph holds while
    parsing), and the bytes a plain networkx DiGraph retains."""
    if len(generated.names) > max_nodes:
        return load_graph(path, limits=limits), None
    progress(f"{generated.name}: memory")
    graph, retained, peak = traced(lambda: load_graph(path, limits=limits))
    _, plain, _ = traced(lambda: nx_plain_graph(generated))
    assert isinstance(graph, CausalGraph)
    return graph, (retained, peak - sys.getsizeof(path.read_text()), plain)


@dataclass
class ClassResult:
    """Medians for one query class on one graph, in seconds (``ancestral``: nodes)."""

    counts: tuple[int, int, int]
    ancestral: float
    ours: float
    full: float | None  # None: cut off before one query finished
    networkx: float | None
    peer_sample: list[Query]
    verdicts: dict[Query, bool]
    pgmpy: float | None = None

    def misaligned(self) -> list[Query]:
        return [query for query, aligned in self.verdicts.items() if not aligned]


def measure_class(graph: CausalGraph, queries: list[Query], settings: Settings,
                  dag: nx.DiGraph[str]) -> ClassResult:
    """Time one query class with our engine and networkx; check networkx agrees."""
    verdicts: dict[Query, bool] = {}

    def ours(query: Query) -> None:
        verdicts[query] = is_separated(sigma_graph(graph), {REGIME}, {query.base},
                                       given=query.mesa)

    def full(query: Query) -> None:
        check_inner_alignment(graph, base=query.base, mesa=query.mesa, limit=0)

    def networkx(query: Query) -> None:
        separated = nx.is_d_separator(dag, {REGIME}, {query.base}, set(query.mesa))
        assert separated == verdicts[query], f"networkx disagrees on {query}"

    seconds = settings.seconds
    ours_times = time_each(ours, queries, seconds)
    done = queries[:len(ours_times)]
    full_times = time_each(full, done, seconds, settings.hard_limit)
    peer_sample = done[:settings.peer_queries(len(graph.nodes))]
    nx_times = time_each(networkx, peer_sample, seconds, settings.hard_limit)
    g_sigma = sigma_graph(graph)
    ancestral = [len(ancestors(g_sigma, {REGIME, query.base, *query.mesa})) for query in done]
    return ClassResult((len(ours_times), len(full_times), len(nx_times)),
                       statistics.median(ancestral), statistics.median(ours_times),
                       median(full_times), median(nx_times), peer_sample, verdicts)


def build_pgmpy(dag: nx.DiGraph[str], latents: set[str]) -> Any:
    """pgmpy's DAG of the latent-expanded G_σ.

    Edges are added after construction: ``DAG(ebunch=...)`` runs networkx's find_cycle, which is
    superlinear here (97 s for 10k nodes of degree 8) and would hide the query cost.
    """
    from pgmpy.base import DAG  # heavy import (pandas, scipy): only when measured

    built = DAG()
    built.add_nodes_from(dag.nodes())
    built.add_edges_from(dag.edges())
    built.latents = latents
    return built


def pgmpy_query(pgmpy_dag: Any, verdicts: dict[Query, bool]) -> Callable[[Query], None]:
    """A query on pgmpy's DAG that checks pgmpy agrees with our verdict."""
    def query_pgmpy(query: Query) -> None:
        separated = not pgmpy_dag.is_dconnected(REGIME, query.base, observed=list(query.mesa))
        assert separated == verdicts[query], f"pgmpy disagrees on {query}"

    return query_pgmpy


def run_pgmpy(dag: nx.DiGraph[str], latents: set[str], classes: list[ClassResult],
              settings: Settings) -> None:
    """Build pgmpy's DAG and time its queries (networkx's sample) within ``pgmpy_seconds``,
    filling in ``classes``; a class left out keeps ``pgmpy`` None."""
    try:
        with deadline(settings.pgmpy_seconds):
            pgmpy_dag = build_pgmpy(dag, latents)
            for result in classes:
                result.pgmpy = median(time_each(pgmpy_query(pgmpy_dag, result.verdicts),
                                                result.peer_sample, settings.seconds))
    except Timeout:
        pass


@dataclass(frozen=True)
class FirstPaths:
    """check_inner_alignment(limit=100) on misaligned queries: median seconds (None: cut off
    before one finished), the fewest open paths listed, the median ancestral set."""

    seconds: float | None
    fewest: int | None
    ancestral: int


def first_paths(graph: CausalGraph, misaligned: list[Query],
                settings: Settings) -> FirstPaths | None:
    """Time listing the first 100 open paths on up to 5 misaligned queries."""
    if not misaligned:
        return None
    counts: list[int] = []

    def check(query: Query) -> None:
        counts.append(len(check_inner_alignment(graph, base=query.base, mesa=query.mesa,
                                                limit=100).open_paths))

    times = time_each(check, misaligned[:5], settings.seconds, settings.hard_limit)
    g_sigma = sigma_graph(graph)
    ancestral = statistics.median(len(ancestors(g_sigma, {REGIME, query.base, *query.mesa}))
                                  for query in misaligned[:max(1, len(times))])
    return FirstPaths(median(times), min(counts, default=None), int(ancestral))


@dataclass
class Row:
    """Everything measured on one graph."""

    graph: str
    nodes: int
    edges: int
    yaml_bytes: int
    csafe: float
    load: float
    memory: tuple[int, int, int] | None  # ours retained, ours load peak, networkx retained
    classes: dict[str, ClassResult | None]
    first_paths: FirstPaths | None


def run_graph(family: str, degree: int | None, n: int, settings: Settings,
              workdir: Path) -> Row:
    """Generate one graph, write it, and measure everything on it."""
    progress(f"{family}-{n}: generating")
    generated = generate(family, degree, n, SEED)
    text = yaml_text(generated)
    path = workdir / f"{generated.name}.yaml"
    path.write_text(text)
    limits = Limits(max_bytes=len(text) + 1, max_nodes=n + 1)
    progress(f"{family}-{n}: loading ({len(text) / 1e6:.1f} MB)")
    repeats = settings.load_repeats if n <= 10_000 else 3 if n <= 100_000 else 1
    csafe, load = measure_load(path, text, limits, repeats)
    del text
    graph, memory = measure_memory(path, limits, generated, settings.memory_max_nodes)
    progress(f"{family}-{n}: sampling queries")
    rng = random.Random(f"{SEED}-queries-{family}-{n}")
    local_nodes, large_nodes = split_nodes(graph, generated.names, rng)
    dag, latents = nx_sigma_graph(generated)
    classes: dict[str, ClassResult | None] = {}
    for name, bases, mesas in (("local", local_nodes, local_nodes),
                               ("large", large_nodes, generated.names)):
        if len(bases) < 20:  # too few nodes of this class for a fair sample
            classes[name] = None
            continue
        queries = make_queries(settings.queries, bases, mesas, rng)
        progress(f"{family}-{n}: {name} queries")
        classes[name] = measure_class(graph, queries, settings, dag)
    measured = [result for result in classes.values() if result]
    progress(f"{family}-{n}: pgmpy")
    run_pgmpy(dag, latents, measured, settings)
    progress(f"{family}-{n}: first paths")
    misaligned = [query for result in reversed(measured) for query in result.misaligned()]
    return Row(generated.name, len(graph.nodes), len(graph.edges), path.stat().st_size, csafe,
               load, memory, classes, first_paths(graph, misaligned, settings))


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- reporting

def machine() -> list[str]:
    """Platform, CPU, Python and package versions, as Markdown list items."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}"
                         for name in ("causal_align", "networkx", "pgmpy", "PyYAML"))
    repository = Path(__file__).resolve().parent.parent
    commit = subprocess.run(["git", "-C", str(repository), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return [f"- platform: {platform.platform()}",
            f"- CPU: {cpu}, {os.cpu_count()} logical cores",
            f"- Python {platform.python_version()} ({platform.python_implementation()})",
            f"- packages: {versions}; "
            f"libyaml {yaml.__with_libyaml__ and yaml._yaml.get_version_string()}",
            f"- causal_align source: git {commit or 'unknown'}"]


def pair(values: list[str]) -> str:
    return " / ".join(values)


def per_class(row: Row, show: Callable[[ClassResult], str]) -> str:
    return pair([show(result) if result else "n/a" for result in row.classes.values()])


def ms(seconds: float) -> str:
    """Milliseconds, three significant digits, no exponent."""
    value = seconds * 1e3
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def table(rows: list[Row], settings: Settings) -> list[str]:
    """The Markdown table: one row per graph; "a / b" cells are local / large queries."""
    limit = settings.hard_limit

    def cut(seconds: float | None) -> str:
        return f">{limit * 1e3:,.0f}" if seconds is None else ms(seconds)

    def pgmpy(result: ClassResult) -> str:
        return (f"skipped (>{settings.pgmpy_seconds:g}s)" if result.pgmpy is None
                else ms(result.pgmpy))

    def speed_up(result: ClassResult) -> str:
        if result.networkx is None:
            return f">{limit / result.ours:,.0f}x"
        return f"{result.networkx / result.ours:,.0f}x"

    header = ["graph", "nodes", "edges", "YAML MB", "CSafeLoader s", "load_graph s",
              "load ratio", "median \\|An\\|", "ours is_separated ms",
              "ours check_inner_alignment(limit=0) ms", "networkx ms", "speed-up vs networkx",
              "pgmpy ms", "first 100 paths ms (paths found, \\|An\\|)",
              "memory ours MB (load peak)", "memory networkx MB", "memory ratio"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        first = row.first_paths
        cells = [row.graph, f"{row.nodes:,}", f"{row.edges:,}", f"{row.yaml_bytes / 1e6:.2f}",
                 f"{row.csafe:.3g}", f"{row.load:.3g}", f"{row.load / row.csafe:.2f}x",
                 per_class(row, lambda r: f"{r.ancestral:,.0f}"),
                 per_class(row, lambda r: ms(r.ours)),
                 per_class(row, lambda r: cut(r.full)),
                 per_class(row, lambda r: cut(r.networkx)),
                 per_class(row, speed_up),
                 per_class(row, pgmpy),
                 "n/a (no misaligned query)" if first is None else
                 f"{cut(first.seconds)} ({'-' if first.fewest is None else first.fewest}, "
                 f"{first.ancestral:,})"]
        if row.memory is None:
            cells += ["not measured"] * 3
        else:
            ours, peak, plain = row.memory
            cells += [f"{ours / 1e6:.1f} ({peak / 1e6:.0f})", f"{plain / 1e6:.1f}",
                      f"{ours / plain:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def count_of(result: ClassResult, tool: int) -> str:
    return str(result.counts[tool])


def notes(rows: list[Row], settings: Settings) -> list[str]:
    """Query counts below the table."""
    lines = ["", ("Queries measured per class (local / large), for our is_separated; our "
                  "check_inner_alignment; networkx, whose queries pgmpy also runs (each tool "
                  "stops a class after "
                  f"{settings.seconds:g} s; networkx, our full check and the path listing are "
                  f"cut off after {settings.hard_limit:g} s, shown as >; pgmpy gets "
                  f"{settings.pgmpy_seconds:g} s per graph, building its DAG included):")]
    for row in rows:
        counts = "; ".join(per_class(row, partial(count_of, tool=tool)) for tool in range(3))
        lines.append(f"- {row.graph}: {counts}")
    lines.append("- our verdicts agree with networkx and pgmpy on every query they ran")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000",
                        help="comma-separated node counts to run (each family keeps its own)")
    parser.add_argument("--queries", type=int, default=200,
                        help="most queries per class for our engine (fewer for peers, and each "
                        "tool stops a class after a time budget)")
    parser.add_argument("--memory-max-nodes", type=int, default=100_000,
                        help="measure memory (tracemalloc) only on graphs up to this many nodes")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1000 and 10000 only, with smaller time budgets")
    options = parser.parse_args(argv)
    sizes = {1_000, 10_000} if options.quick else {int(size) for size in options.sizes.split(",")}
    settings = (Settings(options.queries, 1.0, 3.0, 5.0, 3, options.memory_max_nodes)
                if options.quick else
                Settings(options.queries, 5.0, 30.0, 30.0, 5, options.memory_max_nodes))
    print("\n".join(machine()), end="\n\n", flush=True)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="causal_align_bench_") as workdir:
        for family, degree, family_sizes in FAMILIES:
            for n in sorted(sizes & set(family_sizes)):
                rows.append(run_graph(family, degree, n, settings, Path(workdir)))
                gc.collect()
    print("\n".join(table(rows, settings) + notes(rows, settings)))
    print(f"- total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
