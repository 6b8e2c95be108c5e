"""Instance validation, derived data and hypotheses; the encoding constructors and loader."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re

import numpy as np
import pytest

from verify import DEFAULT, Instance, class_assignment
from verify.encodings import (
    encoding_from_spec,
    label_smoothing,
    load_encoding,
    one_hot,
    random_encoding,
    ssetf,
)
from verify.errors import InvalidArgument, InvalidFile, VerifyError

K = 4
J = np.ones((K, K)) / K


def make(**changes):
    fields = {
        "encoding": np.eye(K),
        "counts": (3, 3, 3, 3),
        "d": K,
        "lambda_W": 1e-3,
        "lambda_H": 2e-3,
        "lambda_b": 0.5,
    }
    fields.update(changes)
    return Instance(**fields)


def random_orthogonal(k: int, seed: int) -> np.ndarray:
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((k, k)))
    return Q * np.sign(np.diag(R))


# --- validation -----------------------------------------------------------------------------

BAD = [
    # (field, bad value, text the message must show for the value)
    ("encoding", np.array([[1.0, np.nan], [0.0, 1.0]]), "nan"),
    ("encoding", np.array([[1.0, np.inf], [0.0, 1.0]]), "inf"),
    ("encoding", np.array([[1.0, 0.0], [-np.inf, 1.0]]), "-inf"),
    ("encoding", np.ones((3, 4)), "(3, 4)"),
    ("encoding", np.ones(4), "(4,)"),
    ("encoding", np.ones((1, 1)), "(1, 1)"),
    ("encoding", np.eye(4, dtype=complex), "j"),
    ("encoding", np.array([["a", "b"], ["c", "d"]]), "'a'"),
    ("encoding", "onehot", "'onehot'"),
    ("counts", (3, 3, 3), "(3, 3, 3)"),
    ("counts", (3, 3, 3, 3, 3), "(3, 3, 3, 3, 3)"),
    ("counts", 12, "12"),
    ("counts", (3, 0, 3, 3), "(3, 0, 3, 3)"),
    ("counts", (3, -2, 3, 3), "(3, -2, 3, 3)"),
    ("counts", (3, 2.5, 3, 3), "(3, 2.5, 3, 3)"),
    ("counts", (3, math.nan, 3, 3), "nan"),
    ("counts", (3, True, 3, 3), "True"),
    ("d", 3, "3"),
    ("d", 1, "1"),
    ("d", 4.0, "4.0"),
    ("d", True, "True"),
    ("lambda_W", 0.0, "0.0"),
    ("lambda_W", -1e-3, "-0.001"),
    ("lambda_W", math.nan, "nan"),
    ("lambda_W", math.inf, "inf"),
    ("lambda_W", True, "True"),
    ("lambda_W", "0.1", "'0.1'"),
    ("lambda_H", 0, "0"),
    ("lambda_H", -2.0, "-2.0"),
    ("lambda_H", math.nan, "nan"),
    ("lambda_b", -1e-12, "-1e-12"),
    ("lambda_b", -math.inf, "-inf"),
    ("lambda_b", math.nan, "nan"),
]


@pytest.mark.parametrize(("field", "value", "shown"), BAD, ids=lambda x: str(x)[:20])
def test_every_rule_raises_invalid_argument_naming_the_argument_and_value(field, value, shown):
    with pytest.raises(InvalidArgument) as info:
        make(**{field: value})
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, VerifyError)
    message = str(error)
    assert error.name == field
    assert message.startswith(f"{field}="), message
    assert shown in message, message
    assert error.rule and error.rule in message


def test_messages_state_the_rule_broken():
    with pytest.raises(InvalidArgument, match=r"d=3: .*d >= K = 4"):
        make(d=3)
    with pytest.raises(InvalidArgument, match=r"must have K=4 entries"):
        make(counts=(1, 2))
    with pytest.raises(InvalidArgument, match=r"NaN"):
        make(lambda_H=math.nan)
    with pytest.raises(InvalidArgument, match=r"finite"):
        make(encoding=np.full((K, K), np.nan))


@pytest.mark.parametrize(
    "good",
    [
        {"lambda_b": math.inf},
        {"lambda_b": 0.0},
        {"lambda_b": 0},
        {"d": None},
        {"d": np.int64(9)},
        {"counts": (3.0, 1, np.int32(2), 100)},
        {"counts": np.array([1, 2, 3, 4])},
        {"encoding": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]},
        {"encoding": np.eye(K, dtype=np.int8)},
        {"lambda_W": np.float32(0.5), "lambda_H": 3},
    ],
    ids=lambda x: ",".join(x),
)
def test_valid_arguments_are_accepted_and_normalised(good):
    inst = make(**good)
    assert inst.encoding.dtype == np.float64
    assert isinstance(inst.d, int)
    assert inst.d >= inst.K
    assert all(type(n) is int for n in inst.counts)
    for name in ("lambda_W", "lambda_H", "lambda_b"):
        assert type(getattr(inst, name)) is float


def test_lambda_b_inf_is_the_bias_free_ufm():
    inst = make(lambda_b=math.inf)
    assert inst.lambda_b == math.inf
    assert inst.gamma == 0.0
    assert inst.hypotheses()["lambda_b_inf"]
    assert not make(lambda_b=1.0).hypotheses()["lambda_b_inf"]
    assert make(lambda_b=0.0).hypotheses()["lambda_b_zero"]


def test_d_defaults_to_K_and_counts_become_ints():
    inst = Instance(np.eye(3), (2.0, 5, np.int64(7)))
    assert inst.d == 3
    assert inst.counts == (2, 5, 7)
    assert inst.N == 14


# --- immutability ---------------------------------------------------------------------------


def test_arrays_are_read_only_and_copies_of_the_input():
    source = np.eye(K)
    inst = make(encoding=source)
    source[0, 0] = 7.0  # the caller's array is not shared
    assert inst.encoding[0, 0] == 1.0
    assert source.flags.writeable  # and not frozen behind the caller's back
    for array in (inst.encoding, inst.Y, inst.labels):
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0


def test_dataclass_is_frozen():
    inst = make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.lambda_W = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.encoding = np.zeros((K, K))  # type: ignore[misc]


def test_replace_validates_and_leaves_the_original_alone():
    inst = make()
    other = inst.replace(lambda_b=2.0, d=7)
    assert (inst.lambda_b, inst.d) == (0.5, K)
    assert (other.lambda_b, other.d) == (2.0, 7)
    with pytest.raises(InvalidArgument, match="lambda_W"):
        inst.replace(lambda_W=-1.0)


# --- derived data ---------------------------------------------------------------------------


def test_Y_columns_are_the_class_targets():
    enc = random_encoding(K, 3)
    counts = (1, 100, 7, 2)
    inst = make(encoding=enc, counts=counts)
    Y = inst.Y
    assert Y.shape == (K, sum(counts))
    assert sum(counts) == inst.N
    labels = np.concatenate([np.full(n, k) for k, n in enumerate(counts)])
    np.testing.assert_array_equal(inst.labels, labels)
    for i, k in enumerate(labels):
        np.testing.assert_array_equal(Y[:, i], enc[:, k])
    np.testing.assert_allclose(Y, enc @ inst.C, rtol=0, atol=0)
    C = class_assignment(counts)
    assert C.shape == (K, sum(counts))
    np.testing.assert_array_equal(C.sum(axis=0), 1.0)
    np.testing.assert_array_equal(C.sum(axis=1), counts)


def test_balanced_assignment_has_C_Ct_equal_n_identity():
    inst = make(counts=(5, 5, 5, 5))
    np.testing.assert_array_equal(inst.C @ inst.C.T, 5 * np.eye(K))


def test_class_means_for_imbalanced_counts_match_a_direct_loop():
    counts = (1, 100, 7, 13)
    inst = make(counts=counts, d=6)
    H = np.random.default_rng(0).standard_normal((6, inst.N))
    expected = np.zeros((6, K))
    start = 0
    for k, n in enumerate(counts):
        expected[:, k] = H[:, start : start + n].sum(axis=1) / n
        start += n
    Hbar = inst.class_means(H)
    assert Hbar.shape == (6, K)
    np.testing.assert_allclose(Hbar, expected, rtol=1e-14, atol=1e-15)
    # features equal to their class means (NC1) give those means back exactly
    np.testing.assert_allclose(inst.class_means(Hbar @ inst.C), Hbar, rtol=1e-14, atol=1e-15)


def test_mu_gamma_and_c():
    inst = make(counts=(6, 6, 6, 6), lambda_W=2e-3, lambda_H=8e-3, lambda_b=3.0)
    assert inst.mu == pytest.approx(4e-3, rel=1e-15)
    assert inst.gamma == pytest.approx(0.25, rel=1e-15)
    assert inst.n == 6
    assert inst.c == pytest.approx(K * math.sqrt(6 * 2e-3 * 8e-3), rel=1e-15)
    unbalanced = make(counts=(6, 6, 6, 7))
    assert unbalanced.n is None and unbalanced.c is None and unbalanced.threshold is None


# --- hypotheses -----------------------------------------------------------------------------

HYPOTHESES = [
    # name, encoding, counts, expected flags
    ("one-hot", np.eye(K), (5,) * K, {"one_hot": 1, "labels_centred": 0, "ssetf_encoding": 1}),
    ("I - J", np.eye(K) - J, (5,) * K, {"one_hot": 0, "labels_centred": 1, "ssetf_encoding": 1}),
    (
        "I - J imbalanced",
        np.eye(K) - J,
        (5, 6, 5, 5),
        {"balanced": 0, "labels_centred": 0, "ssetf_encoding": 1, "c_below_1": 0},
    ),
    ("2 I", 2 * np.eye(K), (5,) * K, {"one_hot": 0, "ssetf_encoding": 1}),
    (
        "smoothing",
        label_smoothing(K, 0.1),
        (5,) * K,
        {"one_hot": 0, "labels_centred": 0, "ssetf_encoding": 1},
    ),
    ("ssetf P", ssetf(K, 2.0, 0.3, random_orthogonal(K, 1)), (5,) * K, {"ssetf_encoding": 1}),
    ("random", random_encoding(K, 0), (5,) * K, {"one_hot": 0, "ssetf_encoding": 0}),
    (
        "one-hot + 1e-6",
        np.eye(K) + 1e-6 * random_encoding(K, 5),
        (5,) * K,
        {"one_hot": 0, "ssetf_encoding": 0},
    ),
    ("one-hot + 1e-13", np.eye(K) + 1e-13 * random_encoding(K, 5), (5,) * K, {"one_hot": 1}),
]


@pytest.mark.parametrize(("name", "enc", "counts", "expected"), HYPOTHESES, ids=lambda x: x)
def test_hypothesis_flags_on_known_examples(name, enc, counts, expected):
    flags = make(encoding=enc, counts=counts).hypotheses()
    assert set(flags) >= {"balanced", "one_hot", "labels_centred", "c_below_1", "ssetf_encoding"}
    expected = {"balanced": len(set(counts)) == 1, **expected}
    for flag, value in expected.items():
        assert flags[flag] is bool(value), (name, flag, flags)


def test_c_below_1_flag():
    n = 4
    at_one = 1.0 / (K * math.sqrt(n))  # lambda_W = lambda_H = this gives c = 1 exactly
    assert make(counts=(n,) * K, lambda_W=at_one, lambda_H=at_one).c == 1.0
    assert not make(counts=(n,) * K, lambda_W=at_one, lambda_H=at_one).hypotheses()["c_below_1"]
    assert make(counts=(n,) * K, lambda_W=0.99 * at_one, lambda_H=at_one).hypotheses()["c_below_1"]


def test_labels_centred_is_relative_to_the_size_of_Y():
    # Ybar n = 0 for imbalanced counts: column k scaled by 1/n_k around a centred direction
    counts = (1, 2, 4, 8)
    enc = (np.eye(K) - J) / np.asarray(counts, dtype=float)
    assert make(encoding=enc, counts=counts).labels_centred()
    assert make(encoding=1e6 * enc, counts=counts).labels_centred()
    assert not make(encoding=enc + 1e-6, counts=counts).labels_centred()


# --- the phase threshold of Theorem III.1 ---------------------------------------------------


def test_threshold_and_phase_for_one_hot_balanced_data():
    inst = make(counts=(6,) * K, lambda_W=5e-3, lambda_H=5e-3, lambda_b=0.0)
    c = K * math.sqrt(6 * 5e-3 * 5e-3)
    assert inst.c == pytest.approx(c, rel=1e-15)
    t = c / (1 - c)
    assert inst.threshold == pytest.approx(t, rel=1e-15)
    assert inst.phase() == "simplex ETF (lambda_b < c/(1-c))"
    assert inst.replace(lambda_b=t * (1 - 1e-9)).phase().startswith("simplex ETF")
    assert inst.replace(lambda_b=t).phase() == "at the threshold lambda_b = c/(1-c)"
    assert inst.replace(lambda_b=inst.threshold).phase().startswith("at the threshold")
    assert inst.replace(lambda_b=t * (1 + 1e-9)).phase().startswith("shifted ETF")
    assert inst.replace(lambda_b=math.inf).phase().startswith("shifted ETF")


@pytest.mark.parametrize("factor", [1.0, 1.0 + 1e-9, 4.0])
def test_threshold_is_inf_when_c_is_at_least_1(factor):
    n = 4
    lam = factor / (K * math.sqrt(n))
    inst = make(counts=(n,) * K, lambda_W=lam, lambda_H=lam, lambda_b=1e6)
    assert inst.c >= 1
    assert inst.threshold == math.inf
    assert inst.phase() == "zero minimiser (c >= 1)"


def test_threshold_just_below_c_equal_1_is_large_and_finite():
    n = 4
    lam = (1 - 1e-6) / (K * math.sqrt(n))
    inst = make(counts=(n,) * K, lambda_W=lam, lambda_H=lam)
    assert inst.c < 1
    assert inst.threshold == pytest.approx((1 - 1e-6) / 1e-6, rel=1e-6)  # 1 - c cancels


def test_phase_is_only_defined_for_one_hot_balanced_data():
    assert make(counts=(6, 6, 6, 7)).phase() is None
    assert make(encoding=label_smoothing(K, 0.1)).phase() is None
    assert make(encoding=2 * np.eye(K)).phase() is None
    # but threshold only needs balanced data (it is a function of c)
    assert make(encoding=label_smoothing(K, 0.1)).threshold is not None


# --- serialisation --------------------------------------------------------------------------


@pytest.mark.parametrize("lambda_b", [0.0, 0.123456789012345, math.inf])
def test_to_dict_from_dict_round_trip_through_json(lambda_b):
    inst = make(
        encoding=random_encoding(K, 11),
        counts=(1, 100, 7, 2),
        d=9,
        lambda_W=1.234567890123e-3,
        lambda_H=3e-7,
        lambda_b=lambda_b,
    )
    data = json.loads(json.dumps(inst.to_dict()))  # strict JSON: no bare Infinity
    assert "Infinity" not in json.dumps(inst.to_dict())
    assert data["K"] == K
    back = Instance.from_dict(data)
    np.testing.assert_array_equal(back.encoding, inst.encoding)
    assert back.to_fields().keys() == inst.to_fields().keys()
    for key in ("counts", "d", "lambda_W", "lambda_H", "lambda_b"):
        assert getattr(back, key) == getattr(inst, key), key
    assert back.to_dict() == inst.to_dict()


def test_from_dict_defaults_d_to_K_and_validates():
    data = make(d=6).to_dict()
    del data["d"]
    assert Instance.from_dict(data).d == K
    with pytest.raises(InvalidArgument, match=r"^d=0"):
        Instance.from_dict({**data, "d": 0})
    with pytest.raises(InvalidArgument, match=r"^lambda_H="):
        Instance.from_dict({**data, "lambda_H": -1.0})
    with pytest.raises(InvalidArgument, match=r"^encoding="):
        Instance.from_dict({**data, "encoding": [[1.0, "nan"], [0.0, 1.0]]})


def test_describe_names_the_hypotheses_that_hold():
    text = make(counts=(2, 2, 2, 2), lambda_b=math.inf).describe()
    assert "K=4" in text and "n=2 each" in text and "lambda_b=inf" in text
    assert "one_hot" in text and "lambda_b_inf" in text and "labels_centred" not in text


# --- encodings ------------------------------------------------------------------------------


def test_one_hot():
    np.testing.assert_array_equal(one_hot(5), np.eye(5))
    for bad in (1, 0, -3, 2.0, True, "3"):
        with pytest.raises(InvalidArgument, match=r"^K="):
            one_hot(bad)


@pytest.mark.parametrize("delta", [1e-6, 0.1, 0.5, 0.999])
def test_label_smoothing_formula_and_its_ssetf_parameters(delta):
    Y = label_smoothing(K, delta)
    expected = np.full((K, K), delta / K) + (1 - delta) * np.eye(K)
    np.testing.assert_allclose(Y, expected, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(Y.sum(axis=0), 1.0, rtol=1e-14)  # each target is a distribution
    # the docstring's SSETF parameters: alpha = 1 - delta, beta = -delta / (1 - delta), P = I
    np.testing.assert_allclose(ssetf(K, 1 - delta, -delta / (1 - delta)), Y, rtol=1e-12, atol=1e-15)
    assert make(encoding=Y).ssetf_encoding()


@pytest.mark.parametrize("delta", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_label_smoothing_rejects_delta_outside_0_1(delta):
    with pytest.raises(InvalidArgument, match=r"^delta="):
        label_smoothing(K, delta)


def test_ssetf_formula_and_proposition_III_2():
    P = random_orthogonal(K, 2)
    alpha, beta = 1.7, -0.4
    M = ssetf(K, alpha, beta, P)
    np.testing.assert_allclose(M, alpha * P @ (np.eye(K) - beta * J), rtol=1e-14, atol=1e-15)
    # Gram alpha^2 ((I - J) + (1 - beta)^2 J), and M (I - J) is a simplex ETF (Prop. III.2)
    gram = alpha**2 * ((np.eye(K) - J) + (1 - beta) ** 2 * J)
    np.testing.assert_allclose(M.T @ M, gram, rtol=1e-13, atol=1e-14)
    centred = M @ (np.eye(K) - J)
    np.testing.assert_allclose(centred.T @ centred, alpha**2 * (np.eye(K) - J), atol=1e-13)
    np.testing.assert_array_equal(ssetf(K, 2.0, 0.0), 2.0 * np.eye(K))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"alpha": 0.0, "beta": 0.5}, "alpha"),
        ({"alpha": -1.0, "beta": 0.5}, "alpha"),
        ({"alpha": math.inf, "beta": 0.5}, "alpha"),
        ({"alpha": 1.0, "beta": math.nan}, "beta"),
        ({"alpha": 1.0, "beta": 0.5, "P": 2 * np.eye(K)}, "P"),
        ({"alpha": 1.0, "beta": 0.5, "P": np.eye(K + 1)}, "P"),
        ({"alpha": 1.0, "beta": 0.5, "P": np.full((K, K), np.nan)}, "P"),
    ],
)
def test_ssetf_rejects_bad_parameters(kwargs, name):
    with pytest.raises(InvalidArgument, match=rf"^{name}="):
        ssetf(K, **kwargs)


def test_random_encoding_is_reproducible_from_its_seed():
    a, b, c = random_encoding(K, 42), random_encoding(K, 42), random_encoding(K, 43)
    assert a.shape == (K, K) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a, np.random.default_rng(42).standard_normal((K, K)))


def test_encoding_from_spec():
    np.testing.assert_array_equal(encoding_from_spec("onehot", K), np.eye(K))
    np.testing.assert_array_equal(encoding_from_spec("smooth:0.2", K), label_smoothing(K, 0.2))
    np.testing.assert_array_equal(encoding_from_spec("ssetf:2,0.5", K), ssetf(K, 2.0, 0.5))
    np.testing.assert_array_equal(encoding_from_spec("random:7", K), random_encoding(K, 7))
    for bad in ("smooth:x", "ssetf:1", "random:1.5", "onehot:3", "nonsense"):
        with pytest.raises(InvalidArgument, match=r"^encoding="):
            encoding_from_spec(bad, K)
    with pytest.raises(InvalidArgument, match=r"^delta="):
        encoding_from_spec("smooth:2", K)


# --- load_encoding ------------------------------------------------------------------------


def test_load_encoding_good_file(tmp_path):
    enc = random_encoding(K, 1)
    path = tmp_path / "enc.npy"
    np.save(path, enc)
    loaded = load_encoding(path)
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, enc)
    np.testing.assert_array_equal(load_encoding(str(path), K=K), enc)
    np.testing.assert_array_equal(encoding_from_spec(str(path), K), enc)
    # integer entries are real numeric and come back as floats
    np.save(tmp_path / "int.npy", np.eye(3, dtype=np.int64))
    ints = load_encoding(tmp_path / "int.npy")
    assert ints.dtype == np.float64
    np.testing.assert_array_equal(ints, np.eye(3))


class _Payload:
    """Unpickling this would create a directory: the loader must never get that far."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


