"""Greenhouse, Lever and Ashby exports translated to the generic history format.

Each adapter reads one CSV report of its product, flattened to one row per stage entry,
with the column names of that product's data export / API fields (headers are matched
loosely: case, spaces and underscores do not matter, so ``entered_on`` and ``Entered On``
are the same column). Check your export's header against these lists; a column named
differently can be renamed in the CSV, and stage names not listed in ``STAGE_NAMES`` are
mapped with ``--stage-map``.

- **greenhouse**: the application stages of Greenhouse's data export (Harvest
  ``applications`` with their ``application_stages``), one row per application per stage:
  ``application_id``, ``job_id`` (or ``opening_id`` when present: the req), ``job_name``
  (the profile), ``source``, ``stage_name``, ``entered_on``, ``exited_on``, ``status``
  (``active``, ``rejected``, ``hired``), ``rejection_reason``.
- **lever**: Lever opportunities' stage changes (``stageChanges`` of the opportunities
  export), one row per change: ``opportunityId``, ``postingId`` (the req),
  ``postingTitle`` (the profile), ``origin`` (``sourced``, ``applied``, ``referred``,
  ``agency``, ...), ``stage`` (the stage entered), ``changedAt``, ``archivedAt``,
  ``archiveReason``. A stage is left when the next change happens.
- **ashby**: Ashby's application history (``application.listHistory`` joined with the
  application), one row per stage entry: ``applicationId``, ``jobId`` (the req),
  ``jobTitle`` (the profile), ``source``, ``title`` (the stage), ``enteredStageAt``,
  ``leftStageAt``, ``status`` (``Active``, ``Hired``, ``Archived``, ``Lead``),
  ``archiveReason``.

How outcomes are derived: a stage followed by another was ``passed``; the last stage of
an application takes its status: hired (at the offer: ``hired``; a final ``Hired`` stage
is read as the answer to the offer before it), archived or rejected with a reason that
says the candidate withdrew (``withdrew``), declined the offer (``declined``), or that the
job was filled or closed (``closed``), otherwise ``rejected``; still active: ``open``.
Sources: anything naming sourcing, prospecting or outreach is ``sourced``; referrals and
agencies are themselves; everything else (applied, job boards, careers page) is
``inbound``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hiresim.ats_export import (
    ExportError,
    RowProblem,
    format_time,
    normal,
    parse_time,
    read_rows,
)

STAGE_NAMES: dict[str, tuple[str, ...]] = {
    "outreach": ("new lead", "lead", "reached out", "contacted", "outreach", "prospect",
                 "sourced"),
    "interest": ("replied", "responded", "interested", "interest"),
    "qualification": ("qualification", "qualified", "sourcer screen", "intro call"),
    "handoff": ("handoff", "hand off"),
    "application_review": ("application review", "applied", "new applicant", "application",
                           "resume review", "review", "new"),
    "screen": ("recruiter screen", "phone screen", "screen", "screening", "recruiter call"),
    "interview:technical": ("technical interview", "technical screen", "take home",
                            "take home test", "coding challenge", "coding interview",
                            "technical"),
    "interview:onsite": ("onsite", "on site", "onsite interview", "virtual onsite",
                         "face to face", "final interview", "final round", "panel interview"),
    "debrief": ("debrief", "reference check", "references", "hiring decision", "decision"),
    "offer": ("offer", "offer extended", "offer stage"),
    "\0hired": ("hired",),
}
_STAGE_OF = {normal(name): stage for stage, names in STAGE_NAMES.items() for name in names}


@dataclass(frozen=True)
class Adapter:
    """One product's report: which column plays which part, and its shape."""

    name: str
    shape: str  # "intervals": entered/left per row; "events": one row per stage change
    columns: Mapping[str, tuple[str, ...]]  # part -> column names, first found wins


ADAPTERS = {
    "greenhouse": Adapter("greenhouse", "intervals", {
        "candidate": ("application_id",), "req": ("opening_id", "job_id"),
        "profile": ("job_name", "job"), "source": ("source", "source_name"),
        "stage": ("stage_name", "stage"), "entered": ("entered_on",),
        "left": ("exited_on",), "status": ("status",), "reason": ("rejection_reason",)}),
    "lever": Adapter("lever", "events", {
        "candidate": ("opportunityId", "opportunity_id"), "req": ("postingId",),
        "profile": ("postingTitle", "posting"), "source": ("origin",),
        "stage": ("stage", "toStage"), "entered": ("changedAt", "updatedAt"),
        "left": ("archivedAt",), "reason": ("archiveReason",)}),
    "ashby": Adapter("ashby", "intervals", {
        "candidate": ("applicationId",), "req": ("openingId", "jobId"),
        "profile": ("jobTitle", "job"), "source": ("source",),
        "stage": ("title", "stage", "stageTitle"), "entered": ("enteredStageAt",),
        "left": ("leftStageAt",), "status": ("status",), "reason": ("archiveReason",)}),
}
OPTIONAL = {"reason", "left", "status"}


