"""HTML reports of saved result folders: interactive plotly charts in one shareable file.

Python API::

    from hiresim.html_report import render_report, write_report, ReportError
    html = render_report("out/compare")             # detects run / compare / sweep
    write_report("out/compare", "report.html")      # atomic write; returns the path
    write_report("out/compare", "small.html", cdn=True)  # plotly.js from the CDN

Nothing is re-simulated: the report reads the folder's JSON summaries and tables. The
package never imports SimPy or the model.

Modules, by job:

- ``data``: reading a result folder (run, comparison, sweep, several runs).
- ``analysis``: numbers from the folder's tables (Kaplan-Meier, funnel, utilisation,
  goals, the assumptions as rows) and words for teams and goals.
- ``chart_style``: the charts' look, colours and escaping; the figure builders are in
  ``charts_time`` (time-to-fill, staff time, backlog), ``charts_cost_funnel`` (cost,
  paired differences, funnel) and ``charts_sweep`` (grid heatmaps, Pareto, goal
  probability).
- ``shell``: the page shell (CSS, the plotly loader, the final render of a page).
- ``cells``: how numbers and names are shown (the KPI rows come from
  ``hiresim.kpi_catalogue``).
- ``kpi_sections``, ``sections``, ``assumptions``: one function per report section.
- ``headlines``: the headline prose; ``pages``: the page builders, ``render_report`` and
  ``write_report``.
- ``backtest_page``: the page of ``hiresim backtest`` (built from the backtest's JSON, not
  from a result folder).
"""

from __future__ import annotations

from .data import ReportError
from .pages import render_report, write_report

__all__ = ["ReportError", "render_report", "write_report"]
