"""Hypothesis strategies that build valid UFM instances, regime by regime, and their corners.

A case is built from a few parameters (:class:`Params`: K, counts, an encoding kind and its
scalars, integer seeds, c, a regularisation ratio and lambda_b) by one function,
:func:`build`, which the strategies, the deterministic corners and the hunt's optimiser all use,
so shrinking ends at a small, readable instance. :func:`cases` builds instances that satisfy
any chosen set of the named hypotheses of :mod:`verify.claims.hypotheses` (leaving a name out
relaxes it) and draws every regime of :mod:`verify.regimes` the hypotheses allow on purpose:
first the regime (which side of which level c sits on, which branch of lambda_b), then a
distance from its boundary, log-uniform from 1e-4 to 1 half the time, so a claim false only in
a thin band beside a threshold is met. :func:`corners` are the deterministic cases a search runs
first: one per regime, plus both sides of each boundary at 2% and 30%.
"""

from __future__ import annotations

import functools
import itertools
import math
import weakref
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import encodings as enc
from . import regimes
from .case import Case
from .errors import VerifyError
from .geometry import helmert_basis, ssetf_fit
from .instance import Instance
from .tolerances import DEFAULT

__all__ = [
    "CE_KINDS",
    "ENCODING_KINDS",
    "SCALARS",
    "SSETF_KINDS",
    "Case",
    "Params",
    "build",
    "cases",
    "class_counts",
    "corners",
    "encodings",
    "haar_orthogonal",
    "orthogonal_matrices",
    "params_of",
    "sample",
]

# simplest first: Hypothesis shrinks sampled_from towards the front
SSETF_KINDS = ("one_hot", "smooth", "ssetf", "rotated_one_hot")
ENCODING_KINDS = (*SSETF_KINDS, "shifted_frame", "gaussian", "low_rank", "u_ssetf")
# column-stochastic encodings (soft targets), drawn for claims with the hypothesis cross_entropy:
# rotated_smooth is J + a Q(I - J) with Q orthogonal, Q1 = 1 (an SSETF, a permutation only by
# chance), stochastic a random soft target (softmax of Gaussian columns, not an SSETF)
CE_KINDS = ("one_hot", "smooth", "rotated_smooth", "stochastic")

# continuous encoding scalars of each kind
SCALARS: dict[str, tuple[str, ...]] = {
    "smooth": ("delta",),
    "ssetf": ("alpha", "beta"),
    "shifted_frame": ("shift",),
    "u_ssetf": ("alpha", "beta"),
    "rotated_smooth": ("delta",),
}

# levels below this fraction of the largest are not aimed at: c ~ 1e-7 makes the objective so
# small that the duality gap is rounding-limited near 1e-9 relative, above the gap tolerance
_SMALLEST_AIMED_LEVEL = 1e-2


def haar_orthogonal(K: int, seed: int) -> np.ndarray:
    """A Haar-random K x K orthogonal matrix from ``seed`` (QR with the sign fix)."""
    A = np.random.default_rng(seed).standard_normal((K, K))
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))


@dataclass(frozen=True)
class Params:
    """Everything a case is built from; ``encoding`` is set only when ``kind`` cannot rebuild it."""

    kind: str
    K: int
    counts: tuple[int, ...]
    d_extra: int
    c: float
    ratio: float
    lambda_b: float
    lambda_b_mode: str = "log"
    scalars: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    rank: int = 0
    centred: bool = False
    encoding: np.ndarray | None = None
    Q: np.ndarray | None = None
    loss: str = "mse"

    def with_(self, **changes: Any) -> Params:
        return replace(self, **changes)


