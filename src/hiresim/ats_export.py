"""Candidate-stage histories from an ATS export: the generic CSV format and its checks.

The **generic format** (what ``hiresim export-history`` writes and ``hiresim calibrate``
reads) is a CSV file with one row per candidate per stage visit:

=============  ==========================================================================
column         meaning
=============  ==========================================================================
candidate_id   one candidate's application to one req (text)
req_id         the req (requisition, opening) they are in process for (text)
profile        the kind of opening (job family, role profile), e.g. ``backend``
source         ``sourced`` (outbound), ``inbound`` (applied), ``referral``, ``agency`` or
               ``pool`` (a past candidate re-engaged from the talent pool)
stage          ``outreach``, ``interest``, ``qualification``, ``handoff``,
               ``application_review``, ``screen``, ``interview:<round>``, ``debrief``,
               ``offer`` (``--stage-map`` renames other pipelines' stages onto these)
entered_at     when the candidate became ready for the stage: ``YYYY-MM-DD`` or
               ``YYYY-MM-DDTHH:MM[:SS]`` (UTC)
left_at        when they left it (empty while ``open``)
outcome        ``passed``, ``rejected``, ``withdrew`` (the candidate dropped out),
               ``hired`` / ``declined`` (the answer to an offer), ``closed`` (the req
               closed before a decision: not a rejection) or ``open`` (still in the stage)
=============  ==========================================================================

``outreach`` is the outbound sequence: ``passed`` means the prospect replied. ``interest``
follows a reply (entered and left at the reply): ``passed`` means interested.

A **reqs file** (optional, recognised by its ``opened_at`` column) has one row per req:
``req_id``, ``profile``, ``opened_at`` (approval: the clock of time-to-fill starts),
``posted_at`` (optional: the job ad went up, applications start), ``filled_at`` (empty:
still open). Without one, a req opens with its first candidate and fills with its hire.

Every bad row is reported on one line, ``FILE:ROW: error: COLUMN: what is wrong`` (ROW is
the line in the file; the header is line 1), and skipped; questionable rows (dates out of
order) get a ``warning`` and are kept; exact duplicates are skipped with a warning. Nothing
is dropped without a line, and ``LoadReport.summary`` says how many rows were used.

Exports of Greenhouse, Lever and Ashby are translated to this format first
(``hiresim.ats_adapters``); ``hiresim.history_loader.load_history`` reads any of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HISTORY_COLUMNS = ("candidate_id", "req_id", "profile", "source", "stage", "entered_at",
                   "left_at", "outcome")
REQ_FILE_COLUMNS = ("req_id", "profile", "opened_at", "posted_at", "filled_at")
FIXED_STAGES = ("outreach", "interest", "qualification", "handoff", "application_review",
                "screen", "debrief", "offer")
ROUND_PREFIX = "interview:"
OUTCOMES = ("passed", "rejected", "withdrew", "hired", "declined", "closed", "open")
SOURCES = ("sourced", "inbound", "referral", "agency", "pool")
IGNORE = "ignore"  # a --stage-map target: rows of that stage are counted and left out
EPOCH = dt.datetime(1970, 1, 1)
EXTRA = "\0extra"  # key of a row's count of values beyond the header
MAX_LISTED = 30  # problems printed per file; the rest are counted


def stage_rank(stage: str) -> int:
    """Position of a stage in the pipeline (interview rounds share one rank)."""
    if stage.startswith(ROUND_PREFIX):
        return FIXED_STAGES.index("screen") * 10 + 5
    return FIXED_STAGES.index(stage) * 10


def known_stage(stage: str) -> bool:
    return stage in FIXED_STAGES or (stage.startswith(ROUND_PREFIX)
                                     and len(stage) > len(ROUND_PREFIX))


def parse_time(text: str) -> float:
    """Days since 1970-01-01 (UTC) of an ISO date or date-time; ValueError if it is none."""
    value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1)
                                      if len(text.strip()) > 10 else text.strip())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return (value - EPOCH).total_seconds() / 86400.0


def format_time(days: float) -> str:
    """The ISO date-time (to the minute) of days since 1970-01-01."""
    if not math.isfinite(days):
        return ""
    return (EPOCH + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def to_date(days: float) -> dt.date:
    return (EPOCH + dt.timedelta(days=days)).date()


@dataclass(frozen=True)
class RowProblem:
    """One line about one row: where it is and what is wrong."""

    file: str
    line: int
    column: str
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"{self.file}:{self.line}: {self.level}: {where}{self.message}"


@dataclass
class LoadReport:
    """What reading the export found: rows read and used, and every problem."""

    rows_read: int = 0
    rows_used: int = 0
    skipped: int = 0  # rows with an error, duplicates and ignored stages
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.level == "warning"]

    def lines(self, limit: int = MAX_LISTED) -> list[str]:
        """The problem lines (at most ``limit`` per level), then the summary."""
        out: list[str] = []
        for level in ("error", "warning"):
            items = [p for p in self.problems if p.level == level]
            out += [str(p) for p in items[:limit]]
            if len(items) > limit:
                out.append(f"... and {len(items) - limit} more {level}s")
        return out + self.notes + [self.summary()]

    def summary(self) -> str:
        return (f"{self.rows_read} rows read, {self.rows_used} used, {self.skipped} skipped "
                f"({len(self.errors)} errors, {len(self.warnings)} warnings)")


@dataclass
class History:
    """A candidate-stage history ready for estimation.

    ``visits``: one row per stage visit, columns ``candidate``, ``req``, ``profile``,
    ``source``, ``stage``, ``entered``, ``left`` (days since 1970-01-01; nan while open),
    ``outcome``, ``file``, ``line``. ``reqs``: ``req``, ``profile``, ``opened``, ``posted``,
    ``filled`` (days; nan: open). ``start`` and ``end`` bound the period (days): the
    first req's opening day (midnight) and the last timestamp (or ``as_of``).
    """

    visits: pd.DataFrame
    reqs: pd.DataFrame
    start: float
    end: float
    report: LoadReport
    files: list[str]

    @property
    def days(self) -> float:
        return self.end - self.start

    def start_date(self) -> dt.date:
        return to_date(self.start)


class ExportError(Exception):
    """The export cannot be read at all (no such file, no header, missing columns)."""


# --------------------------------------------------------------------------- reading


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows of a CSV file, each row with its line number (header = line 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ExportError(f"{path}: cannot read ({err.strerror})") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not a UTF-8 text file") from None
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ExportError(f"{path}: empty file (expected a CSV header)") from None
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        if len(values) > len(header):
            row[EXTRA] = str(len(values) - len(header))
        rows.append((reader.line_num, row))
    return header, rows


def normal(name: str) -> str:
    """A column or stage name compared loosely: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_reqs_header(header: Sequence[str]) -> bool:
    return "openedat" in {normal(h) for h in header}


