"""The command line as a user drives it: outputs, JSON contents, and errors that teach."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from verify.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_writes_a_certified_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: `verify solve --json` writes W (K x d), H (d x N), b and a certified gap."""
    path = tmp_path / "s.json"
    code, out, _ = run(
        capsys,
        "solve",
        "--encoding",
        "smooth:0.1",
        "-K",
        "3",
        "--counts",
        "2,3,4",
        "--dim",
        "4",
        "--lambda-b",
        "0.5",
        "--json",
        str(path),
    )
    assert code == 0 and "certified" in out
    data = json.loads(path.read_text())
    assert np.shape(data["W"]) == (3, 4) and np.shape(data["H"]) == (4, 9) and len(data["b"]) == 3
    assert data["certified"] and data["relative_gap"] <= 1e-10
    for key in ("objective", "dual_objective", "engine", "instance", "certificate"):
        assert key in data


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--lambda-W", "-1"], "lambda_W"),
        (["--lambda-H", "0"], "lambda_H"),
        (["--lambda-b", "-2"], "lambda_b"),
        (["--lambda-b", "nan"], "lambda-b"),
        (["--dim", "2"], "d=2"),
        (["--counts", "3,0,3,3"], "counts"),
        (["--counts", "3,3"], "counts"),
        (["--encoding", "smooth:1.5"], "delta"),
        (["--encoding", "bogus"], "encoding"),
        (["--encoding", "missing.npy"], "missing.npy"),
    ],
)
def test_bad_input_is_one_line_without_traceback(
    argv: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: bad input exits 2 with one line naming the argument, and writes nothing."""
    path = tmp_path / "out.json"
    code, _, err = run(capsys, "solve", "-K", "4", *argv, "--json", str(path))
    assert code == 2
    assert named in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not path.exists()


def test_encoding_file_must_not_be_pickled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: an object array (which needs unpickling) is refused with a one-line error."""
    path = tmp_path / "enc.npy"
    np.save(path, np.array([[1, "a"], [None, 2]], dtype=object), allow_pickle=True)
    code, _, err = run(capsys, "solve", "-K", "2", "--encoding", str(path))
    assert code == 2 and "enc.npy" in err and "Traceback" not in err


def test_metrics_reads_npy_and_npz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Property: collapsed features (N, d) with labels give NC1 = 0, from .npy or .npz."""
    labels = np.repeat(np.arange(3), 4)
    features = np.eye(3)[labels] * 2.0  # (N, d), every sample on its class mean
    np.save(tmp_path / "f.npy", features)
    np.save(tmp_path / "y.npy", labels)
    np.savez(tmp_path / "both.npz", feats=features.T, labels=labels)
    out = tmp_path / "m.json"
    code, _, _ = run(
        capsys, "metrics", str(tmp_path / "f.npy"), str(tmp_path / "y.npy"), "--json", str(out)
    )
    assert code == 0 and json.loads(out.read_text())["nc1_centred"] == 0.0
    code, _, _ = run(
        capsys, "metrics", f"{tmp_path / 'both.npz'}:feats", f"{tmp_path / 'both.npz'}:labels"
    )
    assert code == 0


def test_metrics_rejects_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Property: a text file posing as .npy, or a missing npz key, is a one-line error."""
    fake = tmp_path / "f.npy"
    fake.write_text("not numpy")
    np.save(tmp_path / "y.npy", np.arange(3))
    code, _, err = run(capsys, "metrics", str(fake), str(tmp_path / "y.npy"))
    assert code == 2 and "f.npy" in err
    np.savez(tmp_path / "a.npz", x=np.ones((3, 2)))
    code, _, err = run(capsys, "metrics", f"{tmp_path / 'a.npz'}:nope", str(tmp_path / "y.npy"))
    assert code == 2 and "nope" in err


def test_list_and_unknown_claim(capsys: pytest.CaptureFixture[str]) -> None:
    """Property: `verify list` shows the claims; an unknown claim is a one-line error."""
    code, out, _ = run(capsys, "list")
    assert code == 0 and "theorem-IV.4" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "│ sphere " in rows["sphere-ntce-nc"] and "│ mse " in rows["theorem-IV.4"]
    # a sphere claim's hypotheses in its own terms, not its placeholder Instance's
    ntce = rows["sphere-ntce-nc"]
    assert "balanced, d >= K" in ntce and "c_below_1" not in ntce
    code, _, err = run(capsys, "check", "theorem-IX.9")
    assert code == 2 and "theorem-IX.9" in err and "Traceback" not in err


def test_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Property: `verify check` prints a verdict table and writes one verdict per claim."""
    path = tmp_path / "v.json"
    code, out, _ = run(
        capsys, "check", "theorem-IV.1", "theorem-III.4", "-M", "5", "--json", str(path)
    )
    assert code == 0 and "verified" in out
    verdicts = json.loads(path.read_text())["verdicts"]
    assert [v["claim"] for v in verdicts] == [
        "theorem-IV.1",
        "theorem-III.4(a)",
        "theorem-III.4(b)",
    ]
