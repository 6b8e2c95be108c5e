r"""Class ids of the samples: which classes there are, which are present, and where each sample goes.

Labels are integer class ids (integral floats accepted), ``>= 0``. They need not be 0..K-1
with every class present (a test split may miss a class):

- **K** is the number of classes: the rows of the classifier W when there is one, else
  ``classes`` when given, else the largest id + 1.
- Every metric is computed over the classes **present** (at least two): the class means of
  absent classes do not exist. W's rows of the present classes enter NC3; NC4's classifier
  still decides among all K rows. The absent classes are reported (``missing_classes``).
- Without W and ``classes``, ids must be ``< N``: a larger id (a corrupted label such as
  10^12) would otherwise silently become a class of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument


def _first(mask: np.ndarray) -> str:
    where = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return "[" + ", ".join(str(int(i)) for i in where) + "]"


def integer_ids(labels: object, name: str = "labels") -> np.ndarray:
    """Labels as a 1-D int64 array, refusing fractions, NaN/inf, negatives, other dtypes, and
    saying how many entries break the rule and where the first is."""
    try:
        arr = np.asarray(labels)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise InvalidArgument(name, labels, "must be a 1-D array of integer class ids") from exc
    if arr.ndim != 1 or arr.shape[0] < 1:
        raise InvalidArgument(name, arr.shape, "must be a non-empty 1-D array of class ids")
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise InvalidArgument(name, arr, f"class ids must be integers, not dtype {arr.dtype}")
    if kind == "f":
        bad = ~(np.isfinite(arr) & (arr == np.round(arr)))
        if np.any(bad):
            count = int(bad.sum())
            raise InvalidArgument(
                name,
                arr,
                f"class ids must be integers: {count} {'entry is' if count == 1 else 'entries are'}"
                f" not (fractions, NaN or inf), first at {_first(bad)} ({arr[bad][0].item()!r})",
            )
    negative = arr < 0
    if np.any(negative):
        raise InvalidArgument(
            name,
            arr,
            f"class ids must be >= 0: {int(negative.sum())} negative, first at "
            f"{_first(negative)} ({arr[negative][0].item()!r})",
        )
    return arr.astype(np.int64, copy=False)


@dataclass(frozen=True)
class Classes:
    """The classes of a labelling.

    Attributes:
        K: the number of classes (W's rows, ``classes``, or the largest id + 1).
        present: the ids with at least one sample, ascending (``K_present`` of them, >= 2).
        counts: samples per present class.
    """

    K: int
    present: np.ndarray
    counts: np.ndarray

    @property
    def K_present(self) -> int:
        return int(self.present.size)

    @property
    def missing(self) -> list[int]:
        return sorted(set(range(self.K)) - {int(k) for k in self.present})

    def index(self, ids: np.ndarray) -> np.ndarray:
        """Position of each id among the present classes (ids must be present)."""
        return np.searchsorted(self.present, ids)


def classes_of(ids: np.ndarray, K: int | None = None, *, source: str = "W") -> Classes:
    """The :class:`Classes` of int64 ids (from :func:`integer_ids`); ``K`` from W or the user
    (``source`` names which, for the error), else inferred with ids < N."""
    N = int(ids.shape[0])
    largest = int(ids.max())
    if K is not None:
        if largest >= K:
            big = ids >= K
            raise InvalidArgument(
                "labels",
                ids,
                f"class id {int(ids[big][0])} at {_first(big)} but {source} says there are "
                f"K={K} classes (ids 0..{K - 1})",
            )
    else:
        if largest >= N:
            big = ids >= N
            raise InvalidArgument(
                "labels",
                ids,
                f"class id {int(ids[big][0])} at {_first(big)} but there are only N={N} "
                "samples: ids must be < N unless the number of classes is given "
                "(W, or classes=K / --classes K)",
            )
        K = largest + 1
    counts_all = np.bincount(ids, minlength=K)
    present = np.flatnonzero(counts_all)
    if present.size < 2:
        raise InvalidArgument(
            "labels",
            ids,
            f"neural-collapse metrics need samples of K >= 2 classes; present: {present.tolist()}",
        )
    return Classes(K=int(K), present=present.astype(np.int64), counts=counts_all[present])
