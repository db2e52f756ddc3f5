"""Start-up of ``causal-align check`` on a 10-node graph, beside ``python -c "import networkx,
pydantic, yaml"`` (the libraries the core cannot do without), measured in one run.

Run: ``.venv/bin/python benchmarks/startup.py [--runs 15]``. Prints the median of each and
their ratio; the target is at most 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "causal-align"


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    baseline = median_seconds([sys.executable, "-c", "import networkx, pydantic, yaml"], runs)
    package = median_seconds([sys.executable, "-c", "import causal_align"], runs)
    check = median_seconds([str(SCRIPT), "check", "graphs/coinrun.yaml"], runs)
    print(f"| command | median of {runs} | ratio |\n|---|---|---|")
    for name, seconds in (('python -c "import networkx, pydantic, yaml"', baseline),
                          ('python -c "import causal_align"', package),
                          ("causal-align check graphs/coinrun.yaml", check)):
        print(f"| `{name}` | {seconds * 1000:.0f} ms | {seconds / baseline:.2f}x |")


if __name__ == "__main__":
    main()
