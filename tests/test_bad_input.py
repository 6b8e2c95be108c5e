"""Bad input at the edges (issue 11): exit codes of ``verify solve``, lambdas and encodings whose
arithmetic would over- or underflow float64, sizes that cannot fit, and one-line errors that say
where the problem is."""

from __future__ import annotations

import math
import types
from pathlib import Path

import numpy as np
import pytest

from verify import Instance, solve
from verify.cli import main
from verify.encodings import label_smoothing
from verify.errors import InvalidArgument
from verify.solve.certificate import certify


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *named: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for text in named:
        assert text in err, err


# --- item 9: exit codes -------------------------------------------------------------------


def test_solve_exit_status_is_0_when_certified(capsys: pytest.CaptureFixture[str]) -> None:
    """Property: a certified solve exits 0."""
    code, out, _ = run(capsys, "solve", "-K", "3", "-n", "4")
    assert code == 0 and "certified" in out and "NOT certified" not in out


def test_uncertified_solve_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a solve that is not certified (here the engine's point moved by 1e-3, which the
    certificate detects) exits 1, prints why, and still writes its JSON."""
    import dataclasses

    import verify.cli.solve as cli_solve

    def perturbed(instance, engine="exact", tol=None, **options):
        s = solve(instance, engine, **options)
        W = s.W + 1e-3
        return dataclasses.replace(s, W=W, certificate=certify(instance, W, s.H, s.b, engine))

    monkeypatch.setattr(cli_solve, "solve", perturbed)
    path = tmp_path / "s.json"
    code, out, _ = run(capsys, "solve", "-K", "4", "--json", str(path))
    assert code == 1
    assert "NOT certified" in out and "relative duality gap" in out
    assert path.exists()


def test_solve_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "solve", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "0 certified" in flat and "1 solved but NOT certified" in flat and "2 bad input" in flat


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--lambda-W", "1e-320"], "lambda_W="),  # made W NaN: "NOT certified", exit 0
        (["--lambda-W", "1e308"], "lambda_W="),  # "certified" with NaN residuals
        (["--lambda-W", "1e-300", "--lambda-H", "1e-300"], "lambda_W="),  # ZeroDivisionError
        (["--lambda-H", "1e200"], "lambda_H="),
    ],
)
def test_lambdas_beyond_float64_are_refused_naming_the_rule(
    argv: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: lambda_W, lambda_H outside [1e-100, 1e100] are bad input (exit 2, one line,
    nothing written): beyond them mu, (lambda_H/lambda_W)^(1/4) or lambda N ||W|| leave float64."""
    path = tmp_path / "s.json"
    code, _, err = run(capsys, "solve", "-K", "4", *argv, "--json", str(path))
    one_line_error(code, err, named, "[1e-100, 1e+100]")
    assert not path.exists()


@pytest.mark.parametrize("value", [1e-100, 1e100])
@pytest.mark.parametrize("name", ["lambda_W", "lambda_H"])
def test_lambdas_at_the_ends_of_the_range_give_a_finite_certificate(name: str, value: float):
    """Property: at the ends of LAMBDA_RANGE every number of the certificate is finite, and a
    certified one has finite residuals (an uncertified one says why)."""
    inst = Instance(label_smoothing(3, 0.2), (4, 5, 6), 4, 5e-3, 5e-3, 0.5).replace(**{name: value})
    c = solve(inst).certificate
    for x in (c.primal, c.dual, c.gap, c.relative_gap, *c.distance_bounds.values()):
        assert math.isfinite(x), c
    assert all(math.isfinite(v) for v in c.residuals.values()), c.residuals
    assert c.certified or "relative duality gap" in c.reason


def test_a_certificate_that_overflows_is_not_certified_and_says_so():
    """Property: a finite point whose products overflow (entries 1e200) is not certified, without
    a LinAlgError or warning, and the reason is the overflow (it was "b != 0 in the bias-free
    UFM" for a UFM with lambda_b = 0)."""
    inst = Instance(np.eye(3), (2, 2, 2), 3, 1e-2, 1e-2, 0.0)
    cert = certify(inst, np.full((3, 3), 1e200), np.full((3, 6), 1e200), np.zeros(3), "test")
    assert not cert.certified
    assert "not finite" in cert.reason and "bias-free" not in cert.reason


