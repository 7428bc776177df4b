"""gnnexplain: the library behind the GNN-explainability workbook.

Subpackages: :mod:`gnnexplain.data` (datasets and the offline mirror), :mod:`gnnexplain.models`
(GNNs, training, checkpoint cache), :mod:`gnnexplain.explain` (explainers as PyG
``ExplainerAlgorithm`` subclasses and configured baselines), :mod:`gnnexplain.metrics`,
:mod:`gnnexplain.viz` (plotly figures and export), :mod:`gnnexplain.widgets` (ipywidgets explorers)
and :mod:`gnnexplain.reproduce` (the papermill runner).
"""

__version__ = "0.1.0"
