"""``hiresim report PATH`` on what ``sensitivity --out`` and ``sweep --robust --out`` write
(a JSON file each): the same page as their ``--report``; anything else is one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import hiresim
from hiresim.html_report import ReportError
from small_scenario import cli, small_dict

QUICK = ("-n", 2, "--workers", 1, "-q")


def _scenario(folder: Path, sweep: bool = False) -> Path:
    data = small_dict()
    data["uncertain"] = {"profiles[*].offer_acceptance": {"low": 0.6, "high": 0.95}}
    if sweep:
        data["sweep"] = {"team.sourcers.count": [1, 2]}
    path = folder / ("grid.yaml" if sweep else "one.yaml")
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The JSON and the --report page of a sensitivity study and of a robust sweep."""
    folder = tmp_path_factory.mktemp("studies")
    done = cli("sensitivity", _scenario(folder), "--points", 2, "--refine", 0,
               "--method", "none", "--out", folder / "sens.json",
               "--report", folder / "sens-direct.html", *QUICK)
    assert done.exit_code == 0, done.stderr
    done = cli("sweep", _scenario(folder, sweep=True), "--robust", "--robust-samples", 2,
               "--goal", "fill_rate>=0.5", "--out", folder / "robust.json",
               "--report", folder / "robust-direct.html", *QUICK)
    assert done.exit_code == 0, done.stderr
    return {"folder": folder, "sensitivity": folder / "sens.json",
            "robust": folder / "robust.json"}


@pytest.mark.parametrize("kind,stem,heading", [
    ("sensitivity", "sens", "What the answer depends on"),
    ("robust", "robust", "Parameter uncertainty against the year"),
])
def test_report_of_a_study_json_is_the_page_its_report_option_writes(
        studies: dict[str, Path], kind: str, stem: str, heading: str) -> None:
    saved = studies[kind]
    assert json.loads(saved.read_text())["kind"] in ("sensitivity", "robust sweep")
    done = cli("report", saved)
    assert done.exit_code == 0, done.stderr
    written = saved.with_suffix(".html")
    assert done.stderr.strip() == f"report: {written}"
    text = written.read_text()
    assert heading in text
    assert text == (studies["folder"] / f"{stem}-direct.html").read_text()
    other = studies["folder"] / f"{stem}-other.html"
    done = cli("report", saved, "-o", other, "--cdn")
    assert done.exit_code == 0, done.stderr
    assert heading in other.read_text() and len(other.read_text()) < len(text)


def test_the_python_api_renders_a_study_json(studies: dict[str, Path], tmp_path: Path) -> None:
    target = hiresim.report(studies["robust"], tmp_path / "r.html")
    assert target == tmp_path / "r.html"
    assert "Parameter uncertainty against the year" in target.read_text()
    with pytest.raises(ReportError, match="not a hiresim result folder, nor the JSON"):
        hiresim.report(_scenario(tmp_path), tmp_path / "x.html")


def _one_line_error(done: object, *words: str) -> None:
    assert done.exit_code == 2, done.stdout  # type: ignore[attr-defined]
    lines = done.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for word in words:
        assert word in lines[0], lines[0]


def test_anything_else_is_one_line_and_exit_2(studies: dict[str, Path], tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not json\n")
    other_kind = tmp_path / "other.json"
    other_kind.write_text(json.dumps({"kind": "something else"}))
    a_list = tmp_path / "list.json"
    a_list.write_text("[1, 2]")
    binary = tmp_path / "table.parquet"
    binary.write_bytes(b"PAR1\xff\xfe\x00\x01")
    for path in (text, other_kind, a_list, binary, _scenario(tmp_path)):
        _one_line_error(cli("report", path), str(path), "not a hiresim result folder",
                        "sensitivity --out", "sweep --robust --out")
        assert not path.with_suffix(".html").exists()
    _one_line_error(cli("report", tmp_path / "missing.json"), "no such result folder or file")


def test_an_altered_study_json_is_one_line(studies: dict[str, Path], tmp_path: Path) -> None:
    report = json.loads(studies["sensitivity"].read_text())
    del report["tornado"]
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(report))
    _one_line_error(cli("report", altered), "incomplete or altered sensitivity report")
    assert not altered.with_suffix(".html").exists()


def test_the_report_never_replaces_its_input(studies: dict[str, Path], tmp_path: Path) -> None:
    named_html = tmp_path / "sens.html"  # --out takes any name: JSON in an .html file
    named_html.write_text(studies["sensitivity"].read_text())
    _one_line_error(cli("report", named_html), "is an input")
    assert json.loads(named_html.read_text())["kind"] == "sensitivity"
    _one_line_error(cli("report", studies["sensitivity"], "-o", tmp_path / "r.json"),
                    "a report is an HTML file")