def encoding_of(p: Params) -> np.ndarray:
    """The encoding Ybar (K, K) that ``p`` describes (centred by the counts when asked)."""
    K, kind, s = p.K, p.kind, p.scalars
    if p.encoding is not None:
        Ybar = p.encoding
    elif kind == "one_hot":
        Ybar = enc.one_hot(K)
    elif kind == "smooth":
        Ybar = enc.label_smoothing(K, s["delta"])
    elif kind == "ssetf":
        Ybar = enc.ssetf(K, s["alpha"], s["beta"], haar_orthogonal(K, p.seed))
    elif kind == "rotated_one_hot":
        Ybar = haar_orthogonal(K, p.seed)
    elif kind == "shifted_frame":
        # a simplex ETF shifted by s v 1^T: an SSETF only when v is parallel to P 1
        P = haar_orthogonal(K, p.seed)
        v = np.random.default_rng(p.seed + 1).standard_normal(K)
        Ybar = P @ (np.eye(K) - np.ones((K, K)) / K) + s["shift"] * np.outer(
            v / np.linalg.norm(v), np.ones(K)
        )
    elif kind == "gaussian":
        Ybar = enc.random_encoding(K, p.seed)
    elif kind == "low_rank":
        rng = np.random.default_rng(p.seed)
        r = max(1, min(p.rank, K - 1))
        Ybar = rng.standard_normal((K, r)) @ rng.standard_normal((r, K))
    elif kind == "rotated_smooth":
        Ybar = _rotated_smooth(K, s["delta"], p.seed)
    elif kind == "stochastic":
        G = np.exp(2.0 * np.random.default_rng(p.seed).standard_normal((K, K)))
        Ybar = G / G.sum(axis=0)
    elif kind == "u_ssetf":
        # Ybar D^{1/2} / sqrt(nbar) = alpha P (I - beta u u^T), u = D^{1/2} 1 / sqrt(N): an SSETF
        # with respect to the counts (with balanced counts, an SSETF)
        n = np.asarray(p.counts, dtype=float)
        u = regimes.weights(n)
        frame = s["alpha"] * haar_orthogonal(K, p.seed) @ (np.eye(K) - s["beta"] * np.outer(u, u))
        Ybar = frame * np.sqrt(n.mean() / n)  # undoes regimes.weighted_encoding
    else:
        raise KeyError(kind)
    if p.centred and p.encoding is None:
        n = np.asarray(p.counts, dtype=float)
        Ybar = Ybar - np.outer(Ybar @ n / n.sum(), np.ones(K))
    return np.asarray(Ybar, dtype=np.float64)


def _rotated_smooth(K: int, delta: float, seed: int) -> np.ndarray:
    """J + a Q(I - J), Q a Haar rotation of 1^perp (Q1 = 1), a = (1 - delta) times the largest
    scale that keeps every entry >= 0: a column-stochastic SSETF."""
    J = np.ones((K, K)) / K
    u = np.ones(K) / math.sqrt(K)
    B = helmert_basis(K)
    Q = np.outer(u, u) + B @ haar_orthogonal(K - 1, seed) @ B.T if K > 2 else np.eye(K)
    M = Q @ (np.eye(K) - J)
    low = -float(M.min())
    a = (1 - delta) * (1 / K) / low if low > 0 else 1 - delta
    return J + a * M


def _drawn(p: Params) -> dict[str, Any]:
    """The ``drawn`` record of a case: how it was built, in the strategy's vocabulary."""
    drawn: dict[str, Any] = {"encoding": p.kind}
    if p.encoding is None:
        drawn.update(p.scalars)
        if p.kind == "low_rank":
            drawn["rank"] = max(1, min(p.rank, p.K - 1))
        if p.seed:
            drawn["seed"] = p.seed
        if p.centred:
            drawn["centred"] = True
    drawn["c"] = p.c
    drawn["lambda_b"] = p.lambda_b_mode
    return drawn


def build(p: Params) -> Case | None:
    """The case with parameters ``p``, or None when they make no valid instance."""
    try:
        Ybar = encoding_of(p)
        nbar = sum(p.counts) / p.K
        mu = p.c / (p.K * math.sqrt(nbar))
        loss: dict[str, Any] = {} if p.loss == "mse" else {"loss": p.loss}  # MSE: as it always was
        instance = Instance(
            Ybar, p.counts, p.K + p.d_extra, mu * p.ratio, mu / p.ratio, p.lambda_b, **loss
        )
    except (VerifyError, KeyError, ValueError, ZeroDivisionError, np.linalg.LinAlgError):
        return None
    Q = p.Q
    if Q is not None and Q.shape != (p.K, p.K):
        Q = haar_orthogonal(p.K, 0)
    return Case(instance, Q, _drawn(p))


