"""Bad input at the edges (issue 11): exit codes of ``verify solve``, lambdas and encodings whose
arithmetic would over- or underflow float64, sizes that cannot fit, and one-line errors that say
where the problem is."""

from __future__ import annotations

import math
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
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: a solve that cannot be certified (mu ~ 1e-16: the objective is below the rounding
    of the residual) exits 1, prints why, and still writes its JSON."""
    path = tmp_path / "s.json"
    code, out, _ = run(capsys, "solve", "-K", "4", "--lambda-W", "1e-30", "--json", str(path))
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
    assert "first-order conditions of Lemma III.3" in flat
    for words in ("(6) stationarity in W", "(7) stationarity in H", "(8) optimal bias b"):
        assert words in flat


def test_solve_prints_minus_zero_as_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Property: the zero encoding (Y = 0, so the dual value is -0.0) prints "dual 0", not -0."""
    path = tmp_path / "zero.npy"
    np.save(path, np.zeros((3, 3)))
    code, out, _ = run(capsys, "solve", "-K", "3", "--encoding", str(path))
    assert code == 0, out
    assert "dual 0 " in out and "dual -0" not in out
