"""proofs/false_alarms.py: true claims checked over seeds, certified instances counted, and a
refutation reported as a finding (issue 10's target "no true claim refuted in 10^4 certified
instances")."""

from __future__ import annotations

import json
from pathlib import Path

from proofs import REGISTRY
from proofs.false_alarms import _markdown, main, measure, true_claims
from proofs.planted import PLANTED

ROOT = Path(__file__).resolve().parents[1]


def test_the_module_runs_and_writes_both_files(tmp_path: Path) -> None:
    code = main(
        ["--seeds", "1", "--examples", "3", "--claim", "theorem-IV.1", "--out", str(tmp_path)]
    )
    assert code == 0
    data = json.loads((tmp_path / "false_alarms.json").read_text())
    row = data["claims"]["theorem-IV.1"]
    assert row["seeds"] == 1 and row["refutations"] == 0 and row["statuses"] == ["verified"]
    # the counts are the verdict's certified outcomes; distinct instances are never more
    assert 0 < row["distinct certified instances"] <= row["certified instances"]
    assert data["totals"]["certified instances"] == row["certified instances"]
    page = (tmp_path / "false_alarms.md").read_text()
    assert "`theorem-IV.1`" in page and "0 refutations in" in page
    assert "Target not met" in page  # a few dozen instances are not 10^4
    assert not list(tmp_path.glob(".*"))  # nothing half-written left behind


def test_only_true_claims_are_taken_from_the_committed_report() -> None:
    index = json.loads((ROOT / "reports" / "index.json").read_text())
    chosen = {
        c.id: (status, source) for c, status, source in true_claims(ROOT / "reports/index.json")
    }
    for entry in index["claims"]:
        if entry["id"] not in REGISTRY:
            continue
        if entry["status"] in ("proved", "verified", "supported"):
            assert chosen[entry["id"]] == (entry["status"], "committed report")
        else:
            assert entry["id"] not in chosen, entry
    assert "conjecture-ssetf:if" not in chosen and "theorem-ssetf:if" in chosen


def test_a_refuted_claim_is_a_finding_with_its_counterexample() -> None:
    """A refutation is never hidden: counted, with the counterexample, and the page says so."""
    claim, _ = PLANTED["planted:bias-one-branch"]
    result = measure([(claim, "verified", "a test")], range(1), examples=5)
    row = result[claim.id]
    assert row["refutations"] == 1 and row["statuses"] == ["refuted"]
    (finding,) = row["refuted at"]
    assert finding["seed"] == 0 and finding["counterexample"]["status"] == "counterexample"
    page = _markdown(result, 5, 1, default=False)
    assert "**1 refutations in" in page and "(findings)" in page and "Target not met" in page


def test_the_report_index_links_the_page_when_present() -> None:
    from verify.report.pages import index_page

    index = json.loads((ROOT / "reports" / "index.json").read_text())
    index.pop("false_alarms", None)
    assert "false_alarms.md" not in index_page(index)  # an index without the key still renders
    for planted in (index.get("planted"), None):
        page = index_page({**index, "planted": planted, "false_alarms": "false_alarms.md"})
        assert "## Search quality" in page and "[false alarms](false_alarms.md)" in page