def _mode(lambda_b: float, drawn_mode: Any) -> str:
    if lambda_b == 0:
        return "zero"
    if math.isinf(lambda_b):
        return "inf"
    return str(drawn_mode) if isinstance(drawn_mode, str) else "log"


# params_of rebuilds the encoding to compare it with the case's: a hunt's summaries and orders
# ask for the same cases' parameters many times (15951 calls, 1.8 s of a 2000-case hunt), so
# they are kept for as long as the case lives (Case is frozen and compared by identity)
_PARAMS: weakref.WeakKeyDictionary[Case, Params] = weakref.WeakKeyDictionary()


def params_of(case: Case) -> Params:
    """The parameters of ``case``; the encoding is kept fixed when its kind cannot rebuild it."""
    known = _PARAMS.get(case)
    if known is None:
        known = _PARAMS[case] = _params_of(case)
    return known


def _params_of(case: Case) -> Params:
    inst, drawn = case.instance, case.drawn
    p = Params(
        kind=str(drawn.get("encoding", "fixed")),
        K=inst.K,
        counts=inst.counts,
        d_extra=inst.d - inst.K,
        c=regimes.coupling(inst),
        ratio=math.sqrt(inst.lambda_W / inst.lambda_H),
        lambda_b=inst.lambda_b,
        lambda_b_mode=_mode(inst.lambda_b, drawn.get("lambda_b")),
        scalars={k: float(drawn[k]) for k in SCALARS.get(str(drawn.get("encoding")), ())},
        seed=int(drawn.get("seed", 0)),
        rank=int(drawn.get("rank", 0)),
        centred=bool(drawn.get("centred", False)),
        Q=case.Q,
        loss=getattr(getattr(inst, "loss", None), "name", "mse"),
    )
    try:
        same = np.allclose(encoding_of(p), inst.encoding, rtol=1e-12, atol=1e-12)
    except (VerifyError, KeyError, ValueError):
        same = False
    if not same:
        p = p.with_(kind="fixed", encoding=inst.encoding, scalars={}, seed=0, rank=0)
    return p


# Strategy objects are built once per distinct argument and then reused (functools.cache): a
# Hypothesis strategy is validated, and its properties (emptiness, labels, ...) computed, the
# first time each *object* is drawn from, and building them anew for every case cost more than
# drawing from them (about 60% of a cross-entropy hunt's time per case). A cached strategy is
# the same strategy, so the same seed draws the same cases (tests/test_hunt.py checks a
# fingerprint of the draws).


@functools.cache
def _sampled(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """``st.sampled_from(options)``, one object per distinct tuple of options."""
    return st.sampled_from(options)


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high)


@functools.cache
def orthogonal_matrices(K: int) -> st.SearchStrategy[np.ndarray]:
    """Haar-random orthogonal K x K matrices, shrinking through their integer seed."""
    return st.integers(0, 2**16).map(lambda seed: haar_orthogonal(K, seed))


@functools.cache
def _encoding_params(kind: str, K: int) -> st.SearchStrategy[dict[str, Any]]:
    return _encoding_params_of(kind, K)


@st.composite
def _encoding_params_of(draw: st.DrawFn, kind: str, K: int) -> dict[str, Any]:
    """The scalars, seed and rank of an encoding of ``kind``."""
    out: dict[str, Any] = {"scalars": {}, "seed": 0, "rank": 0}
    if kind not in ("one_hot", "smooth"):
        out["seed"] = draw(_integers(0, 2**16))
    if kind in ("smooth", "rotated_smooth"):
        out["scalars"] = {"delta": draw(_floats(0.01, 0.99))}
    elif kind in ("ssetf", "u_ssetf"):
        out["scalars"] = {"alpha": draw(_floats(0.1, 3.0)), "beta": draw(_floats(-3.0, 3.0))}
    elif kind == "shifted_frame":
        out["scalars"] = {"shift": draw(_floats(0.0, 2.0))}
    elif kind == "low_rank":
        out["rank"] = draw(_integers(1, K - 1))
    return out


