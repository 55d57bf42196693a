"""Numerical core of the REML engine: sufficient statistics, the profiled REML deviance
in relative-SD parameters and its analytic gradient, and the optimiser.

Model (rows weighted by precision weights ``w``; unweighted: ``w = 1``)

    y = X beta + sum_t Z_t b_t + e,   b_t ~ N(0, sigma_t^2 I),   e ~ N(0, sigma^2 W^-1),

with every ``Z_t`` an indicator matrix (random intercepts: each row belongs to one level
of each term). Following Bates et al. (2015, lme4), the random effects are written as
``b_t = theta_t u_t`` with spherical ``u`` and ``theta_t = sigma_t / sigma``; for given
theta the penalised least-squares system

    M [u; beta] = [Lambda Z' W y; X' W y],
    M = [[Lambda Z' W Z Lambda + I, Lambda Z' W X], [X' W Z Lambda, X' W X]]

gives ``r2 = y' W y - [u; beta]' rhs`` (the penalised residual sum of squares, equal to
``y' P y``) and the profiled REML deviance

    d(theta) = log|M| + nu (1 + log(2 pi r2 / nu)),   nu = N - rank(X),

with ``sigma^2 = r2 / nu``. (``log|M| = log|L_theta|^2 + log|R_X|^2`` in lme4's notation.)

One random term, the *absorbed* term ``a`` (the one with most levels), has a diagonal
block ``Z_a' W Z_a`` (each row belongs to one level), so it is eliminated analytically:
with ``D = theta_a^2 n_a + 1`` (per level) and the remaining columns ``o`` (other random
terms, then the fixed effects), the Schur complement is

    S = Lambda_o Q Lambda_o + E_o,   Q = C - theta_a^2 G' D^-1 G,

``C = R' W R``, ``G = Z_a' W R``, ``R = [Z_o, X]``, ``E_o`` = 1 on random columns. Levels
of ``a`` enter only through sums over levels that share the same weight total ``n_a``
("classes"), precomputed once: ``G' D^-1 G = sum_c H_c / D_c``. A deviance evaluation
then costs the class sum and one dense Cholesky of ``S`` (size = levels of the other
terms + fixed columns), whatever the number of levels of ``a``.

Gradient (``phi = theta_a^2``; ``s_o = S^-1 Lambda_o r_o``, ``z = Lambda_o s_o``):

    d r2 / d theta_t = -2 s_t' (r_o - Q z)_t                      (t in o)
    d r2 / d phi     = -sum_j (ya_j - g_j' z)^2 / D_j^2
    d log|M| / d theta_t = 2 sum_{i in t} (S^-1 Lambda_o Q)_ii      (t in o)
    d log|M| / d phi     = sum_j n_j / D_j - tr(S^-1 Lambda_o K2 Lambda_o),  K2 = G' D^-2 G

and ``d d / d theta = d log|M| / d theta + (nu / r2) d r2 / d theta``.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.linalg import lapack

#: Largest number of entries of the per-class matrices H (K x m x m) kept in memory.
_MAX_CLASS_ENTRIES = 6_000_000
#: Largest dense G (levels of a x m) kept; beyond it G stays sparse.
_MAX_DENSE_G = 4_000_000
#: Largest dense block (levels of the random terms other than the absorbed one, plus
#: fixed columns) fit_reml accepts: a 4,000 x 4,000 Cholesky and inverse take about
#: 1-2 s and 128 MB each, per deviance evaluation.
MAX_DENSE = 4000
#: Upper bound of a relative SD theta (sigma_t / sigma): reaching it means sigma ~ 0.
THETA_MAX = 1e6
_LOG2PI = float(np.log(2 * np.pi))


#: Dense blocks up to this size are factorised with single-threaded BLAS (see below).
_SINGLE_THREAD_MAX = 1500


@functools.cache
def _thread_controller():
    try:  # optional: threadpoolctl is a dependency of the test environment only
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return ThreadpoolController()


@contextmanager
def single_threaded_blas(active: bool = True):
    """Run the enclosed linear algebra on one BLAS thread, when threadpoolctl is present.

    The matrices here are small to medium (a few hundred rows): a multi-threaded BLAS
    gains nothing on them, and on a machine whose cores are all busy (two notebooks on
    two cores, ``make reports``) its spinning threads cost 10-50 times the arithmetic
    (measured: a 306 x 306 Cholesky inverse, 2 ms on one thread, 105 ms CPU threaded).
    Results are identical either way; only the time differs.
    """
    ctl = _thread_controller() if active else None
    if ctl is None:
        yield
        return
    with ctl.limit(limits=1, user_api="blas"):
        yield


@dataclass
class Solution:
    """Everything computed at one theta (at the optimum: the fitted model)."""

    theta: np.ndarray
    deviance: float
    r2: float
    s_o: np.ndarray  # spherical random effects of the o terms, then beta (scaled y)
    z: np.ndarray  # Lambda_o s_o
    chol: np.ndarray  # lower Cholesky factor of S
    d_a: np.ndarray | None  # D per level of the absorbed term
    s_a: np.ndarray | None  # spherical random effects of the absorbed term


class RemlCore:
    """Sufficient statistics of one model and its profiled REML deviance.

    Parameters are given in the scaled response units chosen by the caller.

    ``term_of_col``: for each of the m o-columns, the index of its random term
    (0..T-1) or -1 for a fixed-effect column. ``absorbed``: index of the absorbed term or
    None (no random term absorbed, e.g. no random terms at all).
    """

    def __init__(
        self,
        *,
        n_obs: int,
        n_fixed: int,
        n_theta: int,
        yy: float,
        C: np.ndarray,
        bo: np.ndarray,
        term_of_col: np.ndarray,
        absorbed: int | None,
        na: np.ndarray | None = None,
        ya: np.ndarray | None = None,
        G=None,
        sum_log_w: float = 0.0,
    ):
        self.n_obs = int(n_obs)
        self.n_fixed = int(n_fixed)
        self.nu = float(n_obs - n_fixed)
        self.n_theta = int(n_theta)
        self.yy = float(yy)
        self.C = np.asarray(C, float)
        self.bo = np.asarray(bo, float)
        self.m = self.C.shape[0]
        self.term_of_col = np.asarray(term_of_col, int)
        self.add = (self.term_of_col >= 0).astype(float)
        self.absorbed = absorbed
        self.sum_log_w = float(sum_log_w)
        self.o_terms = [t for t in range(n_theta) if t != absorbed]
        self.cols_of = {t: np.flatnonzero(self.term_of_col == t) for t in self.o_terms}
        self.fixed_cols = np.flatnonzero(self.term_of_col < 0)
        self.classes = False
        if absorbed is not None:
            na = np.asarray(na, float)
            ya = np.asarray(ya, float)
            self.na, self.ya = na, ya
            G = G if sparse.issparse(G) else np.asarray(G, float)
            self.G = G
            uniq, cls = np.unique(na, return_inverse=True)
            if len(uniq) * self.m * self.m <= _MAX_CLASS_ENTRIES:
                self.classes = True
                K = len(uniq)
                self.nc = uniq
                self.Nc = np.bincount(cls, minlength=K).astype(float)
                self.ec = np.bincount(cls, weights=ya**2, minlength=K)
                if sparse.issparse(G):
                    self.H = np.empty((K, self.m, self.m))
                    self.hc = np.empty((K, self.m))
                    for c in range(K):
                        sel = np.flatnonzero(cls == c)
                        gc = G[sel]
                        self.H[c] = (gc.T @ gc).toarray()
                        self.hc[c] = gc.T @ ya[sel]
                else:
                    self.H = np.empty((K, self.m, self.m))
                    self.hc = np.empty((K, self.m))
                    for c in range(K):
                        gc = G[cls == c] if K > 1 else G
                        self.H[c] = gc.T @ gc
                        self.hc[c] = gc.T @ (ya[cls == c] if K > 1 else ya)
            else:
                self.Gs = sparse.csr_matrix(G)

    # ------------------------------------------------------------------------------
    # absorbed sums
    # ------------------------------------------------------------------------------

    def _sums(self, phi: float, grad: bool):
        """G' D^-1 G, G' D^-1 ya, ya' D^-1 ya, sum log D (and the D^-2 versions)."""
        if self.absorbed is None:
            return None
        if self.classes:
            d = 1.0 + phi * self.nc
            inv = 1.0 / d
            K1 = np.tensordot(inv, self.H, axes=1)
            v1 = inv @ self.hc
            e1 = float(inv @ self.ec)
            logd = float(self.Nc @ np.log(d))
            out = dict(K1=K1, v1=v1, e1=e1, logd=logd)
            if grad:
                inv2 = inv * inv
                out.update(
                    K2=np.tensordot(inv2, self.H, axes=1),
                    v2=inv2 @ self.hc,
                    e2=float(inv2 @ self.ec),
                    dlogd=float(self.Nc @ (self.nc * inv)),
                )
            return out
        d = 1.0 + phi * self.na
        inv = 1.0 / d
        G = self.Gs
        K1 = (G.T @ sparse.diags(inv) @ G).toarray()
        v1 = G.T @ (inv * self.ya)
        e1 = float(inv @ self.ya**2)
        logd = float(np.log(d).sum())
        out = dict(K1=K1, v1=np.asarray(v1).ravel(), e1=e1, logd=logd)
        if grad:
            inv2 = inv * inv
            out.update(
                K2=(G.T @ sparse.diags(inv2) @ G).toarray(),
                v2=np.asarray(G.T @ (inv2 * self.ya)).ravel(),
                e2=float(inv2 @ self.ya**2),
                dlogd=float(self.na @ inv),
            )
        return out

    def lam(self, theta: np.ndarray) -> np.ndarray:
        t = np.append(np.asarray(theta, float), 1.0)
        return t[self.term_of_col]  # -1 -> the appended 1.0 (fixed columns)

    # ------------------------------------------------------------------------------
    # deviance and gradient
    # ------------------------------------------------------------------------------

    def evaluate(self, theta, grad: bool = False, keep: bool = False):
        """Profiled REML deviance (and gradient) at ``theta``; ``keep`` returns a Solution."""
        theta = np.asarray(theta, float)
        lam = self.lam(theta)
        phi = float(theta[self.absorbed]) ** 2 if self.absorbed is not None else 0.0
        sums = self._sums(phi, grad)
        if sums is None:
            Q = self.C
            ro = self.bo
            e_part = 0.0
            logd = 0.0
        else:
            Q = self.C - phi * sums["K1"]
            ro = self.bo - phi * sums["v1"]
            e_part = phi * sums["e1"]
            logd = sums["logd"]
        S = lam[:, None] * Q * lam[None, :]
        S[np.diag_indices_from(S)] += self.add
        L, info = lapack.dpotrf(S, lower=1, clean=1)
        if info != 0:
            return (np.inf, np.zeros(self.n_theta)) if grad else np.inf
        f = lam * ro
        s_o = lapack.dpotrs(L, f, lower=1)[0]
        r2 = self.yy - e_part - float(f @ s_o)
        if not r2 > 0:
            return (np.inf, np.zeros(self.n_theta)) if grad else np.inf
        logdet = logd + 2.0 * float(np.log(np.diag(L)).sum())
        dev = logdet + self.nu * (1.0 + _LOG2PI + np.log(r2 / self.nu))
        if keep:
            z = lam * s_o
            d_a = s_a = None
            if self.absorbed is not None:
                d_a = 1.0 + phi * self.na
                th_a = float(theta[self.absorbed])
                s_a = th_a * (self.ya - self._G_dot(z)) / d_a
            return Solution(theta.copy(), float(dev), r2, s_o, z, L, d_a, s_a)
        if not grad:
            return float(dev)
        z = lam * s_o
        Sinv = _inverse_from_chol(L)
        g = np.zeros(self.n_theta)
        scale = self.nu / r2
        if self.o_terms:
            resid = ro - Q @ z
            diag = (Sinv * (Q * lam[None, :])).sum(axis=1)
            for t in self.o_terms:
                cols = self.cols_of[t]
                g[t] = 2.0 * diag[cols].sum() - scale * 2.0 * float(s_o[cols] @ resid[cols])
        if self.absorbed is not None:
            K2s = lam[:, None] * sums["K2"] * lam[None, :]
            dlog_phi = sums["dlogd"] - float((Sinv * K2s).sum())
            dr2_phi = -(sums["e2"] - 2.0 * float(z @ sums["v2"]) + float(z @ sums["K2"] @ z))
            g[self.absorbed] = 2.0 * float(theta[self.absorbed]) * (dlog_phi + scale * dr2_phi)
        return float(dev), g

    def _G_dot(self, z: np.ndarray) -> np.ndarray:
        G = self.G
        return np.asarray(G @ z).ravel()

    # ------------------------------------------------------------------------------
    # optimisation
    # ------------------------------------------------------------------------------

    def fit(self, start, *, probe: bool = True, restarts: bool = True, maxiter: int = 200):
        """Minimise the deviance over theta >= 0.

        A projected quasi-Newton method (:func:`box_newton`: finite-difference Hessian of
        the analytic gradient at the start, BFGS updates, backtracking) in plain numpy;
        scipy's L-BFGS-B is the fallback when it does not converge (its compiled
        routine wakes the BLAS threads on every call, which on a busy machine costs
        ten times the deviance itself). Returns (theta, deviance, converged, message).
        The deviance is even in each theta_t, so theta_t = 0 is a stationary point no
        gradient method leaves: every component that ends at 0 is probed at small
        positive values (``probe``); ``restarts`` retries a failed fit from theta = 1.
        """
        with single_threaded_blas(self.m <= _SINGLE_THREAD_MAX):
            return self._fit(start, probe=probe, restarts=restarts, maxiter=maxiter)

    def _fit(self, start, *, probe: bool, restarts: bool, maxiter: int):
        if self.n_theta == 0:
            dev = self.evaluate(np.zeros(0))
            return np.zeros(0), float(dev), bool(np.isfinite(dev)), ""

        def fg(x):
            return self.evaluate(x, True)

        def run(x):
            res = box_newton(fg, x, THETA_MAX, maxiter=maxiter)
            if res[3]:
                return res
            lb = optimize.minimize(
                fg,
                res[0] if np.isfinite(res[1]) else x,
                jac=True,
                method="L-BFGS-B",
                bounds=[(0.0, THETA_MAX)] * self.n_theta,
                options=dict(maxiter=maxiter, ftol=1e-13, gtol=1e-8, maxcor=10),
            )
            g = lb.jac if lb.jac is not None else np.zeros(self.n_theta)
            ok = bool(lb.success) and np.isfinite(lb.fun)
            return lb.x.copy(), float(lb.fun), g, ok, "" if ok else f"REML optimiser stopped ({lb.message})"

        x0 = np.clip(np.asarray(start, float), 0.0, THETA_MAX)
        x, fun, g, ok, message = run(x0)
        if restarts and not ok:
            alt = run(np.ones(self.n_theta))
            if alt[1] < fun or not np.isfinite(fun):
                x, fun, g, ok, message = alt
        if probe and np.isfinite(fun):
            for _ in range(self.n_theta):
                moved = False
                for t in np.flatnonzero(x <= 1e-8):
                    for delta in (1e-3, 1e-2, 1e-1, 1.0):
                        trial = x.copy()
                        trial[t] = delta
                        if self.evaluate(trial) < fun - 1e-10 * max(1.0, abs(fun)):
                            res = run(trial)
                            if res[1] < fun:
                                x, fun, g, ok, message = res
                                moved = True
                            break
                if not moved:
                    break
        converged = bool(np.isfinite(fun)) and ok
        if not np.isfinite(fun):
            message = "REML deviance is not finite anywhere the optimiser looked"
        elif converged:
            free = (x > 0) & (x < THETA_MAX)
            pg = np.where(free, g, np.where(x <= 0, np.minimum(g, 0.0), np.maximum(g, 0.0)))
            tol = 1e-3 * max(1.0, 1e-3 * abs(fun))
            if np.abs(pg).max(initial=0.0) > tol:
                converged = False
                message = f"REML gradient not zero at the end (max |gradient| {np.abs(pg).max():.2g})"
        return x, fun, converged, message

    # ------------------------------------------------------------------------------
    # the unprofiled deviance in log-variance parameters (for standard errors)
    # ------------------------------------------------------------------------------

    def grad_logvar(self, logv: np.ndarray, free: np.ndarray, theta_fixed: np.ndarray) -> np.ndarray:
        """Gradient of -2 log L_REML w.r.t. log variances (free components, then residual).

        ``logv``: log sigma_t^2 of the free terms, then log sigma^2. Terms not free keep
        their ``theta_fixed`` value (0 at the boundary).
        """
        s2 = float(np.exp(logv[-1]))
        theta = np.array(theta_fixed, float)
        theta[free] = np.sqrt(np.exp(logv[:-1]) / s2)
        lam = self.lam(theta)
        phi = float(theta[self.absorbed]) ** 2 if self.absorbed is not None else 0.0
        sums = self._sums(phi, True)
        # pieces of the profiled gradient, recomputed at fixed sigma^2 below
        if sums is None:
            Q, ro, e_part = self.C, self.bo, 0.0
        else:
            Q = self.C - phi * sums["K1"]
            ro = self.bo - phi * sums["v1"]
            e_part = phi * sums["e1"]
        S = lam[:, None] * Q * lam[None, :]
        S[np.diag_indices_from(S)] += self.add
        L, info = lapack.dpotrf(S, lower=1, clean=1)
        if info != 0:
            raise np.linalg.LinAlgError("mixed-model equations are not positive definite")
        f = lam * ro
        s_o = lapack.dpotrs(L, f, lower=1)[0]
        r2 = self.yy - e_part - float(f @ s_o)
        z = lam * s_o
        Sinv = _inverse_from_chol(L)
        g_theta = np.zeros(self.n_theta)  # d(-2 logL)/d theta_t at fixed sigma^2
        if self.o_terms:
            resid = ro - Q @ z
            diag = (Sinv * (Q * lam[None, :])).sum(axis=1)
            for t in self.o_terms:
                cols = self.cols_of[t]
                # theta_t * d/dtheta_t, computed without dividing by theta_t
                g_theta[t] = 2.0 * diag[cols].sum() - 2.0 * float(s_o[cols] @ resid[cols]) / s2
                g_theta[t] *= theta[t]
        if self.absorbed is not None:
            K2s = lam[:, None] * sums["K2"] * lam[None, :]
            dlog_phi = sums["dlogd"] - float((Sinv * K2s).sum())
            dr2_phi = -(sums["e2"] - 2.0 * float(z @ sums["v2"]) + float(z @ sums["K2"] @ z))
            g_theta[self.absorbed] = 2.0 * phi * (dlog_phi + dr2_phi / s2)
        # theta_t = sqrt(v_t / s2): d/dlog v_t = (theta_t/2) d/dtheta_t;
        # d/dlog s2 = s2 d/ds2|theta - sum_t (theta_t/2) d/dtheta_t
        half = 0.5 * g_theta
        out = np.empty(int(free.sum()) + 1)
        out[:-1] = half[free]
        out[-1] = (self.nu - r2 / s2) - half[free].sum()
        return out