@pytest.mark.parametrize("value", [1e300, -1e101])
def test_encoding_entries_beyond_1e100_are_refused_naming_the_entry(tmp_path: Path, value, capsys):
    """Property: an encoding with huge entries (Y Y^T overflows: a LinAlgError traceback) is a
    one-line error naming the encoding, the rule and the first offending entry."""
    enc = np.eye(3)
    enc[1, 2] = value
    path = tmp_path / "enc.npy"
    np.save(path, enc)
    code, _, err = run(capsys, "solve", "-K", "3", "--encoding", str(path))
    one_line_error(code, err, "encoding", "1e+100", "[1, 2]")


def test_nan_encoding_error_is_one_line_saying_where_and_how_many(tmp_path: Path, capsys):
    """Property: a NaN encoding is refused on one line with the count and first position, not
    with the whole array printed over several lines."""
    enc = np.eye(4)
    enc[2, 1] = enc[3, 3] = np.nan
    path = tmp_path / "enc.npy"
    np.save(path, enc)
    code, _, err = run(capsys, "solve", "-K", "4", "--encoding", str(path))
    one_line_error(code, err, "encoding", "2 non-finite entries", "first at [2, 1]")


def test_invalid_argument_shows_an_array_as_its_shape_on_one_line():
    with pytest.raises(InvalidArgument) as info:
        Instance(np.full((10, 10), np.nan), (1,) * 10)
    assert "\n" not in str(info.value) and "shape=(10, 10)" in str(info.value)


# --- polish: residuals in words, no "-0" ----------------------------------------------------


def test_solve_labels_the_residuals_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "solve", "-K", "3", "-n", "4")
    flat = " ".join(out.split())
    assert code == 0
    assert "first-order conditions with the bias eliminated (Lemma III.3)" in flat
    for words in ("stationarity in W", "stationarity in H", "optimal bias b", "balance"):
        assert words in flat


def test_solve_prints_minus_zero_as_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Property: the zero encoding (Y = 0, so the dual value is -0.0) prints "dual 0", not -0."""
    path = tmp_path / "zero.npy"
    np.save(path, np.zeros((3, 3)))
    code, out, _ = run(capsys, "solve", "-K", "3", "--encoding", str(path))
    assert code == 0, out
    assert "dual 0 " in out and "dual -0" not in out


# --- sizes that cannot fit, and long solves -----------------------------------------------------

GiB = 2**30


@pytest.fixture
def eight_gib(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine has 8 GiB available, whatever it really has (the refusals must not depend
    on the machine the tests run on)."""
    monkeypatch.setattr("verify.instance.available_memory", lambda: 8 * GiB)