@st.composite
def encodings(
    draw: st.DrawFn, K: int, kinds: tuple[str, ...] = ENCODING_KINDS
) -> tuple[np.ndarray, dict[str, Any]]:
    """An encoding of one of ``kinds`` and the parameters it was drawn from."""
    kind = draw(_sampled(tuple(kinds)))
    e = draw(_encoding_params(kind, K))
    p = Params(kind, K, (1,) * K, 0, 1.0, 1.0, 0.0, **e)
    info = {k: v for k, v in _drawn(p).items() if k not in ("c", "lambda_b")}
    return encoding_of(p), info


@functools.cache
def class_counts(
    K: int, balanced: bool | None = None, max_ratio: int = 100
) -> st.SearchStrategy[tuple[int, ...]]:
    """Class counts n_1..n_K: balanced (n each), imbalanced (up to ``max_ratio``), or either."""
    equal = st.integers(1, 12).map(lambda n: (n,) * K)
    unequal = st.lists(st.integers(1, max_ratio), min_size=K, max_size=K).map(tuple)
    if balanced is None:
        return st.one_of(equal, unequal)
    return equal if balanced else unequal


@functools.cache
def _counts_in(K: int, regime: str) -> st.SearchStrategy[tuple[int, ...]]:
    return _counts_in_of(K, regime, _lists(K))


@functools.cache
def _lists(K: int) -> tuple[st.SearchStrategy[tuple[int, ...]], st.SearchStrategy[list[bool]]]:
    """The imbalanced counts of :func:`_counts_in` and the flags of its extreme ones."""
    return (
        st.lists(st.integers(1, 9), min_size=K, max_size=K).map(tuple),
        st.lists(st.booleans(), min_size=K - 1, max_size=K - 1),
    )


@st.composite
def _counts_in_of(
    draw: st.DrawFn,
    K: int,
    regime: str,
    lists: tuple[st.SearchStrategy[tuple[int, ...]], st.SearchStrategy[list[bool]]],
) -> tuple[int, ...]:
    if regime == "balanced":
        return draw(class_counts(K, True))
    if regime == "imbalanced":
        return draw(lists[0])
    # extreme: some classes at least EXTREME_RATIO times larger than the smallest
    small = draw(_integers(1, 3))
    factor = draw(_integers(int(regimes.EXTREME_RATIO), 60))
    large = draw(lists[1])
    return (small, *(small * factor if big else small for big in large))


@functools.cache
def _distance() -> st.SearchStrategy[float]:
    """A relative distance from a boundary: uniform on [0.01, 0.99], or log-uniform near it."""
    return st.one_of(st.floats(0.01, 0.99), st.floats(-4.0, -1.0).map(lambda e: 10.0**e))


@functools.cache
def _factor() -> st.SearchStrategy[float]:
    """lambda_b's factor from its threshold: 1 - a distance, or log-uniform in [1e-4, 1]."""
    return st.one_of(_distance().map(lambda r: 1 - r), st.floats(-4.0, 0.0).map(lambda e: 10.0**e))


def _limit(hypotheses: frozenset[str], Ybar: np.ndarray) -> float:
    """The bound on c that the hypotheses impose (c < 1, c < alpha), inf if none."""
    limit = math.inf
    if "c_below_1" in hypotheses:
        limit = 1.0
    if "c_below_alpha" in hypotheses:
        limit = min(limit, ssetf_fit(Ybar).alpha)
    return limit