def box_newton(fg, x0: np.ndarray, upper: float, *, maxiter: int = 200, rtol: float = 1e-8):
    """Minimise ``f`` on the box [0, upper]^n by a projected quasi-Newton method.

    ``fg(x) -> (f, gradient)``. The Hessian is started from forward differences of the
    gradient (n extra evaluations) and updated by BFGS; steps are Newton steps on the
    free variables (bounds with a gradient pushing outwards are held), shortened by
    backtracking until the Armijo condition holds. Stops when the Newton step changes
    no variable by more than ``rtol`` (relative, absolute below 1e-3), or when only
    rounding noise is left (no decrease along a step below 1e-6 relative, or three
    steps without a decrease). Returns (x, f, gradient, converged, message).
    """
    n = len(x0)
    x = np.clip(np.asarray(x0, float), 0.0, upper)
    f, g = fg(x)
    if not np.isfinite(f):
        return x, f, g, False, "deviance not finite at the start"
    # forward-difference Hessian of the analytic gradient
    B = np.empty((n, n))
    for j in range(n):
        h = 1e-5 * max(abs(x[j]), 0.1)
        xh = x.copy()
        xh[j] = xh[j] + h if xh[j] + h <= upper else xh[j] - h
        fh, gh = fg(xh)
        if not np.isfinite(fh):
            return x, f, g, False, "deviance not finite next to the start"
        B[:, j] = (gh - g) / (xh[j] - x[j])
    B = _positive_definite(0.5 * (B + B.T))
    stall = 0
    for _ in range(maxiter):
        held = ((x <= 0) & (g > 0)) | ((x >= upper) & (g < 0))
        free = ~held
        d = np.zeros(n)
        if free.any():
            d[free] = -np.linalg.solve(B[np.ix_(free, free)], g[free])
        if not g @ d < 0:
            if not (np.abs(g[free]) > 0).any():
                return x, f, g, True, ""
            d = np.where(free, -g, 0.0)
        scale = np.maximum(np.abs(x), 1e-3)
        if (np.abs(d) <= rtol * scale).all():
            return x, f, g, True, ""
        t = 1.0
        for _ in range(30):
            xn = np.clip(x + t * d, 0.0, upper)
            fn, gn = fg(xn)
            if np.isfinite(fn) and fn <= f + 1e-4 * float(g @ (xn - x)):
                break
            t *= 0.3
        else:
            if (np.abs(d) <= 1e-6 * scale).all():  # at the rounding floor of the deviance
                return x, f, g, True, ""
            return x, f, g, False, "line search failed"
        sv, yv = xn - x, gn - g
        sy = float(sv @ yv)
        if sy > 1e-12 * np.linalg.norm(sv) * np.linalg.norm(yv):
            Bs = B @ sv
            B = B - np.outer(Bs, Bs) / float(sv @ Bs) + np.outer(yv, yv) / sy
        stall = stall + 1 if f - fn <= 1e-15 * max(1.0, abs(f)) else 0
        x, f, g = xn, fn, gn
        if stall >= 3:
            return x, f, g, True, ""
    return x, f, g, False, f"no convergence in {maxiter} iterations"


