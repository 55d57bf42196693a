"""The data layer: what a dataset is.

``schema`` (the six tables and their rules), ``io`` (``load_dataset``), ``template``
(the Excel fill-in template and the data dictionary), ``synth`` (synthetic juror-level
scores with planted effects), ``grades`` (SAKIP grade bands), ``rubrics`` (bundled
rubrics and weighted totals). Imports nothing from the layers above.
"""
