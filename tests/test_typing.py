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


def test_the_package_ships_its_type_marker() -> None:
    assert (ROOT / "causal_align" / "py.typed").exists()
