"""Read an ATS export of any supported layout into a ``History`` ready for calibration.

History files and reqs files are told apart by their header; history files are read as the
generic format (``hiresim.ats_export``) or translated by a product's adapter
(``hiresim.ats_adapters``) first, then checked row by row the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from hiresim.ats_adapters import adapter_rows
from hiresim.ats_export import (
    ExportError,
    History,
    LoadReport,
    build_history,
    generic_rows,
    is_reqs_header,
    load_stage_map,
    parse_time,
    read_reqs_file,
    read_rows,
)


def load_history(paths: Sequence[str | Path], fmt: str = "generic",
                 stage_map: str | Path | None = None, as_of: str | None = None) -> History:
    """Read export files (history files and reqs files, told apart by their header).

    ``fmt``: ``generic`` or an adapter name of ``hiresim.ats_adapters``; ``stage_map``: a
    ``--stage-map`` file; ``as_of``: the end of the period (default: the last timestamp).
    """
    mapping = load_stage_map(stage_map)
    report = LoadReport()
    visit_rows: list[tuple[str, int, Mapping[str, str]]] = []
    req_rows: list[dict] = []
    for p in map(Path, paths):
        header, _ = read_rows(p)
        if is_reqs_header(header):
            req_rows += read_reqs_file(p, report)
        elif fmt == "generic":
            visit_rows += [(str(p), line, row) for line, row in generic_rows(p)]
        else:
            rows, problems, folded = adapter_rows(fmt, p, mapping)
            report.problems += problems
            report.rows_read += len(problems) + folded
            report.skipped += len(problems) + folded
            if folded:
                report.notes.append(f"{p}: {folded} rows of a 'Hired' stage read as the "
                                    "answer to the offer before it")
            visit_rows += [(str(p), line, row) for line, row in rows]
    end = None
    if as_of is not None:
        try:
            end = parse_time(as_of)
        except ValueError:
            raise ExportError(f"--as-of: '{as_of}' is not a date (YYYY-MM-DD)") from None
    return build_history(visit_rows, req_rows, report, [str(p) for p in paths], mapping, end)
