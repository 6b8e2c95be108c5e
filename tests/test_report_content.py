"""The report's paper-specific parts come from a Content (verify.report.content): the library
draws what every report has and exactly what the registered contents give it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from verify.errors import InvalidArgument, VerifyError
from verify.report import build_report
from verify.report.content import Content, Drawing, contents, heading
from verify.report.plot import new_figure, save, style

CLAIM = "theorem-IV.4"  # a claim checked in seconds


def _figure(d: Drawing) -> list[dict[str, Any]]:
    with style():
        fig = new_figure(2, 2)
        fig.add_subplot().plot([0, 1], [0, d.seed])
        rel = save(fig, d.stage, "mine", d.dpi)
    return [{"name": "mine", "file": rel, "title": "Mine", "caption": "c", "claims": [CLAIM]}]


def _findings(verdicts: Any, claims: Any, slugs: Any, hunts: Any) -> list[dict[str, Any]]:
    return [{"kind": "mine", "title": "t", "text": f"{len(verdicts)} verdict(s)", "data": {}}]


def _page(d: Drawing, figures: list[dict[str, Any]]) -> None:
    (d.stage / "mine.md").write_text(f"# {len(figures)} figure(s)\n", encoding="utf-8")


MINE = Content(
    title='"A paper of my own"',
    lead="The claims of my paper",
    source="arXiv 0000.00000",
    figures=("mine",),
    draw=_figure,
    findings=_findings,
    pages=lambda ids: ("mine.md",),
    write=_page,
    beyond=(("My page", "mine.md"), ("A page nobody wrote", "absent.md")),
)


def test_the_report_is_what_its_contents_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another content registered, the index, its figures, findings, heading and pages
    are that content's, and nothing of this project's paper is drawn or written."""
    monkeypatch.setattr("verify.report.build.contents", lambda: (MINE,))
    out = tmp_path / "reports"
    index = build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=30)
    assert index["paper"] == "arXiv 0000.00000"
    assert [f["file"] for f in index["figures"]] == ["figures/mine.png"]
    assert [f["kind"] for f in index["findings"]] == ["mine"]
    assert index["beyond"] == [{"title": "My page", "page": "mine.md"}]
    page = (out / "index.md").read_text(encoding="utf-8")
    assert page.startswith('# Verification report: "A paper of my own"\n\nThe claims of my paper,')
    assert (out / "mine.md").read_text(encoding="utf-8") == "# 1 figure(s)\n"
    written = set(json.loads((out / "index.json").read_text(encoding="utf-8"))["manifest"])
    assert {"mine.md", "figures/mine.png"} <= written
    assert not written & {"losses.md", "figures/gaps.png", "figures/onehot_transition.png"}
    claim_page = (out / "claims" / f"{CLAIM}.md").read_text(encoding="utf-8")
    assert "figures/mine.png" in claim_page  # a figure is linked to the claims it names


def test_a_figure_the_content_did_not_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run plans its files before any work (to protect files it did not write), so a
    figure outside the plan is an error, and nothing is published."""
    sly = Content(**{**vars(MINE), "figures": ("other",)})
    monkeypatch.setattr("verify.report.build.contents", lambda: (sly,))
    out = tmp_path / "reports"
    with pytest.raises(VerifyError, match=r"figures/mine\.png"):
        build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=30)
    assert not (out / "index.json").exists()


def test_a_page_the_content_did_not_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Likewise for a content's own pages: a file it writes that ``pages`` did not name was
    never checked against the user's files, so the run stops before publishing."""

    def sneaky(d: Drawing, figures: list[dict[str, Any]]) -> None:
        _page(d, figures)
        (d.stage / "notes.txt").write_text("a user's notes\n", encoding="utf-8")

    monkeypatch.setattr(
        "verify.report.build.contents", lambda: (Content(**{**vars(MINE), "write": sneaky}),)
    )
    out = tmp_path / "reports"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(VerifyError, match=r"notes\.txt"):
        build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=30)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert not (out / "index.json").exists()


def test_a_hunt_finishing_during_the_checks_waits_for_the_next_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hunts are read once, before the checks: a hunt that writes its JSON into
    ``out/hunts`` meanwhile neither stops the run nor gets a page nobody planned."""
    from verify.report import build

    monkeypatch.setattr(build, "contents", lambda: (MINE,))
    out = tmp_path / "reports"
    real = build.run_checks

    def checks_while_a_hunt_lands(*args: Any, **kwargs: Any) -> Any:
        (out / "hunts").mkdir(parents=True, exist_ok=True)
        (out / "hunts" / "late.json").write_text('{"claim": "x", "status": "survived"}')
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "run_checks", checks_while_a_hunt_lands)
    index = build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=30)
    assert index["hunts"] == [] and not (out / "hunts" / "late.md").exists()
    assert (out / "hunts" / "late.json").exists()


def test_two_contents_drawing_one_figure_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("verify.report.build.contents", lambda: (MINE, MINE))
    with pytest.raises(InvalidArgument, match=r"figures/mine\.png"):
        build_report(tmp_path / "reports", examples=2, seed=1, claims=[CLAIM], dpi=30)


def test_an_entry_point_that_is_no_content_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    contents.cache_clear()
    monkeypatch.setattr("verify.plugins.load", lambda group: [("theirs", object())])
    try:
        with pytest.raises(VerifyError, match=r"'theirs'.*not a verify\.report\.content\.Content"):
            contents()
    finally:
        contents.cache_clear()


def test_this_project_registers_its_paper() -> None:
    """The installed project hands the library its paper's content (proofs.report)."""
    (ours,) = contents()
    assert ours.source == "arXiv 2606.00344"
    assert heading()["title"] == '"The role of class encoding in neural collapse"'
    assert "gaps" in ours.figures  # the library's gaps figure, placed in the paper's order