def _kinds(hypotheses: frozenset[str]) -> tuple[str, ...]:
    if "cross_entropy" in hypotheses:
        if "one_hot" in hypotheses:
            return ("one_hot",)
        if "label_smoothing" in hypotheses:
            return ("one_hot", "smooth")
        return CE_KINDS[:3] if "ssetf_encoding" in hypotheses else CE_KINDS
    if "u_ssetf_encoding" in hypotheses:
        return ("u_ssetf",)
    if "one_hot" in hypotheses:
        return ("one_hot",)
    if "ssetf_encoding" in hypotheses:
        return SSETF_KINDS
    return ENCODING_KINDS


def _loss(hypotheses: frozenset[str]) -> str:
    """The loss the hypotheses ask for: cross-entropy for ``cross_entropy``, else MSE."""
    return "ce" if "cross_entropy" in hypotheses else "mse"


def _aimed_levels(Ybar: np.ndarray, counts: tuple[int, ...]) -> list[float]:
    ls = regimes.levels(Ybar, counts)
    top = max(ls, default=1.0)
    return [x for x in ls if x > _SMALLEST_AIMED_LEVEL * top] or [1.0]


def _lambda_b(mode: str, t: float, factor: float) -> float:
    """lambda_b in ``mode`` relative to the threshold t (a log-uniform factor when t is inf)."""
    if mode == "zero":
        return 0.0
    if mode == "inf":
        return math.inf
    if not math.isfinite(t):
        return factor  # no finite threshold: any finite lambda_b is below it
    return {"below": t * factor, "at": t, "above": t / factor}[mode]


_LAMBDA_B_MODES = ("zero", "below", "at", "above", "inf")


def _lambda_b_modes(hypotheses: frozenset[str]) -> tuple[str, ...]:
    if "lambda_b_zero" in hypotheses:
        return ("zero",)
    return _LAMBDA_B_MODES[1:] if "lambda_b_positive" in hypotheses else _LAMBDA_B_MODES


@st.composite
def cases(
    draw: st.DrawFn,
    hypotheses: frozenset[str] = frozenset(),
    max_K: int = 5,
    with_Q: bool = False,
) -> Case:
    """Instances satisfying every named hypothesis in ``hypotheses`` (and nothing else forced).

    Each regime the hypotheses allow (:func:`verify.regimes.allowed`) is drawn on purpose: the
    counts (balanced, imbalanced, extreme), c on a chosen side of a chosen singular level at a
    distance from it, and lambda_b at 0, inf, or below or above its threshold at a distance
    (below: a factor in [1e-4, 1); above: its inverse). Exactly *at* a level or a threshold,
    where only the last digits decide, is left to the deterministic :func:`corners`.
    """
    K = draw(_integers(2, max_K))
    kind = draw(_sampled(_kinds(hypotheses)))
    e = draw(_encoding_params(kind, K))
    allowed = regimes.allowed(hypotheses, max_K)
    counts = draw(_counts_in(K, draw(_sampled(tuple(allowed["counts"])))))
    d_extra = draw(_integers(0, 2))
    p = Params(
        kind, K, counts, d_extra, 1.0, 1.0, 0.0, centred="labels_centred" in hypotheses,
        loss=_loss(hypotheses), **e,
    )  # fmt: skip
    Ybar = encoding_of(p)

    limit = _limit(hypotheses, Ybar)
    levels = _aimed_levels(Ybar, counts)
    level = levels[draw(_sampled(tuple(range(len(levels)))))]  # the same choice as sampled_from
    side = draw(_sampled(("below", "above")))
    rho = draw(_distance())
    c = level * (1 - rho if side == "below" else 1 + 1.5 * rho)
    if c >= limit:  # fold into the hypothesis: as close below its bound as we were to the level
        c = limit * (1 - rho)
    ratio = draw(_floats(0.1, 10.0))
    p = p.with_(c=c, ratio=ratio)

    mode = draw(_sampled(tuple(m for m in _lambda_b_modes(hypotheses) if m != "at")))
    factor = draw(_factor())
    probe = build(p)
    if probe is None:  # pragma: no cover - the parameters above always make a valid instance
        raise AssertionError(f"no valid instance from {p}")
    p = p.with_(
        lambda_b=_lambda_b(mode, regimes.threshold(probe.instance), factor), lambda_b_mode=mode
    )
    if with_Q:
        p = p.with_(Q=draw(orthogonal_matrices(K)))
    case = build(p)
    assert case is not None
    return case


