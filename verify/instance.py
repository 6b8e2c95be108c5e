r"""Problem instances of the unconstrained features model (UFM), with MSE loss by default.

.. math::

    f(W, H, b) = \frac{1}{2N}\|WH + b 1_N^\top - Y\|_F^2 + \frac{\lambda_W}{2}\|W\|_F^2
               + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|_2^2,
    \qquad Y = \bar Y C.

An :class:`Instance` is immutable and validated where it is built; it knows which of the
paper's hypotheses it satisfies, so a claim can state them and a hunt can relax them. It
carries its loss (:mod:`verify.losses`): MSE as above, or any convex per-sample loss l with
:math:`\frac1N\sum_i l(Wh_i + b, y_i)` in place of the first term (``loss="ce"``:
cross-entropy on the soft targets of a column-stochastic encoding).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidArgument, TooLarge, nonfinite_summary
from .losses import Loss, get_loss
from .tolerances import DEFAULT, Tolerances

__all__ = [
    "ENTRY_LIMIT",
    "LAMBDA_RANGE",
    "Instance",
    "available_memory",
    "class_assignment",
    "format_bytes",
    "require_memory",
    "solve_bytes",
]

# lambda_W and lambda_H must lie in this range: within it mu = sqrt(lambda_W lambda_H) and the
# factor scale s = (lambda_H/lambda_W)^(1/4) (W ~ s, H ~ 1/s) stay far from float64's over- and
# underflow (1e-308 .. 1e308), and so do lambda N ||W|| and the squares the certificate forms.
# Outside it, lambda_W = 1e-320 made s infinite (NaN in W), 1e308 made lambda_W N infinite (NaN
# residuals) and 1e-300 for both made mu = 0 (a division by zero).
LAMBDA_RANGE = (1e-100, 1e100)
# encoding entries must have magnitude at most this, so that Y Y^T (squares times N) stays finite
ENTRY_LIMIT = 1e100


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units, e.g. ``"74.5 GiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup (v2) memory limit, if it has one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit == "max":
            return None
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        return max(int(limit) - used, 0)
    except (OSError, ValueError):
        return None


def available_memory() -> int | None:
    """Bytes this process can still allocate without swapping: ``MemAvailable`` of
    /proc/meminfo (else the available pages of ``os.sysconf``), lowered to what is left under a
    cgroup memory limit; ``None`` when the system does not say."""
    found: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        pass
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, AttributeError):
            found = None
    room = _cgroup_room()
    if room is not None:
        found = room if found is None else min(found, room)
    return found


def require_memory(needed: float, what: str) -> None:
    """Raise :class:`~verify.errors.TooLarge` when ``needed`` bytes exceed the available memory,
    before anything is allocated; ``what`` names the arguments that set the size."""
    have = available_memory()
    if have is not None and needed > have:
        raise TooLarge(
            f"{what}: needs about {format_bytes(needed)} of memory, but this machine has "
            f"{format_bytes(have)} available; make the problem smaller"
        )


def solve_bytes(K: int, N: int, d: int, *, metrics: bool = False, json: bool = False) -> int:
    """Peak memory of solving and certifying a (K, N, d) instance, roughly, in bytes.

    The encoding (K x K), the targets Y (K x N) and the features H (d x N) in float64; the
    engines' and certificate's passes work on blocks of about 8 MiB. ``metrics`` adds the NC
    metrics' copies of H (four d x N arrays), ``json`` the JSON text of H (about 60 bytes an
    entry as Python floats and text).
    """
    total = 8 * (K * K + K * N + d * N) + 64 * 2**20
    if metrics:
        total += 4 * 8 * d * N
    if json:
        total += 60 * d * N
    return int(total)


def class_assignment(counts: tuple[int, ...]) -> np.ndarray:
    r"""The class assignment matrix :math:`C = [e_1 1_{n_1}^\top \cdots e_K 1_{n_K}^\top]`, (K, N)."""
    labels = np.repeat(np.arange(len(counts)), counts)
    C = np.zeros((len(counts), labels.size))
    C[labels, np.arange(labels.size)] = 1.0
    return C


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _positive(
    name: str, value: object, *, allow_zero: bool = False, allow_inf: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidArgument(name, value, "must be a real number")
    x = float(value)
    if math.isnan(x):
        raise InvalidArgument(name, value, "must not be NaN")
    if math.isinf(x) and not (allow_inf and x > 0):
        rule = "must be finite" if not allow_inf else "may be +inf but not -inf"
        raise InvalidArgument(name, value, rule)
    if x < 0 or (x == 0 and not allow_zero):
        rule = "must be >= 0" if allow_zero else "must be > 0"
        raise InvalidArgument(name, value, rule)
    return x


def _in_range(name: str, x: float) -> float:
    low, high = LAMBDA_RANGE
    if not low <= x <= high:
        raise InvalidArgument(
            name,
            x,
            f"must lie in [{low:.0e}, {high:.0e}]; beyond it sqrt(lambda_W lambda_H), "
            "(lambda_H/lambda_W)^(1/4) (the scale of W and H) or lambda N ||W|| over- or "
            "underflow float64",
        )
    return x


@dataclass(frozen=True, eq=False)
class Instance:
    """A UFM instance: encoding (K, K), class counts n_1..n_K, feature dimension d >= K,
    and the regularisation lambda_W, lambda_H in ``LAMBDA_RANGE`` = [1e-100, 1e100] and
    lambda_b in [0, inf].

    ``lambda_b = inf`` is the bias-free UFM (b = 0); ``lambda_b = 0`` an unregularised bias.
    ``loss`` is a :class:`~verify.losses.Loss` or its name (``"mse"``, the default, or ``"ce"``).
    """

    encoding: np.ndarray
    counts: tuple[int, ...]
    d: int = None  # type: ignore[assignment]  # None means K; __post_init__ stores an int
    lambda_W: float = 1e-3
    lambda_H: float = 1e-3
    lambda_b: float = 0.0
    loss: Loss = "mse"  # type: ignore[assignment]  # a name is resolved by __post_init__

    if TYPE_CHECKING:  # the constructor takes a loss or its name; the attribute is a Loss

        def __init__(
            self,
            encoding: Any,
            counts: Any,
            d: int | None = None,
            lambda_W: float = 1e-3,
            lambda_H: float = 1e-3,
            lambda_b: float = 0.0,
            loss: Loss | str = "mse",
        ) -> None: ...

    def __post_init__(self) -> None:
        enc = self.encoding
        if isinstance(enc, np.ndarray | list | tuple):
            enc = np.array(enc)
        else:
            raise InvalidArgument("encoding", enc, "must be a K x K real matrix")
        if enc.dtype == object or not (
            np.issubdtype(enc.dtype, np.number) and not np.iscomplexobj(enc)
        ):
            raise InvalidArgument("encoding", enc, "must be a K x K real matrix")
        if enc.ndim != 2 or enc.shape[0] != enc.shape[1]:
            raise InvalidArgument("encoding", enc.shape, "must be square, K x K")
        K = enc.shape[0]
        if K < 2:
            raise InvalidArgument("encoding", enc.shape, "needs K >= 2 classes")
        enc = enc.astype(np.float64)
        if not np.all(np.isfinite(enc)):
            raise InvalidArgument(
                "encoding", enc, f"entries must be finite: {nonfinite_summary(enc)}"
            )
        big = np.abs(enc) > ENTRY_LIMIT
        if np.any(big):
            first = np.unravel_index(int(np.argmax(big)), enc.shape)
            raise InvalidArgument(
                "encoding",
                enc,
                f"entries must have magnitude <= {ENTRY_LIMIT:.0e} so that Y Y^T stays finite in "
                f"float64: {int(big.sum())} larger, first at [{first[0]}, {first[1]}] "
                f"({enc[first].item()!r})",
            )
        enc.setflags(write=False)
        object.__setattr__(self, "encoding", enc)

        counts = self.counts
        if isinstance(counts, int | np.integer) or not hasattr(counts, "__len__"):
            raise InvalidArgument("counts", counts, "must be a sequence of K positive integers")
        if len(counts) != K:
            raise InvalidArgument("counts", counts, f"must have K={K} entries, one per class")
        clean = []
        for n in counts:
            if isinstance(n, bool) or not (
                isinstance(n, int | np.integer) or (isinstance(n, float) and n.is_integer())
            ):
                raise InvalidArgument("counts", tuple(counts), "entries must be integers")
            if n <= 0:
                raise InvalidArgument(
                    "counts", tuple(counts), "every class needs at least one sample"
                )
            clean.append(int(n))
        object.__setattr__(self, "counts", tuple(clean))

        d = K if self.d is None else self.d
        if isinstance(d, bool) or not isinstance(d, int | np.integer):
            raise InvalidArgument("d", d, "must be an integer")
        if d < K:
            raise InvalidArgument("d", d, f"the feature dimension must satisfy d >= K = {K}")
        object.__setattr__(self, "d", int(d))
        for name in ("lambda_W", "lambda_H"):
            object.__setattr__(self, name, _in_range(name, _positive(name, getattr(self, name))))
        object.__setattr__(
            self, "lambda_b", _positive("lambda_b", self.lambda_b, allow_zero=True, allow_inf=True)
        )
        loss = get_loss(self.loss)
        loss.validate(enc, self.lambda_b)
        object.__setattr__(self, "loss", loss)

    # --- sizes and data -------------------------------------------------------------
    @property
    def K(self) -> int:
        return int(self.encoding.shape[0])

    @property
    def N(self) -> int:
        return int(sum(self.counts))

    @cached_property
    def labels(self) -> np.ndarray:
        """Class index of every sample, (N,), samples ordered by class (read-only)."""
        return _read_only(np.repeat(np.arange(self.K), self.counts))

    @property
    def C(self) -> np.ndarray:
        """Class assignment matrix, (K, N); dense, so avoid it for large N."""
        return class_assignment(self.counts)

    @cached_property
    def Y(self) -> np.ndarray:
        r"""Targets :math:`Y = \bar Y C`, (K, N): column i is the encoding of sample i's class."""
        # column k of the encoding repeated n_k times: the same array as encoding[:, labels],
        # several times faster to build (one contiguous copy per class, no index array)
        return _read_only(np.repeat(self.encoding, self.counts, axis=1))

    def class_means(self, H: np.ndarray) -> np.ndarray:
        r"""Class means :math:`\bar H = [\bar h_1 \cdots \bar h_K]`, (d, K), of features H (d, N)."""
        starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))
        return np.add.reduceat(H, starts, axis=1) / np.asarray(self.counts, dtype=float)

    @property
    def mu(self) -> float:
        r""":math:`\sqrt{\lambda_W \lambda_H}`, the nuclear-norm weight of the convex reformulation."""
        return math.sqrt(self.lambda_W * self.lambda_H)

    @property
    def gamma(self) -> float:
        r""":math:`\gamma = 1/(1+\lambda_b)` of Lemma III.3 (0 for the bias-free UFM)."""
        return 0.0 if math.isinf(self.lambda_b) else 1.0 / (1.0 + self.lambda_b)

    def scales(self) -> dict[str, float]:
        r"""Natural magnitudes of the unknowns, from the data alone (for residual floors).

        With :math:`s = (\lambda_H/\lambda_W)^{1/4}`, :math:`y = \|Y\|_F` and
        :math:`\bar n = N/K`: Z ~ y, b ~ y/sqrt(N), W ~ s sqrt(y), H ~ sqrt(y)/s,
        class means ~ sqrt(y / n̄)/s, and their Grams the squares (balanced minimisers have
        :math:`\|W\|_F^2 = s^2 \|Z\|_*`).
        """
        y = float(np.linalg.norm(self.encoding @ np.sqrt(np.diag(self.counts))))
        s = (self.lambda_H / self.lambda_W) ** 0.25
        nbar = self.N / self.K
        return {
            "Z": y,
            "b": y / math.sqrt(self.N),
            "W": s * math.sqrt(y),
            "H": math.sqrt(y) / s,
            "Hbar": math.sqrt(y / nbar) / s,
            "WtW": s * s * y,
            "HHt": y / (s * s),
            "gram": y / (nbar * s * s),
        }

    # --- hypotheses of the paper ------------------------------------------------------
    @property
    def balanced(self) -> bool:
        return len(set(self.counts)) == 1

    @property
    def n(self) -> int | None:
        """The common class size when balanced, else None."""
        return self.counts[0] if self.balanced else None

    @property
    def c(self) -> float | None:
        r""":math:`c = K\sqrt{n\lambda_W\lambda_H}` (balanced data only, else None)."""
        return (
            None if self.n is None else self.K * math.sqrt(self.n * self.lambda_W * self.lambda_H)
        )

    @property
    def threshold(self) -> float | None:
        """The phase threshold c/(1-c) of Theorem III.1 on lambda_b (inf when c >= 1)."""
        c = self.c
        if c is None:
            return None
        return math.inf if c >= 1 else c / (1 - c)

    def one_hot(self, tol: Tolerances = DEFAULT) -> bool:
        return bool(np.max(np.abs(self.encoding - np.eye(self.K))) <= tol.hypothesis)

    def labels_centred(self, tol: Tolerances = DEFAULT) -> bool:
        """Y 1_N = 0, relative to the size of Y."""
        Y1 = self.encoding @ np.asarray(self.counts, dtype=float)
        scale = np.linalg.norm(self.encoding) * self.N
        return bool(np.linalg.norm(Y1) <= tol.hypothesis * max(scale, np.finfo(float).tiny))

    def ssetf_encoding(self, tol: Tolerances = DEFAULT) -> bool:
        """The encoding is a shifted simplex ETF (Definition III.1), up to ``tol.hypothesis``."""
        from .geometry import ssetf_fit

        return ssetf_fit(self.encoding, tol).residual <= tol.hypothesis

    def hypotheses(self, tol: Tolerances = DEFAULT) -> dict[str, bool]:
        """Which hypotheses of the paper this instance satisfies, by the names claims state and
        ``--relax`` takes (:data:`verify.claims.hypotheses.HYPOTHESES`)."""
        c = self.c
        return {
            "balanced": self.balanced,
            "one_hot": self.one_hot(tol),
            "labels_centred": self.labels_centred(tol),
            "ssetf_encoding": self.ssetf_encoding(tol),
            "c_below_1": c is not None and c < 1,
            "lambda_b_zero": self.lambda_b == 0,
            "lambda_b_inf": math.isinf(self.lambda_b),
        }

    def phase(self) -> str | None:
        """For one-hot balanced data, where lambda_b sits relative to Theorem III.1's threshold."""
        if not (self.balanced and self.one_hot()):
            return None
        c = self.c
        assert c is not None
        if c >= 1:
            return "zero minimiser (c >= 1)"
        t = c / (1 - c)
        if math.isclose(self.lambda_b, t, rel_tol=1e-12):
            return "at the threshold lambda_b = c/(1-c)"
        return (
            "simplex ETF (lambda_b < c/(1-c))"
            if self.lambda_b < t
            else "shifted ETF (lambda_b > c/(1-c))"
        )

    # --- derived instances and serialisation --------------------------------------------
    def replace(self, **changes: Any) -> Instance:
        fields = self.to_fields()
        fields.update(changes)
        return Instance(**fields)

    def to_fields(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "counts": self.counts,
            "d": self.d,
            "lambda_W": self.lambda_W,
            "lambda_H": self.lambda_H,
            "lambda_b": self.lambda_b,
            "loss": self.loss,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; lambda_b = inf is written as the string "inf", and the loss by name
        unless it is MSE (so the JSON of every MSE instance is what it was before losses)."""
        data = {
            "K": self.K,
            "encoding": self.encoding.tolist(),
            "counts": list(self.counts),
            "d": self.d,
            "lambda_W": self.lambda_W,
            "lambda_H": self.lambda_H,
            "lambda_b": "inf" if math.isinf(self.lambda_b) else self.lambda_b,
        }
        if self.loss.name != "mse":
            data["loss"] = self.loss.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instance:
        lb, d = data["lambda_b"], data.get("d")
        return cls(
            encoding=np.asarray(data["encoding"], dtype=float),
            counts=tuple(data["counts"]),
            d=len(data["counts"]) if d is None else d,  # not `or`: d = 0 must be rejected
            lambda_W=float(data["lambda_W"]),
            lambda_H=float(data["lambda_H"]),
            lambda_b=math.inf if lb == "inf" else float(lb),
            loss=data.get("loss", "mse"),
        )

    def describe(self) -> str:
        """One readable line: K, counts, d, lambdas, and the named hypotheses that hold."""
        return self._description

    @cached_property
    def _description(self) -> str:
        # computed once (the instance is frozen): a hunt orders and compares thousands of cases
        # by their descriptions, and the hypotheses that hold take an SSETF fit to say
        held = [k for k, v in self.hypotheses().items() if v]
        lb = "inf" if math.isinf(self.lambda_b) else f"{self.lambda_b:.6g}"
        counts = f"n={self.n} each" if self.balanced else f"counts={list(self.counts)}"
        loss = "" if self.loss.name == "mse" else f", loss={self.loss.name}"
        return (
            f"K={self.K}, {counts}, d={self.d}, lambda_W={self.lambda_W:.6g}, "
            f"lambda_H={self.lambda_H:.6g}, lambda_b={lb}{loss}; "
            f"hypotheses: {', '.join(held) or 'none'}"
        )
