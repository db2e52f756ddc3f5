"""Optional oracle: pycid, the reference implementation of the incentive criteria.

pycid no longer installs on current Python with its dependencies, so it is never a dependency.
Its graph criteria do run in a side environment::

    python3 -m venv /tmp/pycid_venv
    /tmp/pycid_venv/bin/pip install "setuptools<70"
    /tmp/pycid_venv/bin/pip install --no-deps pycid "pgmpy==0.1.17"
    /tmp/pycid_venv/bin/pip install networkx numpy scipy pandas pyparsing tqdm joblib \\
        matplotlib scikit-learn statsmodels
    mkdir -p /tmp/pycid_shim && touch /tmp/pycid_shim/pygambit.py   # imported, never used

then ``CAUSAL_ALIGN_PYCID_PYTHON=/tmp/pycid_venv/bin/python
CAUSAL_ALIGN_PYCID_PATH=/tmp/pycid_shim pytest tests/test_incentives_pycid.py``. Without the
variable the test is skipped. pycid's diagrams have no latent confounders, so none are drawn.
"""

from __future__ import annotations

import json
import os
import random
import subprocess

import pytest

from causal_align.incentives.criteria import incentives
from causal_align.model import CausalGraph, SoftIntervention

PYTHON = os.environ.get("CAUSAL_ALIGN_PYCID_PYTHON")
CASES = 1000 if os.environ.get("CI") == "true" else 200

SCRIPT = r"""
import json, sys
import pycid
from pycid.analyze.requisite_graph import requisite_graph
from pycid.analyze.value_of_information import admits_voi_list
from pycid.analyze.response_incentive import admits_ri_list
from pycid.analyze.value_of_control import admits_voc_list
from pycid.analyze.instrumental_control_incentive import admits_ici_list
answers = []
for case in json.load(sys.stdin):
    cid = pycid.CID([tuple(edge) for edge in case["edges"]], decisions=[case["decision"]], utilities=case["utility"])
    for node in case["nodes"]:
        if node not in cid.nodes:
            cid.add_node(node)
    decision = case["decision"]
    answers.append({
        "requisite": sorted(requisite_graph(cid).get_parents(decision)),
        "voi": sorted(admits_voi_list(cid, decision)),
        "ri": sorted(admits_ri_list(cid, decision)),
        "voc": sorted(admits_voc_list(cid)),
        "ici": sorted(admits_ici_list(cid, decision)),
    })
json.dump(answers, sys.stdout)
"""


def random_cid(rng: random.Random) -> tuple[CausalGraph, dict[str, object]]:
    size = rng.randint(2, 7)
    names = [f"V{index}" for index in range(size)]
    edges = {(a, b) for i, a in enumerate(names) for b in names[i + 1:] if rng.random() < 0.4}
    edges |= {("s", name) for name in names if rng.random() < 0.3}
    decision = rng.choice(names[:-1])
    # pycid's decision reads its parents; utility nodes are sinks in pycid
    utility = sorted({rng.choice(names[names.index(decision) + 1:]), rng.choice(names)}
                     - {decision})
    edges = {(a, b) for a, b in edges if a not in utility}
    graph = CausalGraph(["s", *names], [f"{a} -> {b}" for a, b in sorted(edges)], regime="s",
                        sigma=[SoftIntervention(decision)])
    case = {"nodes": ["s", *names], "edges": sorted(edges), "decision": decision,
            "utility": utility}
    return graph, case


@pytest.mark.skipif(not PYTHON, reason="set CAUSAL_ALIGN_PYCID_PYTHON to a Python with pycid")
def test_criteria_agree_with_pycid() -> None:
    assert PYTHON is not None
    rng = random.Random(2021)
    cases = [random_cid(rng) for _ in range(CASES)]
    env = dict(os.environ)
    if os.environ.get("CAUSAL_ALIGN_PYCID_PATH"):
        env["PYTHONPATH"] = os.environ["CAUSAL_ALIGN_PYCID_PATH"]
    done = subprocess.run([PYTHON, "-c", SCRIPT], input=json.dumps([case for _, case in cases]),
                          capture_output=True, text=True, env=env, check=True, timeout=600)
    answers = json.loads(done.stdout)
    for (graph, case), expected in zip(cases, answers):
        found = incentives(graph, utility=case["utility"])  # type: ignore[arg-type]
        for kind, nodes in expected.items():
            assert list(getattr(found, kind)) == nodes, (kind, case)
