r"""Closed-form second derivatives of the sphere losses, batched, in per-row bases.

Every prototype loss of :mod:`verify.sphere.losses` is, in the logits
:math:`P = W H^\top / \tau` (K x M), a weighted sum of log-sum-exps minus a linear term,

.. math:: F(P) = \sum_t c_t \log \sum_{e \in S_t} \omega_{t,e}\, e^{P_e}
    - \sum_j \frac{m_j}{\sum m} P_{y_j j},

one term t per sample (NormFace, NONL per-sample and bidirectional: :math:`c_j = m_j / \sum m`)
or per class (NTCE, NONL symmetric: :math:`c_k = M_k / \sum m`, the class total). With
:math:`u_t` the softmax of term t spread over the K M entries of P, the Hessian in the logits is

.. math:: \nabla^2_P F = \operatorname{diag}\Big(\sum_t c_t u_t\Big) - \sum_t c_t\, u_t u_t^\top,
    \qquad \nabla_P F = \sum_t c_t u_t - \frac{m}{\sum m} Y,

and P is bilinear in (W, H), so along a direction (E, F) the second derivative of the loss is
:math:`\nabla^2_P F[\dot P, \dot P] + 2 \langle \nabla_P F, E F^\top \rangle / \tau` with
:math:`\dot P = (E H^\top + W F^\top)/\tau`. SupCon is the same in the feature Gram
:math:`Q = H H^\top / \tau`, one term per anchor, with
:math:`\dot Q = (F H^\top + H F^\top)/\tau` and the curvature term
:math:`2\langle \nabla_Q F, F F^\top\rangle/\tau`.

:func:`hessian_in_bases` evaluates that bilinear form on per-row bases (..., rows, k, d) of
directions: with the identity (k = d) it is the Euclidean Hessian; with orthonormal bases of the
tangent spaces (k = d - 1) and the sphere's curvature term subtracted, the Riemannian Hessian
:math:`\operatorname{Hess} f(x) = P_x \nabla^2 f(x) P_x - (x_r^\top \nabla_r f)\, I` on the
product of spheres (:func:`tangent_hessian`). Both are tested against finite differences
(tests/test_sphere.py): of the analytic gradient for the Euclidean Hessian, of the value along
the retraction for the Riemannian one.
"""

from __future__ import annotations

import numpy as np

from .losses import _log_m, _log_masks, _lse, _lse_value, _setup

__all__ = ["hessian_in_bases", "logit_terms", "tangent_hessian"]

Array = np.ndarray


def logit_terms(
    loss: str, W: Array, H: Array, labels: Array, m: Array, tau: float
) -> tuple[Array, Array, Array]:
    """For a prototype loss: the softmax vectors U (..., T, K, M) of its log-sum-exp terms, their
    weights c (..., T), and the gradient in the logits, G = sum_t c_t u_t - (m / sum m) Y."""
    K, M = W.shape[-2], H.shape[-2]
    Y, Mc, total, m3, t2 = _setup(labels, m, K)
    P = W @ np.swapaxes(H, -1, -2) / tau  # (..., K, M)
    c_sample = np.broadcast_to(m / total[..., None], (*P.shape[:-2], M))
    if loss in ("normface", "nonl-per-sample"):  # one term per sample: a softmax over k
        logw = _log_masks(labels, K)[1] if loss == "nonl-per-sample" else np.zeros_like(P)
        _, soft = _lse(P, logw, axis=-2)
        U = soft[..., None, :, :] * np.eye(M)[:, None, :]  # U[j, k, j'] = [j = j'] soft[k, j]
        c = c_sample
    elif loss in ("ntce", "nonl"):  # one term per class: a softmax over the samples
        logw = _log_m(m3) + (_log_masks(labels, K)[1] if loss == "nonl" else 0.0)
        _, soft = _lse(P, logw, axis=-1)
        U = soft[..., None, :, :] * np.eye(K)[:, :, None]  # U[k', k, j] = [k' = k] soft[k, j]
        c = Mc / total[..., None]
    elif loss == "nonl-bidirectional":  # one term per sample over a column and a row of P
        other = np.where(Y, 0.0, 1.0)
        log_other = _log_masks(labels, K)[1]
        logA = _lse_value(P, log_other, axis=-2)[..., 0, :]  # (..., M)
        logB = _lse_value(P, log_other + _log_m(m3), axis=-1)[..., 0]  # (..., K)
        logD = np.logaddexp(logA, np.take(logB, labels, axis=-1))  # (..., M)
        column = np.exp(P - logD[..., None, :]) * other  # sample j's column, k != y_j
        U = column[..., None, :, :] * np.eye(M)[:, None, :]
        # sample j's row y_j: m_j' e^{P_{y_j j'}} / D_j over the samples j' of other classes
        row = np.exp(P[..., labels, :] - logD[..., :, None]) * (other * m3)[..., labels, :]
        U = U + row[..., :, None, :] * Y.T[:, :, None]  # (..., j, k, j'): only k = y_j
        c = c_sample
    else:
        raise ValueError(f"no logit terms for {loss!r}")
    c = np.broadcast_to(c, U.shape[:-2])
    s = (c[..., None, :] @ U.reshape(*U.shape[:-2], K * M))[..., 0, :].reshape(*U.shape[:-3], K, M)
    return U, c, s - (m3 / t2) * Y