def _savez(path, **arrays) -> None:
    with open(path, "wb") as handle:  # np.savez would append .npz to a name
        np.savez(handle, **arrays)


def _write(path, content) -> None:
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)


BAD_FILES = [
    (
        "object.npy",
        lambda p: np.save(p, np.array([[1, "a"], [None, 2]], dtype=object), allow_pickle=True),
        "not a numpy array file",
    ),
    ("rect.npy", lambda p: np.save(p, np.ones((3, 4))), "shape (3, 4)"),
    ("vector.npy", lambda p: np.save(p, np.ones(3)), "shape (3,)"),
    ("cube.npy", lambda p: np.save(p, np.ones((2, 2, 2))), "shape (2, 2, 2)"),
    ("bool.npy", lambda p: np.save(p, np.eye(3, dtype=bool)), "dtype bool"),
    ("complex.npy", lambda p: np.save(p, np.eye(3) * 1j), "dtype complex128"),
    ("strings.npy", lambda p: np.save(p, np.array([["a", "b"], ["c", "d"]])), "dtype <U1"),
    ("text.npy", b"1 0\n0 1\n", "not a numpy array file"),
    ("empty.npy", b"", "not a numpy array file"),
    ("truncated.npy", b"\x93NUMPY\x01\x00", "not a numpy array file"),
    ("archive.npy", lambda p: _savez(p, a=np.eye(2)), ".npz"),
    ("matrix.txt", lambda p: np.savetxt(p, np.eye(3)), "expected a .npy file"),
]