def source_of(text: str) -> str:
    t = text.lower()
    if "refer" in t:
        return "referral"
    if "agenc" in t:
        return "agency"
    if any(k in t for k in ("sourc", "prospect", "outbound", "outreach")):
        return "sourced"
    return "inbound"


def final_outcome(status: str, reason: str, stage: str) -> str:
    """The generic outcome of an application's last stage from its status and reason."""
    s, r = status.lower(), reason.lower()
    if s == "hired" or r == "hired":
        return "hired"
    if s in ("", "active", "lead", "open") and not r:
        return "open"
    if "withdr" in r or "dropped out" in r or "not interested" in r:
        return "withdrew"
    if "declin" in r and stage == "offer":
        return "declined"
    if any(k in r for k in ("filled", "closed", "hired someone", "another candidate",
                            "cancel")):
        return "closed"
    return "rejected"


def _columns(adapter: Adapter, header: list[str], path: Path) -> dict[str, str]:
    by_normal = {normal(h): h for h in header}
    found = {}
    for part, names in adapter.columns.items():
        hit = next((by_normal[normal(n)] for n in names if normal(n) in by_normal), None)
        if hit is not None:
            found[part] = hit
        elif part not in OPTIONAL:
            raise ExportError(f"{path}:1: not a {adapter.name} export: no column "
                              f"{' or '.join(names)} (found: {', '.join(header)})")
    return found


def adapter_rows(fmt: str, path: Path, stage_map: Mapping[str, str]
                 ) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem], int]:
    """Generic rows (line, row) of a product's export, the rows it could not use (one
    problem each) and the count of ``Hired`` stage rows folded into the offer before."""
    if fmt not in ADAPTERS:
        raise ExportError(f"--format: no adapter '{fmt}' (generic, {', '.join(ADAPTERS)})")
    adapter = ADAPTERS[fmt]
    header, rows = read_rows(path)
    cols = _columns(adapter, header, path)
    problems: list[RowProblem] = []
    by_candidate: dict[str, list[tuple[float, int, dict[str, str]]]] = {}
    for line, raw in rows:
        row = {part: raw.get(col, "") for part, col in cols.items()}
        if not row["candidate"]:
            problems.append(RowProblem(str(path), line, cols["candidate"], "empty"))
            continue
        try:
            when = parse_time(row["entered"])
        except ValueError:
            problems.append(RowProblem(str(path), line, cols["entered"],
                                       f"'{row['entered']}' is not a date"))
            continue
        by_candidate.setdefault(row["candidate"], []).append((when, line, row))
    out: list[tuple[int, dict[str, str]]] = []
    folded = 0
    for entries in by_candidate.values():
        entries.sort(key=lambda e: (e[0], e[1]))
        generic: list[tuple[int, dict[str, str]]] = []
        for i, (when, line, row) in enumerate(entries):
            stage = stage_map.get(normal(row["stage"])) or _STAGE_OF.get(normal(row["stage"]),
                                                                         row["stage"])
            last = i == len(entries) - 1
            if stage == "\0hired":
                if generic:
                    generic[-1][1].update(outcome="hired", left_at=format_time(when))
                    folded += 1
                    continue
                stage = "offer"
            left = row.get("left", "") if adapter.shape == "intervals" else ""
            if not last:
                outcome = "passed"
                left = left or format_time(entries[i + 1][0])
            else:
                outcome = final_outcome(row.get("status", ""), row.get("reason", ""), stage)
                if adapter.shape == "events":
                    left = row.get("left", "")
                if outcome == "open":
                    left = ""
                elif not left:
                    left = format_time(when)
            generic.append((line, {
                "candidate_id": row["candidate"], "req_id": row["req"],
                "profile": row["profile"], "source": source_of(row["source"]),
                "stage": stage, "entered_at": row["entered"], "left_at": left,
                "outcome": outcome}))
        out += generic
    out.sort(key=lambda item: item[0])
    return out, problems, folded
