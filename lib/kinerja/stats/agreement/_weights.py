"""Agreement weight matrices for weighted chance-corrected coefficients.

A weight ``w[k, l]`` in ``[0, 1]`` says how much credit a pair of ratings in
categories ``k`` and ``l`` earns as agreement: 1 on the diagonal (exact agreement),
0 for "no agreement at all". The schemes follow Gwet (2014, ch. 3) and the R package
irrCAC, so that weighted AC2 / kappa / alpha values can be checked against them.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np

from ._common import AgreementInputError

#: Names accepted by :func:`weight_matrix` ("none" and "identity", deprecated, mean
#: "unweighted").
WEIGHT_SCHEMES = (
    "unweighted",
    "linear",
    "quadratic",
    "ordinal",
    "radical",
    "ratio",
    "circular",
    "bipolar",
)
_ALIASES = {"none": "unweighted", "identity": "unweighted"}


def is_numeric_scale(categories) -> bool:
    """True when every category label is a real number (booleans excluded)."""
    return len(categories) > 0 and all(
        isinstance(c, (Real, np.number)) and not isinstance(c, (bool, np.bool_)) for c in categories
    )


def category_scores(categories) -> np.ndarray:
    """Scores on which distance-based weights are computed.

    Numeric labels are their own scores; any other labels get their positions
    ``1, 2, ..., q`` in the order given (irrCAC's convention).
    """
    if is_numeric_scale(categories):
        return np.asarray(categories, dtype=float)
    return np.arange(1, len(categories) + 1, dtype=float)


def scheme_name(weights) -> str:
    """Normalised name of a weight specification ("custom" for a matrix)."""
    if weights is None:
        return "unweighted"
    if isinstance(weights, str):
        name = _ALIASES.get(weights.lower(), weights.lower())
        if name not in WEIGHT_SCHEMES:
            raise AgreementInputError(
                f"unknown weights {weights!r}; use one of {', '.join(WEIGHT_SCHEMES)} or a q x q matrix"
            )
        return name
    return "custom"


def weight_matrix(weights, categories) -> np.ndarray:
    """Build the ``q x q`` agreement-weight matrix for ``categories``.

    Parameters
    ----------
    weights : str or array_like
        One of ``"unweighted"`` (``"none"`` is deprecated), ``"linear"``, ``"quadratic"``,
        ``"ordinal"``, ``"radical"``, ``"ratio"``, ``"circular"``, ``"bipolar"``, or
        a ``q x q`` matrix with entries in ``[0, 1]`` and ones on the diagonal.
    categories : sequence
        The category labels in scale order. Numeric labels are used as scores
        (so a 1-2-4 scale is not equally spaced); other labels are scored
        ``1..q`` in the order given.

    Returns
    -------
    ndarray, shape (q, q)

    Notes
    -----
    With scores ``x``, ``x_min``, ``x_max`` (Gwet 2014, ch. 3):

    - linear: ``1 - |x_k - x_l| / (x_max - x_min)`` (Cicchetti-Allison; SAS)
    - quadratic: ``1 - (x_k - x_l)^2 / (x_max - x_min)^2`` (Fleiss-Cohen)
    - radical: ``1 - sqrt|x_k - x_l| / sqrt(x_max - x_min)``
    - ratio: ``1 - [(x_k - x_l)/(x_k + x_l)]^2 / [(x_max - x_min)/(x_max + x_min)]^2``;
      needs non-negative scores; two zero scores are exact agreement (weight 1,
      where irrCAC returns NA)
    - circular: ``1 - sin^2(pi (x_k - x_l) / U) / max``, ``U = x_max - x_min + 1``
    - bipolar: ``1 - (x_k - x_l)^2 / [(x_k + x_l - 2 x_min)(2 x_max - x_k - x_l)] / max``
    - ordinal: uses ranks only, ``1 - M_kl / max`` with ``M_kl = C(|k - l| + 1, 2)``.
      This is Gwet's ordinal weighting, *not* Krippendorff's ordinal metric.

    With one category every scheme is the 1 x 1 matrix ``[[1]]``. With two
    categories every scheme reduces to the identity.

    Examples
    --------
    >>> weight_matrix("linear", [1, 2, 3])
    array([[1. , 0.5, 0. ],
           [0.5, 1. , 0.5],
           [0. , 0.5, 1. ]])
    """
    q = len(categories)
    if isinstance(weights, str) and weights.strip().lower() in _ALIASES:
        warnings.warn(
            f"weight_matrix(weights={weights!r}) is deprecated: use weights='unweighted'",
            DeprecationWarning,
            stacklevel=2,
        )
    name = scheme_name(weights)
    if name == "custom":
        w = np.asarray(weights, dtype=float)
        if w.shape != (q, q):
            raise AgreementInputError(
                f"weight matrix has shape {w.shape}, but there are {q} categories "
                f"({list(categories)[:10]}); pass categories= to fix the scale"
            )
        if not np.isfinite(w).all() or (w < 0).any() or (w > 1).any():
            raise AgreementInputError("weight matrix entries must be finite and in [0, 1]")
        if not np.allclose(np.diag(w), 1.0):
            raise AgreementInputError("weight matrix must have ones on the diagonal (exact agreement = 1)")
        return w
    if q == 0:
        raise AgreementInputError("no categories: there are no ratings to weight")
    if name == "unweighted" or q == 1:
        return np.eye(q)
    x = category_scores(categories)
    if len(np.unique(x)) != q:
        raise AgreementInputError(f"categories must be distinct, got {list(categories)}")
    order = np.argsort(x, kind="stable")
    if not (order == np.arange(q)).all():
        raise AgreementInputError(f"numeric categories must be given in increasing order, got {list(categories)}")
    xmin, xmax = x[0], x[-1]
    span = xmax - xmin
    d = x[:, None] - x[None, :]
    if name == "linear":
        return 1.0 - np.abs(d) / span
    if name == "quadratic":
        return 1.0 - d**2 / span**2
    if name == "radical":
        return 1.0 - np.sqrt(np.abs(d)) / np.sqrt(span)
    if name == "ratio":
        if xmin < 0:
            raise AgreementInputError(f"ratio weights need non-negative category scores, got minimum {xmin:g}")
        s = x[:, None] + x[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(s > 0, d / np.where(s > 0, s, 1.0), 0.0)
        return 1.0 - rel**2 / (span / (xmax + xmin)) ** 2
    if name == "circular":
        raw = np.sin(np.pi * d / (span + 1.0)) ** 2
        return 1.0 - raw / raw.max()
    if name == "bipolar":
        s = x[:, None] + x[None, :]
        den = (s - 2 * xmin) * (2 * xmax - s)
        off = ~np.eye(q, dtype=bool)
        raw = np.zeros((q, q))
        raw[off] = d[off] ** 2 / den[off]
        return 1.0 - raw / raw.max()
    if name == "ordinal":
        k = np.arange(q)
        m = np.abs(k[:, None] - k[None, :]) + 1
        raw = m * (m - 1) / 2.0
        return 1.0 - raw / raw.max()
    raise AssertionError(name)  # pragma: no cover