def _supcon_terms(H: Array, labels: Array, m: Array, tau: float) -> tuple[Array, Array, Array]:
    """SupCon's softmax rows S (..., M, M) (anchor i over a != i, with multiplicities), their
    weights c (..., M) and the gradient in Q = H H^T / tau (the positives' linear term in it)."""
    K = int(labels.max()) + 1
    M = len(labels)
    _, Mc, total, _, _ = _setup(labels, m, K)
    Q = H @ np.swapaxes(H, -1, -2) / tau
    weights = m[..., None, :] - np.eye(M)
    pos_w = weights * (labels[:, None] == labels[None, :]) / (Mc[..., labels] - 1.0)[..., :, None]
    logw = np.log(np.where(weights > 0, weights, 1.0)) + np.where(weights > 0, 0.0, -np.inf)
    _, soft = _lse(Q, np.broadcast_to(logw, Q.shape), axis=-1)
    c = np.broadcast_to(m / total[..., None], Q.shape[:-1])
    G = c[..., :, None] * (soft - pos_w)
    return soft, c, G


def _outer(A: Array, Bm: Array) -> Array:
    """Per batch entry, the Gram A B^T of two stacks of rows (..., a, d), (..., b, d)."""
    return A @ np.swapaxes(Bm, -1, -2)


def _quadratic(J: Array, s: Array, V: Array, c: Array) -> Array:
    """J^T diag(s) J - V^T diag(c) V: the log-sum-exp terms' Hessian pulled back by J, as one
    product [J; V]^T diag(s, -c) [J; V] (one result array: the batch's arrays are large enough
    that every extra one costs its memory's page faults)."""
    JV = np.concatenate([J, V], axis=-2)
    w = np.concatenate([s, -c], axis=-1)
    return np.swapaxes(JV * w[..., None], -1, -2) @ JV


