"""benchmarks/metrics_peers.py without the peers: a peer that is absent is a row saying so,
the comparison pairs values by the names given, and the page keeps every other section.

The peers themselves (torch) are not installed in the project's environment; the benchmark
runs them from a separate one, and no test times anything.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def peers() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "metrics_peers", ROOT / "benchmarks" / "metrics_peers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["metrics_peers"] = module
    spec.loader.exec_module(module)
    return module


def test_an_absent_peer_is_a_row_saying_so(peers: ModuleType, tmp_path: Path) -> None:
    """No peer python, or no peer code: every peer is skipped with the option that fixes it,
    and nc-verify's own values are still computed on the ten sets."""
    no_code = {peer: None for peer in peers.PEERS}
    res = peers.run_agreement(str(tmp_path / "no-python"), no_code, timeout=60)
    assert all(s.startswith("not run: no peer python") for s in res["peer_status"].values())
    res = peers.run_agreement(sys.executable, no_code, timeout=60)
    for peer, status in res["peer_status"].items():
        assert status.startswith("not run: its code is absent")
        assert peers.PEERS[peer][1] in status
    assert len(res["sets"]) == 10 and all(s["rows"] == [] for s in res["sets"])
    assert all(np.isfinite(s["reference"]["nc1_centred"]["value"]) for s in res["sets"])


def test_the_ten_sets_are_distinct_and_have_every_class(peers: ModuleType) -> None:
    sets = peers.feature_sets()
    assert len({s["name"] for s in sets}) == 10
    for s in sets:
        K = s["W"].shape[0]
        assert np.array_equal(np.unique(s["y"]), np.arange(K))
        assert s["X"].dtype == np.float64 and s["X"].shape[1] == s["W"].shape[1]


def test_compare_pairs_the_named_definitions(peers: ModuleType) -> None:
    """A peer's key is compared with nc-verify's key of the same centring; jinxinzhou's with
    the centred-W values; a value the peer could not compute is not a difference of 0."""
    ours = {
        "sample-mean": {"nc1_centred": 1.0, "nc1_han_centred": 2.0},
        "class-mean": {"nc1_centred": 3.0, "nc1_han_centred": 4.0},
        "W_centred": {"nc2_etf_classifier": 5.0},
    }
    theirs = {
        "rhubarbwu/neural-collapse": {
            "sample-mean": {"nc1_pinv": 1.0, "nc1_svd": "error: ValueError"},
            "class-mean": {"nc1_pinv": 3.3},
        },
        "jinxinzhou/nc_loss": {"sample-mean": {"nc2_etf_w": 5.0}},
    }
    rows = {(r["peer"], r["centring"], r["peer_key"]): r for r in peers.compare(ours, theirs)}
    assert rows[("rhubarbwu/neural-collapse", "sample-mean", "nc1_pinv")]["rel"] == 0.0
    assert rows[("rhubarbwu/neural-collapse", "class-mean", "nc1_pinv")]["rel"] == pytest.approx(
        0.3 / 3.3
    )
    assert peers._cell(rows[("rhubarbwu/neural-collapse", "sample-mean", "nc1_svd")]) == (
        "not computed"
    )
    jz = rows[("jinxinzhou/nc_loss", "sample-mean", "nc2_etf_w")]
    assert jz["ours_key"] == "nc2_etf_classifier (W centred)" and jz["rel"] == 0.0


def test_the_section_goes_after_metrics_scale_and_keeps_the_others(
    peers: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reports").mkdir()
    page = tmp_path / "reports" / "benchmarks.md"
    other = "<!-- ce:start -->\nCE rows\n<!-- ce:end -->\n"
    scale = "<!-- metrics-scale:start -->\nscale rows\n<!-- metrics-scale:end -->\n"
    page.write_text("# Benchmarks\n\n" + scale + "\n" + other)
    (tmp_path / "reports" / "benchmarks_metrics.json").write_text(json.dumps({"cases": [1]}))
    monkeypatch.setattr(peers, "ROOT", tmp_path)
    meta = {"torch": None, "note": "", "machine": "m", "when": "w", "commits": {}}
    for _ in range(2):  # written twice: one section, in the same place
        peers.write_reports({"meta": meta})
    text = page.read_text()
    assert text.count(peers.START) == 1 and text.count("CE rows") == 1
    assert text.index("scale rows") < text.index(peers.START) < text.index("CE rows")
    saved = json.loads((tmp_path / "reports" / "benchmarks_metrics.json").read_text())
    assert saved["cases"] == [1] and saved["peers"]["meta"]["machine"] == "m"