# --- deterministic corners -----------------------------------------------------------------

# the scalars a corner tries for each kind, in order (the first that reaches the regime is kept)
_CORNER_SCALARS: dict[str, tuple[dict[str, float], ...]] = {
    "smooth": ({"delta": 0.5},),
    "rotated_smooth": ({"delta": 0.5},),
    "ssetf": ({"alpha": 1.5, "beta": 0.5},),
    "shifted_frame": ({"shift": 0.5},),
    "u_ssetf": ({"alpha": 1.5, "beta": 0.0}, {"alpha": 1.5, "beta": 0.5}),
}

_COUNTS = {
    "balanced": lambda K: (4,) * K,
    "imbalanced": lambda K: tuple(2 + k for k in range(K)),
    "extreme imbalance": lambda K: (1,) + (12,) * (K - 1),
}


def _simplest(x: float) -> float:
    """The fraction with denominator <= 64 within a few ulps of ``x``, else ``x``: a level
    computed as 0.9999999999999998 is aimed at as 1, so a corner can sit *exactly* on it in
    rational arithmetic, where :mod:`verify.claims.exact` can decide the answer."""
    simple = float(Fraction(x).limit_denominator(64))
    return simple if abs(simple - x) <= 8 * np.finfo(float).eps * abs(x) else x


def _corner_c(value: str, ls: list[float], limit: float, near: bool) -> list[float]:
    """c in regime ``value`` of the c axis: a typical value, or 2% from the boundary (``near``)."""
    f = 0.02 if near else 0.5
    if value == "below every level":
        return [min(ls[0], limit) * (1 - f)]
    if value == "at a level":
        return [_simplest(x) for x in ls if x < limit][:1]
    if value == "between levels":
        pairs = [(a, b) for a, b in itertools.pairwise(ls) if a * (1 + f) < limit]
        return [min(a * (1 + f), b * (1 - f)) if near else math.sqrt(a * b) for a, b in pairs[:1]]
    above = ls[-1] * (1 + f)
    return [above] if above < limit else []


#: (mode, factor) of lambda_b for each regime, typical and 2% from the threshold
_LAMBDA_B_CORNERS = {
    "0": (("zero", 1.0), None),
    "inf": (("inf", 1.0), None),
    "at threshold": (("at", 1.0), None),
    "below threshold": (("below", 0.5), ("below", 0.98)),
    "above threshold": (("above", 0.5), ("above", 0.98)),
}


