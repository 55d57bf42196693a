"""Variance components of linear mixed models with crossed and nested random intercepts.

- :func:`fit_reml` fits ``response ~ fixed factors + random intercepts`` by REML and
  returns a :class:`VarCompFit` (variance components with standard errors and
  intervals, fixed effects with Wald tests, BLUPs with prediction standard errors). It
  is the one REML of kinerja: the ICCs with missing cells
  (:mod:`kinerja.stats.agreement`), G-studies (:mod:`kinerja.stats.gtheory`), juror
  effects and the category comparison all fit their models here.
- :func:`fit_anova`: the moment estimators on the same terms (ANOVA / expected mean
  squares for balanced data, Henderson's method 1 otherwise).

A term is a column name or a tuple of column names (an interaction, or a nested factor:
raters within tasks is ``("rater", "task")``); components are labelled
``":".join(term)`` and ``residual``.
"""

from __future__ import annotations

from ._anova import AnovaFit, VarCompInputError, fit_anova
from ._reml import VarCompFit, fit_reml

__all__ = ["AnovaFit", "VarCompFit", "VarCompInputError", "fit_anova", "fit_reml"]
