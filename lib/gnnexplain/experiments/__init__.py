"""Experiments: one module per notebook, and the only code that knows a paper's tables, settings, baselines and
seeds. Each is built on :func:`gnnexplain.experiments.common.explain_and_time` (the one explain-and-time loop) and
:func:`gnnexplain.experiments.common.mean_std`.

============================  ========================================================
module                        notebook
============================  ========================================================
``common``                    shared: the loop, mean ± std, the node baselines (00, 02)
``dgcnn_gradcam``             01: DGCNN + Grad-CAM importance frequency
``nam``                       02: NAM and the neighbour-deletion experiment
``bayesgrad``                 03: the four gradient saliencies, the pyridine study
``refine``                    04: ReFine's Tables 2–4
``gnnexplainer_xgnn``         05: GNNExplainer's Table 1 and its diagnostics, XGNN
``benchmark``                 06: every explainer on every ground truth, ``run_benchmark``
============================  ========================================================

Import the module you need (``from gnnexplain.experiments import refine``): each pulls in its own data and models.
"""
