"""The page shell: CSS, the plotly loader and the final render of one HTML document.

plotly.js is embedded once in ``<head>`` (or loaded from the CDN with ``cdn=True``);
each chart is a ``<div>`` plus its figure as JSON in a ``<script type="application/json">``
block that one small loader script draws with ``Plotly.newPlot``. All user text is
escaped with :func:`html.escape` in the page and with :func:`.chart_style.esc` in the figures;
the figure JSON has ``<``, ``>`` and ``&`` written as ``\\u003c``-style escapes so that no
string can close its ``<script>`` element. A Content-Security-Policy with the hashes of
the page's own scripts stops any other script from running.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from hiresim import __version__


def h(text: Any) -> str:
    """Escape user text for HTML (element content and attribute values)."""
    return html.escape(str(text), quote=True)


CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#fff;
        --accent:#2f6db5; --good:#2e9d6a; --warn:#b45309; --bad:#c0392b; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto,
             "Helvetica Neue", Arial, sans-serif; }
header.top { background:#1e3a5f; color:#fff; padding:18px 0 16px; }
.wrap { max-width:1240px; margin:0 auto; padding:0 24px; }
header.top .kind { text-transform:uppercase; letter-spacing:.08em; font-size:12px;
                   opacity:.8; margin:0 0 2px; }
header.top h1 { margin:0; font-size:26px; line-height:1.25; font-weight:650;
                overflow-wrap:anywhere; }
header.top .sub { margin:4px 0 0; opacity:.85; font-size:14px; overflow-wrap:anywhere; }
nav.toc { background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0;
          z-index:10; }
nav.toc .wrap { display:flex; flex-wrap:wrap; gap:4px 18px; padding-top:8px;
                padding-bottom:8px; font-size:13.5px; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc a:hover { text-decoration:underline; }
main { padding:20px 0 40px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px;
          padding:18px 22px 20px; margin:0 0 20px; }
section > h2 { margin:0 0 6px; font-size:20px; font-weight:650; }
section > p.intro { margin:0 0 12px; color:var(--muted); max-width:95ch; }
.headline { border-left:6px solid var(--accent); }
.headline .lead { font-size:19px; line-height:1.45; margin:4px 0 10px; max-width:100ch; }
.headline ul { margin:6px 0 0 0; padding-left:20px; }
.headline li { margin:3px 0; }
.verdict { display:inline-block; font-size:12px; font-weight:700; letter-spacing:.05em;
           text-transform:uppercase; color:#fff; background:var(--accent);
           border-radius:4px; padding:2px 8px; margin-bottom:6px; }
.verdict.none { background:var(--warn); }
.warn { color:var(--warn); }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr));
         gap:12px; margin:14px 0 4px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; background:#fbfcfd; }
.card .label { font-size:12.5px; color:var(--muted); }
.card .value { font-size:24px; font-weight:650; line-height:1.2; }
.card .ci { font-size:12px; color:var(--muted); }
.grid2 { display:grid; grid-template-columns:1fr; gap:14px; }
@media (min-width: 1100px) { .grid2 { grid-template-columns:1fr 1fr; } }
figure.chart-box { margin:0; border:1px solid var(--line); border-radius:8px; padding:6px;
                   background:#fff; min-width:0; }
figure.chart-box figcaption { font-size:13px; color:var(--muted); padding:4px 8px 6px; }
.chart { width:100%; min-height:240px; }
.chart-error { color:var(--bad); font-weight:600; padding:12px; }
table.data { border-collapse:collapse; width:100%; font-size:13.5px; margin:6px 0 10px; }
table.data th, table.data td { border-bottom:1px solid var(--line); padding:5px 8px;
                               text-align:right; vertical-align:top; }
table.data th:first-child, table.data td:first-child { text-align:left; }
table.data thead th { background:#f3f4f6; font-weight:650; position:sticky; top:0; }
table.data tbody tr:hover { background:#f9fafb; }
table.data td.txt { text-align:left; overflow-wrap:anywhere; }
table.data.kv th { text-align:left; }
table.data td { white-space:nowrap; }
table.data td.txt, table.data td:first-child { white-space:normal; }
table.data tr.section td { background:#f9fafb; font-weight:650; text-align:left; }
table.data tr.differs td { background:#fff7e6; }
table.data .best { font-weight:700; }
.tablewrap { overflow-x:auto; }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px;
          margin-right:6px; vertical-align:-1px; }
.name { overflow-wrap:anywhere; }
details { margin:8px 0; }
details > summary { cursor:pointer; color:var(--accent); font-weight:600; }
.small { font-size:13px; color:var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
       font-size:12.5px; background:#f3f4f6; padding:1px 4px; border-radius:3px;
       overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:12.5px; padding:0 0 30px; }
.noscript { background:#fff3cd; padding:10px 14px; border-radius:6px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background:#fff; font-size:12px; }
  nav.toc { display:none; }
  header.top { background:#fff; color:var(--ink); border-bottom:2px solid var(--ink);
               padding:0 0 8px; }
  section { border:none; padding:0; margin:0 0 14px; break-inside:auto; }
  figure.chart-box { break-inside:avoid; border:none; }
  .grid2 { grid-template-columns:1fr; }
  table.data thead th { position:static; }
  .wrap { max-width:none; padding:0; }
}
"""

