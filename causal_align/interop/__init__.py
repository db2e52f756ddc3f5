"""Other tools' graphs, one module per foreign format: dagitty, networkx and pgmpy.

Each ``to_*`` function writes a :class:`~causal_align.model.CausalGraph` in another tool's format;
each ``from_*`` function reads one back, checked exactly like a graph file. The parts map as
follows:

=================  ===================  ==================================  =====================
causal_align       dagitty              networkx (``DiGraph``)              pgmpy (``DAG``)
=================  ===================  ==================================  =====================
``A -> B``         ``A -> B``           edge ``(A, B)``                     edge ``(A, B)``
``A <-> B``        ``A <-> B``          pair in ``graph["bidirected"]``,    latent ``L(A,B)``
                                        or node ``L(A,B)`` with             with children A, B
                                        ``latent=True``
node label         ``label="..."``      node attribute ``label``            node attribute
                                                                            ``label``
unobserved node    ``[latent]``         node attribute ``observed=False``   in ``latents``
regime nodes S     ``[exposure]``       ``graph["regime"]``                 ``exposures``
base Y_b           ``[outcome]``        ``graph["base"]``                   ``outcomes``
mesa Y_m           ``[adjusted]``       ``graph["mesa"]``                   role ``adjustment``
σ                  --                   --                                  --
=================  ===================  ==================================  =====================

**σ has no counterpart** in any of these formats: none can say "the learned policy replaces
D_m's mechanism". ``to_*(graph)`` writes G, and σ is lost (hand it back to ``from_*`` with
``sigma=``). ``to_*(graph, sigma=True)`` writes G_σ instead: plain d-separation in it (after
latent expansion for networkx) answers the same query, so the other tools' own d-separation
tests agree with our verdict there.

**The regime is always an argument** of ``from_*``: no other tool has a regime node (a dagitty
*exposure* is a treatment, not a training/deployment indicator), so ``[exposure]`` is written
for the reader and ignored on reading. ``base`` and ``mesa`` left out are taken from the
format's markers (``[outcome]``/``[adjusted]``, ``outcomes``/``adjustment``, the graph
attributes ``base``/``mesa``); ``sigma`` and ``query_regime`` default to none and to all regime
nodes, as in :class:`~causal_align.model.CausalGraph`.

**A latent node is an unobserved node** (``CausalGraph.unobserved``, ``observed: false`` in a
graph file), kept with all its edges: a dagitty ``[latent]``, a member of pgmpy's ``latents``,
a networkx node with ``observed=False``. It may have parents (hidden preferences that the
regime shifts), latent children and any number of children; it is never suggested for
monitoring or measurement.
Only a *stand-in* becomes ``A <-> B``: a latent with no valid node name (``L(A,B)``, as
``to_networkx`` and ``to_pgmpy`` write ``<->``), or a networkx node with ``latent=True``. A
stand-in must be a root with exactly two observed children (``E_LATENT`` otherwise); two over
the same pair are one ``<->`` edge. So every ``to_*`` and ``from_*`` pair keeps the unobserved
nodes: ``from_dagitty(to_dagitty(graph), ...) == graph``.

Why a named latent root with two children stays a node, although ``A <- U -> B`` and
``A <-> B`` give the same verdict on the observed nodes (m-separation): read as ``<->`` it
would lose its name and label, a graph with such an unobserved node would not come back from
the round trip, and when U points into a σ target whose context is left out, U is one of the
parents the policy reads (as the graph says), where ``A <-> B`` would be cut by σ.

**Nothing is dropped silently.** Constructs we cannot represent are errors
(:class:`~causal_align.errors.GraphSpecError`, listing every problem, with its line in dagitty
text): ``pdag``/``mag``/``pag`` graphs, undirected ``A -- B`` and circle-marked ``@`` edges,
``[selected]`` nodes, stand-ins of the wrong shape, cycles, and names that are not node names for us
(``[A-Za-z_][A-Za-z0-9_.-]*``). What is ignored carries no causal meaning: layout (``pos``,
``bb``), edge attributes such as dagitty's ``beta``, and a Bayesian network's CPDs (only the
structure is read). Repeating an edge is harmless, as in dagitty.

networkx and pgmpy are imported by these functions only, never by ``import causal_align``.
"""

from causal_align.interop.dagitty import from_dagitty, to_dagitty
from causal_align.interop.networkx import from_networkx, to_networkx
from causal_align.interop.pgmpy import from_pgmpy, to_pgmpy

__all__ = ["from_dagitty", "from_networkx", "from_pgmpy", "to_dagitty", "to_networkx", "to_pgmpy"]
