r"""The losses of seed 003 on the sphere: value and Euclidean gradient, vectorised, float64.

Each loss is the mean over samples, the whole data set being the batch, of a per-sample term.
With :math:`P_{kj} = w_k^\top h_j / \tau` (prototype k against feature j) the terms are, for
sample :math:`i` of class :math:`c = y_i` (line numbers of ``losses.py`` in
pakoromilas/nc_by_design, commit 4ee8435):

- **NormFace** (``losses.py`` l. 120-122: cross entropy of the cosine logits)

  .. math:: \ell_i = -P_{ci} + \log \sum_{k=1}^K e^{P_{ki}}

- **NTCE** (l. 175-196: the prototype of the sample's class against all N features, the
  positive on the diagonal)

  .. math:: \ell_i = -P_{ci} + \log \sum_{j=1}^N e^{P_{cj}}

- **NONL**, symmetric denominator, the default (l. 238-248, ``denom_sym``: the prototype against
  the features of the other classes)

  .. math:: \ell_i = -P_{ci} + \log \sum_{j:\,y_j \ne c} e^{P_{cj}}

- **NONL per-sample** (l. 237, ``symmetric=False``: the sample against the other prototypes)

  .. math:: \ell_i = -P_{ci} + \log \sum_{k \ne c} e^{P_{ki}}

- **NONL bidirectional** (l. 245-246: both denominators added)

  .. math:: \ell_i = -P_{ci} + \log\Big(\sum_{k \ne c} e^{P_{ki}} + \sum_{j:\,y_j\ne c} e^{P_{cj}}\Big)

- **SupCon** (Khosla et al. 2020; l. 71-100, one view, labels given, no base-temperature
  factor): features only, :math:`Q_{ia} = h_i^\top h_a/\tau`,

  .. math:: \ell_i = -\frac{1}{n_c - 1}\sum_{p \ne i,\, y_p = c} Q_{ip}
        + \log \sum_{a \ne i} e^{Q_{ia}}

Every function here takes *multiplicities* ``m`` (one per row of H): row j stands for
:math:`m_j` identical samples. ``m = 1`` is the loss itself; ``m = (n_1, ..., n_K)`` with one row
per class is the class-structured reduction (:mod:`verify.sphere.reduction`), which is exact
only for points whose features of a class are equal, and is checked separately there. The
formulas accept any vectors (cosines become inner products), so the Euclidean gradient, and
from it the Riemannian one, is defined. A leading batch axis (independent starts) is allowed:
``W`` (..., K, d), ``H`` (..., M, d), and ``m`` (M,) or (..., M) (one set of multiplicities
per batch entry: several instances with the same labels searched at once); values are (...,).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["LOSSES", "value_and_grad"]

Array = np.ndarray
Result = tuple[Array, Array | None, Array]  # value (...,), dW (..., K, d) or None, dH (..., M, d)


def _lse(X: Array, logw: Array, axis: int) -> tuple[Array, Array]:
    """log sum_j w_j e^{X_j} along ``axis`` and the weights of the softmax (w = 0 masked out)."""
    Z = X + logw
    top = np.max(Z, axis=axis, keepdims=True)
    out = top + np.log(np.sum(np.exp(Z - top), axis=axis, keepdims=True))
    return out, np.exp(Z - out)


def _lse_value(X: Array, logw: Array, axis: int) -> Array:
    """log sum_j w_j e^{X_j} along ``axis`` alone (no softmax weights)."""
    Z = X + logw
    top = np.max(Z, axis=axis, keepdims=True)
    return top + np.log(np.sum(np.exp(Z - top), axis=axis, keepdims=True))


def _logw(weights: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.where(weights > 0, np.log(np.where(weights > 0, weights, 1.0)), -np.inf)


_Y: dict[tuple[bytes, int], Array] = {}


def _classes(labels: Array, K: int) -> Array:
    """Y[k, j] = [y_j = k], (K, M) (cached: a search evaluates the same labels thousands of times)."""
    key = (labels.tobytes(), K)
    if key not in _Y:
        if len(_Y) > 256:
            _Y.clear()
        _Y[key] = labels[None, :] == np.arange(K)[:, None]
    return _Y[key]


_LOG_MASKS: dict[tuple[bytes, int], tuple[Array, Array]] = {}


def _log_masks(labels: Array, K: int) -> tuple[Array, Array]:
    """log [y_j = k] and log [y_j != k], (K, M), 0 or -inf (cached like :func:`_classes`)."""
    key = (labels.tobytes(), K)
    if key not in _LOG_MASKS:
        if len(_LOG_MASKS) > 256:
            _LOG_MASKS.clear()
        Y = _classes(labels, K).astype(float)
        _LOG_MASKS[key] = (_logw(Y), _logw(1.0 - Y))
    return _LOG_MASKS[key]


def _log_m(m3: Array) -> Array:
    """log of the multiplicities, -inf where one is 0."""
    return np.log(m3) if np.all(m3 > 0) else _logw(m3)


def _setup(labels: Array, m: Array, K: int) -> tuple[Array, Array, Array, Array, Array]:
    """Y (K, M); the class totals Mc (..., K) and the total (...,) of m (..., M); m as (..., 1, M)
    and the total as (..., 1, 1), for broadcasting against (..., K, M)."""
    Y = _classes(labels, K)
    Mc = m @ Y.T.astype(float)
    total = np.sum(m, axis=-1)
    return Y, Mc, total, m[..., None, :], total[..., None, None]


def _positive(P: Array, labels: Array) -> Array:
    """P[..., y_j, j], (..., M)."""
    return P[..., labels, np.arange(len(labels))]


def _over_classes(masked: bool) -> Callable[[Array, Array, Array, Array, float], Result]:
    """NormFace (``masked`` False) and NONL per-sample (True): a softmax over the K prototypes."""

    def loss(W: Array, H: Array, labels: Array, m: Array, tau: float) -> Result:
        K = W.shape[-2]
        Y, _, total, m3, t2 = _setup(labels, m, K)
        P = W @ np.swapaxes(H, -1, -2) / tau  # (..., K, M)
        logw = _log_masks(labels, K)[1] if masked else np.zeros_like(P)
        out, soft = _lse(P, logw, axis=-2)
        value = np.sum(m * (out[..., 0, :] - _positive(P, labels)), axis=-1) / total
        dP = (m3 / t2) * (soft - Y)
        return value, dP @ H / tau, np.swapaxes(dP, -1, -2) @ W / tau

    return loss


def _over_samples(masked: bool) -> Callable[[Array, Array, Array, Array, float], Result]:
    """NTCE (``masked`` False) and NONL symmetric (True): the prototype of a class against the
    features of all samples (resp. of the other classes), one denominator per class."""

    def loss(W: Array, H: Array, labels: Array, m: Array, tau: float) -> Result:
        K = W.shape[-2]
        Y, Mc, total, m3, t2 = _setup(labels, m, K)
        P = W @ np.swapaxes(H, -1, -2) / tau
        logw = _log_m(m3) + (_log_masks(labels, K)[1] if masked else 0.0)  # log(weights)
        out, soft = _lse(P, logw, axis=-1)  # (..., K, 1)
        value = (np.sum(Mc * out[..., 0], axis=-1) - np.sum(m * _positive(P, labels), -1)) / total
        dP = (Mc[..., :, None] * soft - m3 * Y) / t2
        return value, dP @ H / tau, np.swapaxes(dP, -1, -2) @ W / tau

    return loss


def _bidirectional(W: Array, H: Array, labels: Array, m: Array, tau: float) -> Result:
    """NONL bidirectional: D_i = sum_{k != c} e^{P_ki} + sum_{y_j != c} m_j e^{P_cj}."""
    K = W.shape[-2]
    Y, _, total, m3, t2 = _setup(labels, m, K)
    P = W @ np.swapaxes(H, -1, -2) / tau
    other = np.where(Y, 0.0, 1.0)
    log_Y, log_other = _log_masks(labels, K)
    log_m = _log_m(m3)  # (..., 1, M): log(other m) = log other + log m
    logA = _lse_value(P, log_other, axis=-2)  # (..., 1, M)
    logB = _lse_value(P, log_other + log_m, axis=-1)  # (..., K, 1)
    logD = np.logaddexp(logA[..., 0, :], np.take(logB[..., 0], labels, axis=-1))  # (..., M)
    value = np.sum(m * (logD - _positive(P, labels)), axis=-1) / total
    # d logD_j / d P_kj for k != y_j, and d logD_j / d P_{y_j, j'} for y_j' != y_j
    dA = (m3 / t2) * np.exp(P - logD[..., None, :]) * other
    # (..., K): log sum_{j in class k} m_j / (total D_j), all classes in one softmax-style sum
    logr = _lse_value(-logD[..., None, :], log_Y + log_m, axis=-1)[..., 0]
    logr = logr - np.log(total)[..., None]
    dB = np.exp(P + logr[..., None]) * other * m3
    dP = dA + dB - (m3 / t2) * Y
    return value, dP @ H / tau, np.swapaxes(dP, -1, -2) @ W / tau


def _supcon(W: Array | None, H: Array, labels: Array, m: Array, tau: float) -> Result:
    """SupCon with multiplicities: anchor i sees m_a copies of a, minus itself."""
    K = int(labels.max()) + 1
    _, Mc, total, _, t2 = _setup(labels, m, K)
    Q = H @ np.swapaxes(H, -1, -2) / tau  # (..., M, M)
    M = len(labels)
    weights = m[..., None, :] - np.eye(M)  # anchor i: m_a copies of a, itself excluded
    same = labels[:, None] == labels[None, :]
    pos_w = weights * same / (Mc[..., labels] - 1.0)[..., :, None]
    out, soft = _lse(Q, np.broadcast_to(_logw(weights), Q.shape), axis=-1)
    value = np.sum(m * (out[..., 0] - np.sum(pos_w * Q, axis=-1)), axis=-1) / total
    dQ = (m[..., :, None] / t2) * (soft - pos_w)
    return value, None, (dQ + np.swapaxes(dQ, -1, -2)) @ H / tau


LOSSES: dict[str, Callable[..., Result]] = {
    "normface": _over_classes(masked=False),
    "ntce": _over_samples(masked=False),
    "nonl": _over_samples(masked=True),
    "nonl-per-sample": _over_classes(masked=True),
    "nonl-bidirectional": _bidirectional,
    "supcon": _supcon,
}


def value_and_grad(
    loss: str, W: Array | None, H: Array, labels: Array, m: Array, tau: float
) -> Result:
    """The loss (mean over the samples, weighted by ``m``) and its Euclidean gradients."""
    return LOSSES[loss](W, H, np.asarray(labels), np.asarray(m, dtype=float), float(tau))