LOADER = """
(function () {
  "use strict";
  var blocks = document.querySelectorAll("script.fig-data");
  if (typeof Plotly === "undefined") {
    var msg = document.getElementById("plotly-missing");
    if (msg) { msg.hidden = false; }
    return;
  }
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
                toImageButtonOptions: {format: "png", scale: 2}};
  var jobs = [];
  Array.prototype.forEach.call(blocks, function (block) {
    var target = document.getElementById(block.getAttribute("data-target"));
    if (!target) { return; }
    try {
      var fig = JSON.parse(block.textContent);
      jobs.push(Plotly.newPlot(target, fig.data, fig.layout, config).then(function () {
        target.setAttribute("data-rendered", "1");
      }));
    } catch (err) {
      target.textContent = "This chart could not be drawn.";
      target.className += " chart-error";
      console.error(err);
    }
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute("data-charts-ready", String(jobs.length));
  }, function (err) { console.error(err); });
  function resizeAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-rendered]"),
      function (el) { Plotly.Plots.resize(el); });
  }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"),
      function (d) { d.setAttribute("open", ""); });
    resizeAll();
  });
  window.addEventListener("afterprint", resizeAll);
})();
"""


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _figure_json(fig: go.Figure) -> str:
    text = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    # no '<', '>' or '&' may reach the HTML parser inside <script>
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Page:
    """Sections of HTML plus the figures they reference, rendered to one document."""

    def __init__(self, title: str, kind: str, subtitle: str = "") -> None:
        self.title = title
        self.kind = kind
        self.subtitle = subtitle
        self.sections: list[tuple[str, str, str]] = []  # id, title, html
        self.figures: list[tuple[str, str]] = []  # div id, json
        self.origin = "from a saved result folder; nothing was re-simulated"  # footer words

    def chart(self, fig: go.Figure, caption: str = "", label: str = "") -> str:
        """HTML of one chart (a placeholder the loader fills) with its caption."""
        div_id = f"fig-{len(self.figures) + 1}"
        self.figures.append((div_id, _figure_json(fig)))
        height = int(fig.layout.height or 420)
        cap = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (f'<figure class="chart-box"><div class="chart" id="{div_id}" role="img" '
                f'aria-label="{h(label)}" style="height:{height}px"></div>{cap}</figure>')

    def section(self, sid: str, title: str, body: str, intro: str = "",
                css: str = "") -> None:
        intro_html = f'<p class="intro">{intro}</p>' if intro else ""
        klass = f' class="{css}"' if css else ""
        self.sections.append((sid, title, f'<section id="{sid}"{klass}><h2>{h(title)}</h2>'
                                          f"{intro_html}{body}</section>"))

    def render(self, cdn: bool) -> str:
        version = plotly.offline.get_plotlyjs_version()
        if cdn:
            src = f"https://cdn.plot.ly/plotly-{version}.min.js"
            plotly_tag = f'<script src="{src}" charset="utf-8"></script>'
            script_src = f"'{_sha256(LOADER)}' https://cdn.plot.ly"
        else:
            js = plotly.offline.get_plotlyjs()
            plotly_tag = f"<script>{js}</script>"
            script_src = f"'{_sha256(js)}' '{_sha256(LOADER)}'"
        csp = (f"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; "
               "img-src data: blob:; font-src data:; connect-src 'none'; "
               "base-uri 'none'; form-action 'none'")
        toc = "".join(f'<a href="#{sid}">{h(title)}</a>' for sid, title, _ in self.sections)
        body = "".join(s for _, _, s in self.sections)
        data = "".join(f'<script type="application/json" class="fig-data" '
                       f'data-target="{div_id}">{payload}</script>'
                       for div_id, payload in self.figures)
        made = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="hiresim {h(__version__)}">\n'
            f"<title>{h(self.title)} · hiresim report</title>\n"
            f"<style>{CSS}</style>\n{plotly_tag}\n</head>\n<body>\n"
            f'<header class="top"><div class="wrap"><p class="kind">hiresim {h(self.kind)} '
            f'report</p><h1 class="name">{h(self.title)}</h1>'
            + (f'<p class="sub">{h(self.subtitle)}</p>' if self.subtitle else "")
            + "</div></header>\n"
            f'<nav class="toc"><div class="wrap">{toc}</div></nav>\n'
            '<main><div class="wrap">\n'
            '<p id="plotly-missing" class="noscript" hidden>The charts need plotly.js, which '
            "this report loads from the internet (it was written with --cdn). Open it online, "
            "or write it again without --cdn for a file that works offline.</p>\n"
            f"{body}\n</div></main>\n"
            f'<footer><div class="wrap">Made by hiresim {h(__version__)} on {h(made)} '
            f"{h(self.origin)}. Charts: plotly.js "
            f"{h(version)}.</div></footer>\n"
            f"{data}\n<script>{LOADER}</script>\n</body>\n</html>\n"
        )
