r"""The NC measures of seed 003, and "percent of NC" scores (the abstract's "NC >= 95%").

The paper's text beyond its abstract and introduction was not available to us, so the measures
follow its code (pakoromilas/nc_by_design, ``util.py`` at commit 4ee8435, as called from
``main_ce.py`` l. 1977-1981), and the percent scores are *our* normalisation, each 100% exactly at
NC and 0% at the worst value the measure can take on the sphere:

=================  ==================================================  =========  ==================
measure            definition (unit rows)                              at NC      percent of NC
=================  ==================================================  =========  ==================
w_inst_alignment   mean_i ||w_{y_i} - h_i||^2 (``util.py`` l. 150-155)  0          100 (1 - v / 4)
w_class_alignment  mean_k ||w_k - mu_k/||mu_k|| ||^2 (l. 45-60)         0          100 (1 - v / 4)
w_erank            effective rank of cov(w_k) (l. 45-60, l. 174-182)    K - 1      100 v / (K - 1)
er_inter           effective rank of cov(mu_k - mu_G) (l. 11-42)        K - 1      100 v / (K - 1)
variability        tr Sigma_W / tr Sigma_T (our stand-in for er_intra)  0          100 (1 - v)
=================  ==================================================  =========  ==================

The effective rank is :math:`\exp(-\sum_i p_i\log p_i)`, :math:`p = \sigma/\|\sigma\|_1` over the
singular values (Roy & Vetterli 2007), as in ``util.py`` l. 174-182 without its rescaling loop
and its ``+ eps`` (which make it undefined at exact collapse). ``er_intra`` (the mean effective rank
of the within-class covariances) is replaced by the within/total scatter ratio because at
exact collapse those covariances are 0 and their effective rank is undefined.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument

__all__ = ["effective_rank", "nc_metrics", "percent_of_nc"]


def effective_rank(C: np.ndarray, floor: float = 1e-12) -> float:
    """exp(entropy) of the normalised singular values; values below ``floor * max`` count as 0."""
    s = np.linalg.svd(np.asarray(C, dtype=float), compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0.0
    s = s[s > floor * s[0]]
    p = s / s.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


def _cov(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / max(1, len(X) - 1)


def nc_metrics(W: np.ndarray | None, H: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The raw measures of the table; W may be None (SupCon: the prototype measures are skipped)."""
    H = np.asarray(H, dtype=float)
    labels = np.asarray(labels)
    K = int(labels.max()) + 1
    if len(labels) != len(H):
        raise InvalidArgument("labels", f"{len(labels)} labels", f"need one per feature ({len(H)})")
    mu = np.stack([H[labels == k].mean(axis=0) for k in range(K)])
    total = float(np.sum((H - H.mean(axis=0)) ** 2))
    within = float(np.sum((H - mu[labels]) ** 2))
    out = {
        "er_inter": effective_rank(_cov(mu)),
        "variability": within / total if total > 0 else 0.0,
    }
    if W is not None:
        W = np.asarray(W, dtype=float)
        unit_mu = mu / np.linalg.norm(mu, axis=1, keepdims=True)
        out["w_inst_alignment"] = float(np.mean(np.sum((W[labels] - H) ** 2, axis=1)))
        out["w_class_alignment"] = float(np.mean(np.sum((W - unit_mu) ** 2, axis=1)))
        out["w_erank"] = effective_rank(_cov(W))
    return out


def percent_of_nc(metrics: dict[str, float], K: int) -> dict[str, float]:
    """Each measure as a percentage of its NC value (100 at NC), per the table above."""
    score = {
        "w_inst_alignment": lambda v: 100 * (1 - v / 4),
        "w_class_alignment": lambda v: 100 * (1 - v / 4),
        "w_erank": lambda v: 100 * v / (K - 1),
        "er_inter": lambda v: 100 * v / (K - 1),
        "variability": lambda v: 100 * (1 - v),
    }
    return {k: float(score[k](v)) for k, v in metrics.items()}
