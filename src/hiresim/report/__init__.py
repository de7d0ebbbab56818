"""HTML reports of saved result folders: interactive plotly charts in one shareable file.

Python API::

    from hiresim.report import render_report, write_report, ReportError
    html = render_report("out/compare")             # detects run / compare / sweep
    write_report("out/compare", "report.html")      # atomic write; returns the path
    write_report("out/compare", "small.html", cdn=True)  # plotly.js from the CDN

Nothing is re-simulated: the report reads the folder's JSON summaries and tables. The
package never imports SimPy or the model.
"""

from __future__ import annotations

from .data import ReportError
from .page import render_report, write_report

__all__ = ["ReportError", "render_report", "write_report"]