def hessian_in_bases(
    loss: str, W: Array | None, H: Array, labels: Array, m: Array, tau: float, B: Array
) -> tuple[Array, Array]:
    """The Euclidean Hessian of the loss at the rows X = [W; H] (..., rows, d) as a bilinear form
    on the per-row directions B (..., rows, k, d): (..., rows k, rows k), coordinates ordered row
    by row (row r, direction i at r k + i); and the Euclidean gradient (..., rows, d)."""
    labels = np.asarray(labels)
    m = np.asarray(m, dtype=float)
    tau = float(tau)
    k, d = B.shape[-2:]
    lead = B.shape[:-3]
    if W is None:  # SupCon: features only, logits Q = H H^T / tau
        soft, c, G = _supcon_terms(H, labels, m, tau)
        M = H.shape[-2]
        C = B @ np.swapaxes(H, -1, -2)[..., None, :, :] / tau  # (..., M, k, M): b_jl . h_a / tau
        # dQ_ia along feature j's l-th direction: [i = j] C[j, l, a] + [a = j] C[j, l, i]
        J = np.swapaxes(C, -2, -1)[..., :, :, None, :] * np.eye(M)[:, None, :, None]
        J = J + np.swapaxes(J, -4, -3)  # (..., i, a, j, l)
        J = J.reshape(*lead, M, M, M * k)
        V = (soft[..., :, None, :] @ J)[..., 0, :]  # (..., M, D): u_i^T J, one per anchor
        c = np.broadcast_to(c, (*lead, M))
        s = (c[..., :, None] * soft).reshape(*lead, M * M)
        Hb = _quadratic(J.reshape(*lead, M * M, M * k), s, V, c)
        # the curvature of Q: (G_jj' + G_j'j) b_jl . b_j'l' / tau
        Gs = (G + np.swapaxes(G, -1, -2)) / tau
        Bf = B.reshape(*lead, M * k, d)
        Hb = Hb + (_outer(Bf, Bf).reshape(*lead, M, k, M, k) * Gs[..., :, None, :, None]).reshape(
            Hb.shape
        )
        return Hb, Gs @ H
    K, M = W.shape[-2], H.shape[-2]
    U, c, G = logit_terms(loss, W, H, labels, m, tau)
    T = U.shape[-3]
    BW, BH = B[..., :K, :, :], B[..., K:, :, :]
    Cw = BW @ np.swapaxes(H, -1, -2)[..., None, :, :] / tau  # (..., K, k, M): b_ki . h_j / tau
    Ch = BH @ np.swapaxes(W, -1, -2)[..., None, :, :] / tau  # (..., M, k, K): b_ji . w_k / tau
    # J[(k, j), (row, i)]: dP_kj along prototype k's i-th direction, then feature j's
    JW = np.swapaxes(Cw, -2, -1)[..., :, :, None, :] * np.eye(K)[:, None, :, None]
    JH = np.moveaxis(Ch, -1, -3)[..., :, :, None, :] * np.eye(M)[None, :, :, None]
    J = np.concatenate([JW.reshape(*lead, K, M, K * k), JH.reshape(*lead, K, M, M * k)], -1)
    J = J.reshape(*lead, K * M, (K + M) * k)
    Uf = U.reshape(*lead, T, K * M)
    c = np.broadcast_to(c, (*lead, T))
    s = (c[..., None, :] @ Uf)[..., 0, :]  # sum_t c_t u_t, (..., K M)
    Hb = _quadratic(J, s, Uf @ J, c)
    # the bilinear logits: G_kj b_ki . b_jl / tau between prototype k and feature j
    cross = _outer(BW.reshape(*lead, K * k, d), BH.reshape(*lead, M * k, d))
    cross = (cross.reshape(*lead, K, k, M, k) * G[..., :, None, :, None] / tau).reshape(
        *lead, K * k, M * k
    )
    Hb[..., : K * k, K * k :] += cross
    Hb[..., K * k :, : K * k] += np.swapaxes(cross, -1, -2)
    grad = np.concatenate([G @ H / tau, np.swapaxes(G, -1, -2) @ W / tau], axis=-2)
    return Hb, grad


def tangent_hessian(
    loss: str, W: Array | None, H: Array, labels: Array, m: Array, tau: float, B: Array
) -> Array:
    """The Riemannian Hessian on the product of spheres at the unit rows X = [W; H], in the
    orthonormal tangent bases B (..., rows, d - 1, d): the Euclidean Hessian on the bases minus,
    row by row, x_r^T grad_r f (the curvature of the sphere), (..., D, D), D = rows (d - 1)."""
    Hb, grad = hessian_in_bases(loss, W, H, labels, m, tau, B)
    X = H if W is None else np.concatenate([W, H], axis=-2)
    radial = np.repeat(np.sum(grad * X, axis=-1), B.shape[-2], axis=-1)  # (..., D)
    diagonal = np.arange(Hb.shape[-1])
    Hb[..., diagonal, diagonal] -= radial
    return Hb
