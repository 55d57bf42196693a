"""Variance components of linear mixed models with crossed and nested random intercepts.

:func:`fit_reml` fits ``response ~ fixed factors + random intercepts`` by REML and
returns a :class:`VarCompFit` (variance components with standard errors and intervals,
fixed effects with Wald tests, BLUPs with prediction standard errors). It is the one
REML of kinerja: the ICCs with missing cells (:mod:`kinerja.stats.agreement`), juror
effects, G-studies and the category comparison all fit their models here.
"""

from __future__ import annotations

from ._reml import VarCompFit, VarCompInputError, fit_reml

__all__ = ["VarCompFit", "VarCompInputError", "fit_reml"]