def _positive_definite(H: np.ndarray) -> np.ndarray:
    """H with its eigenvalues lifted to at least 1e-8 x the largest (modified Newton)."""
    w, V = np.linalg.eigh(H)
    top = max(float(np.abs(w).max(initial=0.0)), 1e-12)
    w = np.maximum(np.abs(w), 1e-8 * top)
    return (V * w) @ V.T


def _inverse_from_chol(L: np.ndarray) -> np.ndarray:
    """S^-1 from the lower Cholesky factor of S (LAPACK potri), both triangles filled."""
    inv, info = lapack.dpotri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular factor")
    inv = np.tril(inv)
    return inv + np.tril(inv, -1).T


def from_codes(
    y: np.ndarray,
    X: np.ndarray,
    codes: list[np.ndarray],
    n_levels: list[int],
    w: np.ndarray | None = None,
) -> RemlCore:
    """Build a :class:`RemlCore` from integer level codes (one array per random term)."""
    n = len(y)
    w_ = np.ones(n) if w is None else np.asarray(w, float)
    n_theta = len(codes)
    p = X.shape[1]
    absorbed = int(np.argmax(n_levels)) if n_theta else None
    o_terms = [t for t in range(n_theta) if t != absorbed]
    # R = [Z_o..., X] as a sparse matrix
    blocks = []
    term_of_col = []
    rows = np.arange(n)
    for t in o_terms:
        q = n_levels[t]
        blocks.append(sparse.csr_matrix((np.ones(n), (rows, codes[t])), shape=(n, q)))
        term_of_col += [t] * q
    blocks.append(sparse.csr_matrix(X))
    term_of_col += [-1] * p
    R = sparse.hstack(blocks, format="csr")
    RW = sparse.diags(w_) @ R
    C = (R.T @ RW).toarray()
    bo = np.asarray(RW.T @ y).ravel()
    yy = float(w_ @ (y * y))
    kw = {}
    if absorbed is not None:
        qa = n_levels[absorbed]
        ca = codes[absorbed]
        na = np.bincount(ca, weights=w_, minlength=qa)
        ya = np.bincount(ca, weights=w_ * y, minlength=qa)
        Za = sparse.csr_matrix((np.ones(n), (ca, rows)), shape=(qa, n))
        G = (Za @ RW).tocsr()
        if qa * R.shape[1] <= _MAX_DENSE_G:
            G = G.toarray()
        kw = dict(na=na, ya=ya, G=G)
    return RemlCore(
        n_obs=n,
        n_fixed=p,
        n_theta=n_theta,
        yy=yy,
        C=C,
        bo=bo,
        term_of_col=np.asarray(term_of_col, int),
        absorbed=absorbed,
        sum_log_w=float(np.log(w_).sum()),
        **kw,
    )


