"""The architecture as a contract: which layer may import which, and no import cycle.

The imports of every module are read with :mod:`ast` (nothing is imported), including imports
inside functions (lazy ones) and those under ``if TYPE_CHECKING:``. A module belongs to the
*core* when it sits at the top of the package, else to the layer named by its subpackage. Each
layer may import the layers in its row of :data:`MAY_IMPORT` (and itself); the core imports
only the core and none of the heavy libraries. One exception is named and documented:
``AlignmentResult._repr_html_`` (core) asks the pictures layer for the Jupyter view.

No runtime import cycle is allowed between modules, lazy imports included (imports needed only
by the type checker cannot form one at run time and are left out of that check).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "causal_align"

MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "pictures": {"core"},
    "interop": {"core"},
    "samples": {"core"},
    "quantities": {"core", "samples"},
    "fast": {"core"},  # and the core hands it big graphs: see EXCEPTIONS
    "uncertainty": {"core"},
    "incentives": {"core"},
    "transport": {"core", "quantities", "samples"},
    "editor": {"core", "pictures", "incentives", "uncertainty"},
    "cli": {"core", "pictures", "interop", "samples", "quantities", "uncertainty", "incentives",
            "transport", "editor"},
}
"""Each layer's row: the layers it may import besides itself."""

HEAVY = {"numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pgmpy", "tqdm", "numba",
         "causallearn", "dask", "ruamel"}
"""Libraries the core never imports (``import causal_align`` stays fast)."""

EXCEPTIONS = {("causal_align.alignment", "causal_align.pictures.notebook"),
              ("causal_align.separation", "causal_align.fast")}
"""Upward imports allowed by name, each inside a function: the Jupyter view of a result
(``_repr_html_``), and the compiled engine, which the engine hands big graphs to when numba is
installed (``separation._compiled``). The second is the one lazy import cycle allowed
(fast -> separation, separation ⇢ fast): the compiled engine reuses the reference engine's
checks and types, and the reference engine dispatches to it."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"  # causal_align/__init__.py: the public names of every layer
    return parts[1] if (PACKAGE / parts[1]).is_dir() else "core"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(module: str) -> Iterator[tuple[str, bool]]:
    """``(imported module, only for the type checker)`` for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            typing_only |= {id(inner) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in typing_only
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield (candidate if candidate in MODULES else node.module), id(node) in typing_only


def test_the_modules_are_found() -> None:
    assert {"causal_align.model", "causal_align.separation", "causal_align.cli.main",
            "causal_align.pictures.html", "causal_align.quantities.gap"} <= set(MODULES)


@pytest.mark.parametrize("module", [name for name in MODULES if name != "causal_align"])
def test_each_module_imports_only_the_layers_below_it(module: str) -> None:
    own = layer(module)
    assert own in MAY_IMPORT, f"{module}: layer {own!r} has no row in MAY_IMPORT"
    allowed = MAY_IMPORT[own] | {own}
    wrong = []
    for imported, _ in imports(module):
        top = imported.split(".")[0]
        if imported == "causal_align":
            wrong.append(f"{imported} (import from the defining module, not the package)")
        elif top == "causal_align" and layer(imported) not in allowed \
                and (module, imported) not in EXCEPTIONS:
            wrong.append(f"{imported} (layer {layer(imported)})")
        elif own == "core" and top in HEAVY:
            wrong.append(f"{imported} (a heavy library)")
    assert wrong == [], f"{module} ({own}) imports {', '.join(sorted(set(wrong)))}"


def test_the_package_imports_only_the_core_at_run_time() -> None:
    eager = [imported for imported, typing in imports("causal_align")
             if not typing and imported.startswith("causal_align.")
             and layer(imported) != "core"]
    assert eager == []


def test_there_is_no_import_cycle() -> None:
    graph = {module: sorted({imported for imported, typing in imports(module)
                             if not typing and imported in MODULES and imported != module
                             and (module, imported) not in EXCEPTIONS})
             for module in MODULES}
    # A package imports its own submodules to re-export them; a submodule importing a sibling
    # runs the package's __init__ first, which is not a cycle between the two.
    for module, targets in graph.items():
        graph[module] = [target for target in targets
                         if not module.startswith(target + ".")]
    state: dict[str, int] = {}
    for start in graph:
        stack = [(start, iter(graph[start]))]
        trail = [start]
        if state.get(start):
            continue
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                trail.pop()
            elif state.get(child) == 1:
                cycle = trail[trail.index(child):] + [child]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph[child])))
                trail.append(child)


def test_a_cycle_and_an_upward_import_are_detected(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above can fail: a core module importing a layer is caught."""
    monkeypatch.setitem(MODULES, "causal_align.fake_core", tmp_path / "fake.py")
    (tmp_path / "fake.py").write_text("def f():\n    import numpy\n"
                                      "    from causal_align.quantities.gap import signed\n")
    with pytest.raises(AssertionError, match=r"quantities.gap \(layer quantities\), numpy \(a heavy library\)"):
        test_each_module_imports_only_the_layers_below_it("causal_align.fake_core")
