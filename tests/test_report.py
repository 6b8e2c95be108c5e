"""The verification report: complete, reproducible, linked, and never half-written.

One report is built (``--examples 3``, low dpi) into a directory that already holds what other
commands write there (a hunt's JSON, the benchmarks page and figure) and a stale figure of a
previous report; the tests read it, then regenerate it to check reproducibility.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from proofs import REGISTRY
from verify.cli import main
from verify.encodings import one_hot
from verify.errors import InvalidFile
from verify.instance import Instance
from verify.report import (
    END,
    START,
    build_report,
    claim_table_markdown,
    readme_table,
    slugify,
    slugs_for,
    update_readme,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES, SEED, DPI = 3, 0, 40
TIMING_KEYS = {"seconds", "timings"}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _hunt_record(c: float, lambda_b: float, status: str) -> dict[str, Any]:
    K, n = 3, 2
    mu = c / (K * math.sqrt(n))
    inst = Instance(one_hot(K), (n,) * K, K, mu, mu, lambda_b)
    return {"instance": inst.to_dict(), "residuals": {"Hbar is an SSETF": 0.0}, "status": status}


def _seed_foreign_files(out: Path) -> None:
    """What other commands leave in reports/, and a figure our previous report generated."""
    (out / "hunts").mkdir(parents=True)
    (out / "figures").mkdir()
    hunt = {  # the shape verify.hunt.run.HuntResult.as_dict writes
        "tool": "nc-verify hunt",
        "claim": "conjecture-ssetf:if",
        "slug": "conjecture-if",
        "status": "refuted",
        "relaxed": [],
        "budget": 20,
        "seed": 0,
        "directions": [
            {
                "claim": "conjecture-ssetf:if",
                "status": "refuted",
                "reason": "certified",
                "budget": {"evaluated": 5},
                "counterexamples_seen": 1,
            },
        ],
        "counterexample": {
            **_hunt_record(1.5, 1.0, "counterexample"),
            "residuals": {"Hbar is an SSETF": 1.0},
            "direction": "conjecture-ssetf:if",
            "confirmed": True,
        },
        "closest_call": _hunt_record(0.5, 1.0, "holds"),
        "amendment": {
            "id": "conjecture-ssetf:if with c_below_alpha",
            "statement": "add c < alpha",
            "added": "$c < \\alpha$",
            "status": "survived",
            "hunts": [{"huge": list(range(100))}],
        },
        "tried": [_hunt_record(c, lb, "holds") for c in (0.2, 0.5) for lb in (0.0, 1.0)],
        "tried_total": 4,
        "timing": {"seconds": 1.0},
    }
    (out / "hunts" / "conjecture-if.json").write_text(json.dumps(hunt))
    (out / "benchmarks.md").write_text("# Benchmarks\n")
    (out / "figures" / "benchmarks_time.png").write_bytes(b"not ours")
    (out / "figures" / "stale.png").write_bytes(b"ours, from an older report")
    (out / "index.json").write_text(json.dumps({"generated": ["figures/stale.png"]}))


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in TIMING_KEYS}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("report") / "reports"
    _seed_foreign_files(out)
    index = build_report(out, examples=EXAMPLES, seed=SEED, dpi=DPI)
    return out, index


def test_every_registered_claim_has_a_page(report: tuple[Path, dict[str, Any]]) -> None:
    """Property: each claim of the registry has a page and a JSON file naming it."""
    out, index = report
    pages = {c["id"]: c for c in index["claims"]}
    assert list(pages) == list(REGISTRY)
    for claim_id, entry in pages.items():
        page = (out / entry["page"]).read_text(encoding="utf-8")
        assert f"`{claim_id}`" in page and f"**Status: {entry['status']}.**" in page
        data = json.loads((out / entry["json"]).read_text(encoding="utf-8"))
        assert data["claim"]["id"] == claim_id and data["verdict"]["status"] == entry["status"]


def test_links_and_images_exist(report: tuple[Path, dict[str, Any]]) -> None:
    """Property: every relative link and image in every generated page resolves to a file."""
    out, _ = report
    pages = [
        out / "index.md",
        *sorted((out / "claims").glob("*.md")),
        out / "hunts/conjecture-if.md",
    ]
    checked = 0
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "#")):
                continue
            assert (page.parent / target.split("#")[0]).is_file(), f"{page.name} -> {target}"
            checked += 1
    assert checked > 3 * len(REGISTRY)


def test_foreign_files_are_kept_and_stale_ones_removed(report: tuple[Path, dict[str, Any]]) -> None:
    """Property: benchmarks and hunt JSON survive; our stale figure goes; both are linked."""
    out, index = report
    assert (out / "figures/benchmarks_time.png").read_bytes() == b"not ours"
    assert (out / "hunts/conjecture-if.json").exists() and (out / "benchmarks.md").exists()
    assert not (out / "figures/stale.png").exists()
    text = (out / "index.md").read_text(encoding="utf-8")
    assert "(benchmarks.md)" in text and "(hunts/conjecture-if.md)" in text
    assert any(f["kind"] == "amended" for f in index["findings"])
    conjecture = next(f for f in index["figures"] if f["name"] == "conjecture_ssetf")
    assert "conjecture-if" in conjecture["data"]["source"]
    assert sum(p["hunt_counterexample"] for p in conjecture["data"]["points"]) == 1
    assert not list(out.glob(".report-*"))


def test_findings_are_recomputed(report: tuple[Path, dict[str, Any]]) -> None:
    """Property: the derived constants and the label-smoothing sign come from computation."""
    _, index = report
    derived = next(f for f in index["findings"] if f["title"] == "alpha_1, alpha_2")
    assert derived["data"]["equal"] and derived["data"]["matches"]
    smoothing = next(f for f in index["findings"] if f["title"] == "label smoothing sign")
    assert smoothing["data"]["max_error_minus_sign"] < 1e-12
    assert smoothing["data"]["min_error_paper_sign"] > 0.1


def _same_report(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert first.keys() == second.keys()
    for name in first:
        if name.endswith(".json"):
            a, b = (_strip(json.loads(s[name])) for s in (first, second))
            assert a == b, name
        else:
            assert first[name] == second[name], name


@pytest.mark.slow  # a second build of the whole report (~55 s)
def test_same_seed_same_report(report: tuple[Path, dict[str, Any]]) -> None:
    """Property: regenerating with the same seed gives identical JSON apart from timings, and
    identical pages and figures."""
    out, _ = report
    first = _snapshot(out)
    build_report(out, examples=EXAMPLES, seed=SEED, dpi=DPI)
    _same_report(first, _snapshot(out))


def test_same_seed_same_report_for_some_claims(tmp_path: Path) -> None:
    """Property: the same for a report of one MSE claim (its pages, the loss table's
    cross-entropy check of it, the figures, the index), built twice."""
    out = tmp_path / "reports"
    build_report(out, examples=2, seed=SEED, claims=["theorem-IV.4"], dpi=DPI)
    first = _snapshot(out)
    build_report(out, examples=2, seed=SEED, claims=["theorem-IV.4"], dpi=DPI)
    _same_report(first, _snapshot(out))


def test_interrupted_run_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a failure while the report is being written changes nothing in --out."""
    out = tmp_path / "reports"
    build_report(out, examples=2, seed=1, claims=["theorem-IV.4"], dpi=DPI)
    before = _snapshot(out)

    def fail(*args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("verify.report.build.claim_page", fail)
    with pytest.raises(KeyboardInterrupt):
        build_report(out, examples=2, seed=2, claims=["theorem-IV.4"], dpi=DPI)
    assert _snapshot(out) == before
    assert not list(out.glob(".report-*"))


def test_claim_table_round_trips_through_the_readme(
    report: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Property: --update-readme writes exactly claim_table_markdown(index.json) between the
    markers, leaves the rest alone, and is idempotent."""
    out, index = report
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{START}\nold\n{END}\n\nafter\n", encoding="utf-8")
    code = main(["report", "--out", str(out), "--update-readme", str(readme), "--readme-only"])
    assert code == 0
    prefix = Path(__import__("os").path.relpath(out, tmp_path)).as_posix() + "/"
    assert readme_table(readme) == claim_table_markdown(out / "index.json", prefix)
    assert claim_table_markdown(index, prefix) == claim_table_markdown(out / "index.json", prefix)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"# title\n\n{START}\n") and text.endswith(f"{END}\n\nafter\n")
    assert not update_readme(readme, out / "index.json", out)
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="claims:start"):
        update_readme(readme, out / "index.json", out)


def test_readme_only_needs_a_readme(capsys: pytest.CaptureFixture[str]) -> None:
    """Property: --readme-only without --update-readme is a clear usage error."""
    assert main(["report", "--readme-only"]) == 2
    assert "--readme-only" in capsys.readouterr().err


def test_readme_table_agrees_with_the_committed_report() -> None:
    """Property: README.md's claim table is the one reports/index.json gives, and every
    registered claim has a page in the committed report."""
    index_json = ROOT / "reports" / "index.json"
    if not index_json.exists():
        pytest.skip("no committed report yet (run `verify report`)")
    index = json.loads(index_json.read_text(encoding="utf-8"))
    assert {c["id"] for c in index["claims"]} >= set(REGISTRY)
    for c in index["claims"]:
        assert (ROOT / "reports" / c["page"]).is_file()
    rows = (ROOT / "reports" / "index.md").read_text(encoding="utf-8")
    for c in index["claims"]:
        assert f"| `{c['id']}` |" in rows and f"**{c['status']}**" in rows
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("no README.md yet")
    assert readme_table(readme) == claim_table_markdown(index, "reports/")


def test_slugs_are_safe_and_unique() -> None:
    """Property: slugs use only [A-Za-z0-9._-] and stay unique even ignoring case."""
    assert slugify("conjecture-ssetf:if") == "conjecture-ssetf-if"
    assert slugify("theorem-III.4(a)") == "theorem-III.4-a"
    slugs = slugs_for(["a:b", "a(b)", "A-B", *REGISTRY])
    assert len({s.lower() for s in slugs.values()}) == len(slugs)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", s) for s in slugs.values())