def test_available_memory_is_read_from_the_system() -> None:
    from verify.instance import available_memory

    have = available_memory()
    assert have is None or (isinstance(have, int) and have > 0)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["-K", "100000", "-n", "1"], "--classes 100000"),  # np.eye(100000): 74.5 GiB
        (["-n", "1000000000"], "--per-class 1000000000"),  # Y and H: 29.8 GiB each
        (["-K", "4", "--counts", "1,1,1,2000000000"], "--counts"),
    ],
)
def test_solve_refuses_sizes_that_cannot_fit_before_allocating(
    argv: list[str], named: str, eight_gib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a size whose arrays exceed the available memory is one line with the estimate
    and the memory available, exit 2, before the encoding or targets are allocated."""
    code, _, err = run(capsys, "solve", *argv)
    one_line_error(code, err, named, "GiB of memory", "8.0 GiB available")


def test_solve_api_refuses_an_instance_that_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: verify.solve raises TooLarge (a VerifyError) before building Y (K x N) and H."""
    from verify.errors import TooLarge

    monkeypatch.setattr("verify.instance.available_memory", lambda: 64 * 2**20)
    inst = Instance(np.eye(4), (5_000_000,) * 4, 4, 5e-3, 5e-3, 0.0)
    with pytest.raises(TooLarge, match=r"K=4, N=20000000, d=4.*available"):
        solve(inst)
    assert "Y" not in inst.__dict__  # the cached targets were never built


def test_a_long_solve_is_announced_with_its_estimate_and_shows_progress(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a solve estimated to take minutes (-K 5000 -n 1 ran silently for minutes) warns
    on stderr with the estimate and then says what it is doing, step by step (here the estimate
    is forced, on a small instance)."""
    import verify.cli.solve as cli_solve

    monkeypatch.setattr(cli_solve, "_SMALL_COST", 0.0)
    monkeypatch.setattr(cli_solve, "estimated_seconds", lambda K, N, d: 600.0)
    code, _, err = run(capsys, "solve", "-K", "3", "-n", "4")
    assert code == 0
    assert "warning" in err and "about 10 min" in err and "K^3 per Newton step" in err
    assert "Newton step 1" in err and "certifying" in err and "first-order residuals" in err


def test_a_short_solve_says_nothing_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "solve", "-K", "3", "-n", "4")
    assert code == 0 and err == ""


def test_estimated_seconds_grows_like_K_cubed_and_K_d_N() -> None:
    """Property: the estimate is positive and scales as its model says (no clock is read twice:
    the machine's rates are measured once and reused)."""
    from verify.solve.exact import estimated_seconds

    small, big = estimated_seconds(100, 100, 100), estimated_seconds(1000, 1000, 1000)
    assert small > 0 and big == pytest.approx(1000 * small, rel=1e-9)
    assert estimated_seconds(4, 10**8, 4) > estimated_seconds(4, 10**6, 4)


# --- verify metrics: files and arrays -----------------------------------------------------------


@pytest.fixture
def labels_file(tmp_path: Path) -> Path:
    path = tmp_path / "y.npy"
    np.save(path, np.repeat(np.arange(3), 4))
    return path


def test_metrics_on_an_empty_npy_is_one_line(tmp_path: Path, labels_file: Path, capsys) -> None:
    """Property: an empty .npy (EOFError traceback) is a one-line error saying it is empty."""
    empty = tmp_path / "f.npy"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "metrics", str(empty), str(labels_file))
    one_line_error(code, err, "features", "f.npy", "empty")


def test_metrics_on_a_text_file_named_npy_says_it_is_not_npy(
    tmp_path: Path, labels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a text file named .npy is "not a numpy array file", not "pickled data"."""
    fake = tmp_path / "f.npy"
    fake.write_text("1 2 3\n4 5 6\n")
    code, _, err = run(capsys, "metrics", str(fake), str(labels_file))
    one_line_error(code, err, "f.npy", "not a numpy array file", "magic string")
    assert "pickle" not in err


def test_metrics_on_a_directory_says_it_is_a_directory(
    tmp_path: Path, labels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "feats.npy"
    folder.mkdir()
    code, _, err = run(capsys, "metrics", str(folder), str(labels_file))
    one_line_error(code, err, "feats.npy", "is a directory")
    assert "no such file" not in err


def _crafted_npy(path: Path, shape: tuple[int, ...]) -> None:
    """A .npy file whose header claims ``shape`` float64 but which holds 16 bytes of data."""
    with path.open("wb") as handle:
        header = {"descr": "<f8", "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(handle, header)
        handle.write(b"\0" * 16)


@pytest.mark.parametrize("command", ["metrics", "solve"])
def test_a_crafted_header_claiming_100000_squared_is_refused_unread(
    command: str, tmp_path: Path, labels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a .npy header claiming (100000, 100000) float64 (74.5 GiB) in a 144-byte file
    is refused from the header alone: what it declares and what the file holds."""
    path = tmp_path / "big.npy"
    _crafted_npy(path, (100000, 100000))
    if command == "metrics":
        argv = ["metrics", str(path), str(labels_file)]
    else:
        argv = ["solve", "-K", "100000", "-n", "1", "--encoding", str(path)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    if command == "metrics":
        assert "(100000, 100000)" in err and "74.5 GiB" in err and "holds 16 B" in err, err


def test_an_honest_header_too_big_for_memory_is_refused_with_the_estimate(
    tmp_path: Path, labels_file: Path, eight_gib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a real (sparse) file of 12 samples in d = 10^9 float64 is refused before
    reading, with the memory it needs and the memory available (streaming bounds the memory
    in N, not in d: the class means alone are K x d)."""
    path = tmp_path / "big.npy"
    with path.open("wb") as handle:
        header = {"descr": "<f8", "fortran_order": False, "shape": (12, 10**9)}
        np.lib.format.write_array_header_1_0(handle, header)
        handle.truncate(handle.tell() + 8 * 12 * 10**9)  # sparse: no disk used
    code, _, err = run(capsys, "metrics", str(path), str(labels_file))
    one_line_error(code, err, "big.npy", "(12, 1000000000)", "8.0 GiB available")


def test_metrics_refuses_a_label_of_10_to_the_12(tmp_path: Path, capsys) -> None:
    """Property: a label 10^12 (class means sized 10^12: 7.28 TiB) is one line naming the id and
    where it is, since ids must be < N for every class to have a sample."""
    labels = np.repeat(np.arange(3), 4)
    labels[7] = 10**12
    np.save(tmp_path / "y.npy", labels)
    np.save(tmp_path / "f.npy", np.ones((12, 2)))
    code, _, err = run(capsys, "metrics", str(tmp_path / "f.npy"), str(tmp_path / "y.npy"))
    one_line_error(code, err, "labels", "1000000000000", "at [7]", "N=12")


def test_nan_features_are_one_line_saying_where_and_how_many(tmp_path: Path, capsys) -> None:
    features = np.ones((12, 5))
    features[2, 4] = features[9, 0] = features[11, 1] = np.nan
    np.save(tmp_path / "f.npy", features)
    np.save(tmp_path / "y.npy", np.repeat(np.arange(3), 4))
    code, _, err = run(capsys, "metrics", str(tmp_path / "f.npy"), str(tmp_path / "y.npy"))
    one_line_error(code, err, "features", "3 non-finite entries", "first at [2, 4]")


def test_float_labels_are_one_line_saying_where_and_how_many(tmp_path: Path, capsys) -> None:
    labels = np.repeat(np.arange(3.0), 40)
    labels[[5, 70]] = 0.5
    np.save(tmp_path / "f.npy", np.ones((120, 2)))
    np.save(tmp_path / "y.npy", labels)
    code, _, err = run(capsys, "metrics", str(tmp_path / "f.npy"), str(tmp_path / "y.npy"))
    one_line_error(code, err, "labels", "2 entries are not", "first at [5]", "0.5")


def test_npz_member_headers_are_checked_too(tmp_path: Path, eight_gib: None, capsys) -> None:
    """Property: an array inside a .npz is checked by its header like a .npy file."""
    np.savez(tmp_path / "a.npz", f=np.ones((12, 2)), y=np.repeat(np.arange(3), 4))
    code, _, err = run(capsys, "metrics", f"{tmp_path / 'a.npz'}:f", f"{tmp_path / 'a.npz'}:y")
    assert code == 0, err


# --- verify hunt --budget 1000000000: units made as they run --------------------------------------


def test_a_huge_hunt_budget_makes_units_as_they_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: with --budget 10^9 (20 million units: 3.8 GB after 85 s before the first was
    evaluated) the first unit runs after one unit was made, and stopping there makes no more."""
    from verify.hunt import engine
    from verify.hunt.direction import DirectionResult, Settings
    from verify.hunt.target import resolve
    from verify.hunt.units import UnitResult

    made = []

    class CountedUnit(engine.SearchUnit):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self.index)
            assert len(made) <= 100, "100 units made before any was evaluated"

    class StopAfterOne:
        """A runner that evaluates nothing: it takes one unit and reports an interruption."""

        def run(self, units, on_outcome=None):
            first = next(iter(units))
            assert made == [first.index] == [0]
            return [UnitResult("search", first.index, interrupted=True)]

    monkeypatch.setattr(engine, "SearchUnit", CountedUnit)
    ref = resolve("theorem-IV.4")[0]
    state = DirectionResult(ref, ref.load(), Settings(budget=10**9))
    quiet = types.SimpleNamespace(outcome=None)  # the progress display, unused
    engine._search_and_refine(state, StopAfterOne(), quiet)  # type: ignore[arg-type]
    # the search's 8 * 10^8 evaluations in units of UNIT_SIZE (16 million of 50)
    assert state.units == math.ceil(8 * 10**8 / engine.UNIT_SIZE) > 10**6
    assert state.interrupted and made == [0]


def test_the_runner_takes_units_from_an_iterator_one_at_a_time(monkeypatch) -> None:
    """Property: Runner.run (in this process) asks for the next unit only after running the
    previous one, and stops asking at an interruption."""
    from verify.hunt import pool
    from verify.hunt.units import UnitResult

    log: list[str] = []

    def units():
        for i in range(10**9):
            log.append(f"made {i}")
            yield i

    def fake_run_unit(unit, on_outcome=None):
        log.append(f"ran {unit}")
        return UnitResult("search", unit, interrupted=unit == 2)

    monkeypatch.setattr(pool, "run_unit", fake_run_unit)
    results = pool.Runner(jobs=1).run(units())  # type: ignore[arg-type]
    assert [r.index for r in results] == [0, 1, 2]
    # the first two are made up front (to see whether a pool is worth starting), then one by one
    assert log == ["made 0", "made 1", "ran 0", "ran 1", "made 2", "ran 2"]