def load_stage_map(path: str | Path | None) -> dict[str, str]:
    """A ``--stage-map`` file: YAML (``their stage: our stage``) or CSV (two columns).

    Targets are the generic stages, ``interview:<round>`` or ``ignore``.
    """
    if path is None:
        return {}
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ExportError(f"{p}: cannot read the stage map ({err.strerror})") from None
    if p.suffix.lower() == ".csv":
        pairs = [tuple(r[:2]) for r in csv.reader(text.splitlines()) if len(r) >= 2]
        if pairs and normal(pairs[0][1]) in ("stage", "to", "hiresimstage"):
            pairs = pairs[1:]
    else:
        import yaml

        data = yaml.safe_load(text) or {}
        if not isinstance(data, Mapping):
            raise ExportError(f"{p}: a stage map is a mapping 'their stage: our stage'")
        pairs = [(str(k), str(v)) for k, v in data.items()]
    out = {}
    for theirs, ours in pairs:
        ours = ours.strip()
        if ours != IGNORE and not known_stage(ours):
            raise ExportError(f"{p}: '{theirs}' maps to '{ours}', which is not a stage "
                              f"({', '.join(FIXED_STAGES)}, interview:<round> or ignore)")
        out[normal(theirs)] = ours
    return out


def _column_lookup(header: Sequence[str], path: Path, wanted: Iterable[str],
                   optional: Iterable[str] = ()) -> dict[str, str]:
    by_normal = {normal(h): h for h in header}
    found, missing = {}, []
    for col in wanted:
        if normal(col) in by_normal:
            found[col] = by_normal[normal(col)]
        else:
            missing.append(col)
    for col in optional:
        if normal(col) in by_normal:
            found[col] = by_normal[normal(col)]
    if missing:
        raise ExportError(f"{path}:1: missing column(s) {', '.join(missing)} "
                          f"(found: {', '.join(header)})")
    return found


