"""The package is fully annotated and mypy --strict clean (STYLE.md habit 11)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy is part of the [test] extra")
    checked = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff", reason="ruff is part of the [test] extra")
    checked = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "causal_align",
                              "tests", "benchmarks", "docs"], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_package_ships_its_type_marker() -> None:
    assert (ROOT / "causal_align" / "py.typed").exists()


def test_mypy_finds_the_installed_package_from_a_users_folder(tmp_path: Path) -> None:
    """After the README's install command, a user's own script type-checks against the
    package (an editable install must not hide it from mypy)."""
    script = tmp_path / "mine.py"
    script.write_text("from causal_align import check_inner_alignment, load_graph\n"
                      "result = check_inner_alignment(load_graph('g.yaml'))\n"
                      "reveal_type(result.aligned)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", str(script)],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert 'Revealed type is "builtins.bool"' in done.stdout or \
        'Revealed type is "bool"' in done.stdout, done.stdout
    assert done.returncode == 0, done.stdout