def two_way(y: np.ndarray, model: str) -> RemlCore:
    """The ICC designs on a subjects x raters matrix (NaN = missing cell), built directly.

    ``model``: "oneway" (subjects random), "random" (subjects and raters random),
    "mixed" (subjects random, raters fixed, treatment-coded on the first rater). The
    subjects (rows) are the absorbed term (theta index 0); raters are theta index 1 in
    the "random" model. Rows appearing twice count as two subjects (bootstrap
    resamples), so callers may pass ``y[idx]``. Every row and column of ``y`` must
    hold at least one value.
    """
    obs = ~np.isnan(y)
    yz = np.where(obs, y, 0.0)
    mk = obs.astype(float)
    k = y.shape[1]
    ki = mk.sum(axis=1)
    ys = yz.sum(axis=1)
    nj = mk.sum(axis=0)
    yr = yz.sum(axis=0)
    big_n = float(ki.sum())
    ytot = float(ys.sum())
    yy = float((yz * yz).sum())
    if model == "oneway":
        G = ki[:, None]
        C = np.array([[big_n]])
        bo = np.array([ytot])
        term_of_col = np.array([-1])
        n_theta, p = 1, 1
    elif model == "random":
        G = np.column_stack([mk, ki])
        C = np.zeros((k + 1, k + 1))
        C[:k, :k] = np.diag(nj)
        C[:k, k] = C[k, :k] = nj
        C[k, k] = big_n
        bo = np.concatenate([yr, [ytot]])
        term_of_col = np.concatenate([np.ones(k, int), [-1]])
        n_theta, p = 2, 1
    elif model == "mixed":
        G = np.column_stack([ki, mk[:, 1:]])
        C = np.zeros((k, k))
        C[0, 0] = big_n
        C[0, 1:] = C[1:, 0] = nj[1:]
        C[1:, 1:] = np.diag(nj[1:])
        bo = np.concatenate([[ytot], yr[1:]])
        term_of_col = np.full(k, -1)
        n_theta, p = 1, k
    else:  # pragma: no cover - internal
        raise ValueError(model)
    return RemlCore(
        n_obs=int(big_n),
        n_fixed=p,
        n_theta=n_theta,
        yy=yy,
        C=C,
        bo=bo,
        term_of_col=term_of_col,
        absorbed=0,
        na=ki,
        ya=ys,
        G=G,
    )
