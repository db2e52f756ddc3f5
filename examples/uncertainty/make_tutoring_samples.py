"""Write tutoring_samples.csv: pooled training and deployment samples of the tutoring setup.

The true model (linear, Gaussian noise) is one member of graphs/uncertain/tutoring_cpdag.yaml:

    s -> Score <- Motivation -> Plan -> Mastery

    Motivation = N(0, 1)
    Plan       = 0.8 Motivation + N(0, 1)     (in the logged lessons, teachers chose the plan)
    Mastery    = 0.8 Plan + N(0, 1)
    Score      = 0.7 Motivation + 1.0 s + N(0, 1)   (deployment quizzes are marked higher)

1,000 rows with s = 0 (training) and 1,000 with s = 1 (deployment), seed 3. With the
open-loop tutor of the graph file (σ cuts Motivation -> Plan) this member is ALIGNED; learning
recovers the Markov equivalence class, whose verdict is undetermined.

Run from the repository root: ``.venv/bin/python examples/uncertainty/make_tutoring_samples.py``
"""

from pathlib import Path

import numpy


def main() -> None:
    rng = numpy.random.default_rng(3)
    rows = 2000
    s = numpy.repeat([0, 1], rows // 2)
    motivation = rng.normal(size=rows)
    plan = 0.8 * motivation + rng.normal(size=rows)
    mastery = 0.8 * plan + rng.normal(size=rows)
    score = 0.7 * motivation + 1.0 * s + rng.normal(size=rows)
    path = Path(__file__).with_name("tutoring_samples.csv")
    with path.open("w", encoding="utf-8") as handle:
        handle.write("s,Motivation,Plan,Mastery,Score\n")
        for row in zip(s, motivation, plan, mastery, score):
            handle.write(f"{row[0]},{row[1]:.6f},{row[2]:.6f},{row[3]:.6f},{row[4]:.6f}\n")


if __name__ == "__main__":
    main()