def generic_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a generic-format history file, keyed by the generic column names."""
    header, rows = read_rows(path)
    cols = _column_lookup(header, path, HISTORY_COLUMNS)
    out = []
    for line, row in rows:
        generic = {c: row.get(cols[c], "") for c in HISTORY_COLUMNS}
        if EXTRA in row:
            generic[EXTRA] = row[EXTRA]
        out.append((line, generic))
    return out


def _time(row: Mapping[str, str], col: str, file: str, line: int,
          problems: list[RowProblem], required: bool) -> float | None:
    text = row.get(col, "")
    if not text:
        if required:
            problems.append(RowProblem(file, line, col, "empty (a date is required)"))
            return None
        return math.nan
    try:
        return parse_time(text)
    except ValueError:
        problems.append(RowProblem(file, line, col, f"'{text}' is not a date "
                                   "(YYYY-MM-DD or YYYY-MM-DDTHH:MM)"))
        return None


def check_visit(file: str, line: int, row: Mapping[str, str],
                stage_map: Mapping[str, str]) -> tuple[dict | None, list[RowProblem]]:
    """One generic row checked and converted; None (with problems) if it is unusable."""
    problems: list[RowProblem] = []
    if EXTRA in row:
        problems.append(RowProblem(file, line, "", f"{row[EXTRA]} more value(s) than "
                                   "the header has columns (malformed row)"))
    for col in ("candidate_id", "req_id", "profile", "source", "stage", "outcome"):
        if not row.get(col):
            problems.append(RowProblem(file, line, col, "empty"))
    if problems:
        return None, problems
    stage = stage_map.get(normal(row["stage"]), row["stage"])
    if stage == IGNORE:
        return {"ignored": True}, []
    if not known_stage(stage):
        problems.append(RowProblem(file, line, "stage", f"unknown stage '{row['stage']}' "
                                   f"(stages: {', '.join(FIXED_STAGES)}, interview:<round>; "
                                   "map others with --stage-map)"))
    source, outcome = row["source"].lower(), row["outcome"].lower()
    if source not in SOURCES:
        problems.append(RowProblem(file, line, "source", f"'{row['source']}' is not one of "
                                   f"{', '.join(SOURCES)}"))
    if outcome not in OUTCOMES:
        problems.append(RowProblem(file, line, "outcome", f"'{row['outcome']}' is not one of "
                                   f"{', '.join(OUTCOMES)}"))
    entered = _time(row, "entered_at", file, line, problems, required=True)
    left = _time(row, "left_at", file, line, problems, required=False)
    if problems or entered is None or left is None:
        return None, problems
    if outcome == "open":
        if not math.isnan(left):
            problems.append(RowProblem(file, line, "left_at", "outcome is 'open' but left_at "
                                       "is set; left_at ignored", "warning"))
            left = math.nan
    elif math.isnan(left):
        return None, [RowProblem(file, line, "left_at", f"empty, but outcome is '{outcome}' "
                                 "(only an open stage has no left_at)")]
    elif left < entered:
        return None, [RowProblem(file, line, "left_at", f"negative duration: left "
                                 f"{row['left_at']} before entering {row['entered_at']}")]
    if outcome in ("hired", "declined") and stage != "offer":
        return None, [RowProblem(file, line, "outcome", f"'{outcome}' is an answer to an "
                                 f"offer, but the stage is '{stage}'")]
    return {"candidate": row["candidate_id"], "req": row["req_id"], "profile": row["profile"],
            "source": source, "stage": stage, "entered": entered, "left": left,
            "outcome": outcome, "file": file, "line": line}, problems


def check_order(visits: pd.DataFrame) -> list[RowProblem]:
    """Warnings for each candidate's stages whose dates are out of order."""
    problems = []
    tol = 1.0 / 1440.0  # one minute
    for _, group in visits.groupby("candidate", sort=False):
        if len(group) < 2:
            continue
        ranked = group.assign(rank=group["stage"].map(stage_rank)).sort_values(
            ["rank", "entered"], kind="stable")
        prev = None
        for row in ranked.itertuples(index=False):
            if prev is not None:
                if row.entered < prev.entered - tol:
                    problems.append(RowProblem(row.file, row.line, "entered_at",
                        f"dates out of order: {row.stage} entered before {prev.stage} "
                        f"(row {prev.line}) of the same candidate", "warning"))
                elif not math.isnan(prev.left) and row.entered < prev.left - tol:
                    problems.append(RowProblem(row.file, row.line, "entered_at",
                        f"dates out of order: {row.stage} entered before {prev.stage} "
                        f"(row {prev.line}) was left", "warning"))
            prev = row
    return problems