@pytest.mark.parametrize(("name", "content", "says"), BAD_FILES, ids=lambda x: str(x)[:12])
def test_load_encoding_rejects_bad_files_clearly(tmp_path, name, content, says):
    path = tmp_path / name
    _write(path, content)
    with pytest.raises((InvalidFile, InvalidArgument)) as info:
        load_encoding(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert name in message, message  # names the file
    assert says in message, message  # and says what is wrong with it


def test_load_encoding_missing_file_and_class_count_mismatch(tmp_path):
    with pytest.raises(InvalidFile, match="no such file"):
        load_encoding(tmp_path / "absent.npy")
    np.save(tmp_path / "three.npy", np.eye(3))
    with pytest.raises(InvalidFile, match=re.escape("shape (3, 3) but --classes 4")):
        load_encoding(tmp_path / "three.npy", K=4)


def test_load_encoding_never_unpickles(tmp_path):
    target = tmp_path / "payload-ran"
    path = tmp_path / "evil.npy"
    np.save(path, np.array([_Payload(str(target))], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidFile):
        load_encoding(path)
    assert not target.exists()


def test_tolerance_used_for_one_hot_is_the_named_one():
    eps = DEFAULT.hypothesis
    assert make(encoding=np.eye(K) + 0.5 * eps * np.eye(K)).one_hot()
    assert not make(encoding=np.eye(K) + 2 * eps * np.eye(K)).one_hot()


@pytest.mark.parametrize("lambda_b", [0.0, 0.3, math.inf])
def test_instance_hypotheses_speak_the_claims_vocabulary(lambda_b: float) -> None:
    """Property: every hypothesis an instance reports is one claims state and --relax takes,
    and it agrees with that hypothesis's own test (one list of names, issue 12)."""
    from verify.claims.hypotheses import HYPOTHESES

    inst = make(lambda_b=lambda_b)
    for name, held in inst.hypotheses().items():
        assert name in HYPOTHESES, name
        assert HYPOTHESES[name].holds(inst, DEFAULT) == held, name