def corners(
    hypotheses: frozenset[str] = frozenset(), max_K: int = 5, with_Q: bool = False
) -> list[Case]:
    """Deterministic cases: every pair (regime of c, regime of lambda_b) and (class of encoding,
    regime of lambda_b) the hypotheses allow, both sides of each boundary 2% away, K = 2, each
    imbalance and d > K.

    The other axes stay at a simple base (K = 3, four samples a class, d = K, c half way to the
    first level, lambda_b half its threshold). For each corner the encoding kinds are tried in
    order until one reaches it; every corner satisfies ``hypotheses``.
    """
    allowed = regimes.allowed(hypotheses, max_K)
    kinds = _kinds(hypotheses)
    base_K = 3 if max_K >= 3 else 2
    base_mode = next(m for m in ("below", "zero", "inf") if m in _lambda_b_modes(hypotheses))

    def reach(
        kind: str,
        K: int = base_K,
        counts: tuple[int, ...] | None = None,
        d_extra: int = 0,
        c: tuple[str, bool] = ("below every level", False),
        lambda_b: tuple[str, float] | None = None,
        encoding: str = "",
    ) -> Case | None:
        counts = counts or _COUNTS[allowed["counts"][0]](K)
        for scalars in _CORNER_SCALARS.get(kind, ({},)):
            p = Params(
                kind,
                K,
                counts,
                d_extra,
                1.0,
                1.0,
                0.0,
                scalars=scalars,
                seed=0 if kind in ("one_hot", "smooth") else 1,
                rank=1,
                centred="labels_centred" in hypotheses,
                Q=haar_orthogonal(K, 1) if with_Q else None,
                loss=_loss(hypotheses),
            )
            case = reach_with(p, c, lambda_b, encoding)
            if case is not None:
                return case
        return None

    def reach_with(
        p: Params, c: tuple[str, bool], lambda_b: tuple[str, float] | None, encoding: str
    ) -> Case | None:
        """The corner with parameters ``p`` in c-regime ``c`` = (regime, near), lambda_b
        ``(mode, factor)`` and, if given, the encoding class; None if ``p`` cannot reach it."""
        Ybar, counts = encoding_of(p), p.counts
        regime, near = c
        values = _corner_c(regime, _aimed_levels(Ybar, counts), _limit(hypotheses, Ybar), near)
        mode, factor = lambda_b or (base_mode, 0.5)
        for value in values:
            at_c = build(p.with_(c=value))
            if at_c is None:
                continue
            t = regimes.threshold(at_c.instance)
            if mode in ("at", "above") and not math.isfinite(t):
                continue
            lb = _lambda_b(mode, t, factor)
            case = build(p.with_(c=value, lambda_b=lb, lambda_b_mode=mode))
            if case is None or not _fits(case, hypotheses):
                continue
            if not encoding or regimes.label(case.instance)["encoding"] == encoding:
                return case
        return None

    out: list[Case] = []

    def first_kind(**changes: Any) -> None:
        # the base counts with every kind first, then the other counts the hypotheses allow
        counts = (
            [None]
            if "counts" in changes
            else [None, *(_COUNTS[v](base_K) for v in allowed["counts"][1:])]
        )
        for n in counts:
            for kind in kinds:
                case = reach(kind, **changes, **({"counts": n} if n else {}))
                if case is not None:
                    out.append(case)
                    return

    for c_value in allowed["c"]:
        for lb_value in allowed["lambda_b"]:
            first_kind(c=(c_value, False), lambda_b=_LAMBDA_B_CORNERS[lb_value][0])
    for kind in allowed["encoding"]:
        for lb_value in allowed["lambda_b"]:
            first_kind(encoding=kind, lambda_b=_LAMBDA_B_CORNERS[lb_value][0])
    for c_value in ("below every level", "above every level"):
        if c_value in allowed["c"]:
            first_kind(c=(c_value, True))
    for lb_value in allowed["lambda_b"]:
        near = _LAMBDA_B_CORNERS[lb_value][1]
        if near is not None:
            first_kind(lambda_b=near)
    if "K = 2" in allowed["K"]:
        first_kind(K=2)
        # exactly on the level: one-hot, K = 2, four samples a class give c = 1 from
        # lambda_W = lambda_H = 1/4, all exact in binary (the boundary exact arithmetic decides)
        if "at a level" in allowed["c"] and "one_hot" in kinds:
            exact = reach("one_hot", K=2, c=("at a level", False))
            if exact is not None:
                out.append(exact)
    for value in allowed["counts"][1:]:
        first_kind(counts=_COUNTS[value](base_K))
    first_kind(d_extra=1)
    return out


def sample(strategy: st.SearchStrategy[Any], count: int, seed: int = 0) -> list[Any]:
    """The first ``count`` examples Hypothesis generates from ``strategy`` with ``seed``, in
    order: the generate phase with a hunt's settings (no database, not derandomised, the pool
    of local constants emptied), so what a seeded search draws first, whatever was imported."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    from .claims.determinism import deterministic_generation

    out: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=False,
        deadline=None,
        phases=[Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(example: Any) -> None:
        out.append(example)

    with deterministic_generation():
        collect()
    return out


def _fits(case: Case, hypotheses: frozenset[str]) -> bool:
    from .claims.hypotheses import unmet

    return not unmet(case.instance, hypotheses, DEFAULT)