def check_reqs_row(file: str, line: int, row: Mapping[str, str]
                   ) -> tuple[dict | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    for col in ("req_id", "profile"):
        if not row.get(col):
            problems.append(RowProblem(file, line, col, "empty"))
    opened = _time(row, "opened_at", file, line, problems, required=True)
    posted = _time(row, "posted_at", file, line, problems, required=False)
    filled = _time(row, "filled_at", file, line, problems, required=False)
    if problems or opened is None or posted is None or filled is None:
        return None, problems
    if not math.isnan(filled) and filled < opened:
        return None, [RowProblem(file, line, "filled_at", f"negative time to fill: filled "
                                 f"{row['filled_at']} before opening {row['opened_at']}")]
    if not math.isnan(posted) and posted < opened:
        problems.append(RowProblem(file, line, "posted_at", "posted before the req opened; "
                                   "opened_at used", "warning"))
        posted = math.nan
    return {"req": row["req_id"], "profile": row["profile"], "opened": opened,
            "posted": opened if math.isnan(posted) else posted, "filled": filled,
            "file": file, "line": line}, problems


def read_reqs_file(path: Path, report: LoadReport) -> list[dict]:
    header, rows = read_rows(path)
    cols = _column_lookup(header, path, ("req_id", "profile", "opened_at"),
                          ("posted_at", "filled_at"))
    out: list[dict] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        report.rows_read += 1
        values = {c: row.get(h, "") for c, h in cols.items()}
        req, problems = check_reqs_row(str(path), line, values)
        report.problems += problems
        if req is None:
            report.skipped += 1
        elif req["req"] in seen:
            report.problems.append(RowProblem(str(path), line, "req_id", f"duplicate req "
                                   f"'{req['req']}' (first at row {seen[req['req']]}); skipped",
                                   "warning"))
            report.skipped += 1
        else:
            seen[req["req"]] = line
            report.rows_used += 1
            out.append(req)
    return out


def build_history(visit_rows: Iterable[tuple[str, int, Mapping[str, str]]],
                  req_rows: list[dict], report: LoadReport, files: list[str],
                  stage_map: Mapping[str, str], as_of: float | None = None) -> History:
    """Check generic rows (file, line, row), drop duplicates, infer missing reqs."""
    kept: list[dict] = []
    seen: dict[tuple, int] = {}
    ignored = 0
    for file, line, row in visit_rows:
        report.rows_read += 1
        visit, problems = check_visit(file, line, row, stage_map)
        report.problems += problems
        if visit is None:
            report.skipped += 1
            continue
        if visit.get("ignored"):
            ignored += 1
            report.skipped += 1
            continue
        key = (visit["candidate"], visit["stage"], visit["entered"])
        if key in seen:
            report.problems.append(RowProblem(file, line, "", f"duplicated row: candidate "
                f"{visit['candidate']} entered {visit['stage']} at the same time in row "
                f"{seen[key]}; skipped", "warning"))
            report.skipped += 1
            continue
        seen[key] = line
        kept.append(visit)
    if ignored:
        report.notes.append(f"{ignored} rows of stages mapped to 'ignore' left out")
    cols = ["candidate", "req", "profile", "source", "stage", "entered", "left", "outcome",
            "file", "line"]
    visits = pd.DataFrame(kept, columns=cols)
    report.problems += check_order(visits)
    report.rows_used += len(visits)
    reqs = _complete_reqs(visits, req_rows, report)
    if reqs.empty:
        raise ExportError("\n".join([*report.lines(), f"{', '.join(files)}: no usable rows"]))
    times = [visits["entered"], visits["left"], reqs["opened"], reqs["filled"]]
    last = max(float(pd.concat(times).max()), 0.0)
    start = math.floor(float(reqs["opened"].min()))
    return History(visits, reqs, float(start), last if as_of is None else as_of, report,
                   files)


def _complete_reqs(visits: pd.DataFrame, req_rows: list[dict],
                   report: LoadReport) -> pd.DataFrame:
    known = {r["req"]: r for r in req_rows}
    missing = sorted(set(visits["req"]) - set(known))
    if missing:
        report.notes.append(
            f"{len(missing)} reqs not in a reqs file: each opens with its first candidate "
            "and fills with its hire")
        grouped = visits[visits["req"].isin(missing)].groupby("req", sort=False)
        for req, group in grouped:
            hired = group[group["outcome"] == "hired"]
            opened = float(group["entered"].min())
            known[req] = {"req": req, "profile": group["profile"].iloc[0], "opened": opened,
                          "posted": opened,
                          "filled": float(hired["left"].min()) if len(hired) else math.nan}
    frame = pd.DataFrame(list(known.values()),
                         columns=["req", "profile", "opened", "posted", "filled"])
    return frame.sort_values(["opened", "req"], kind="stable").reset_index(drop=True)
