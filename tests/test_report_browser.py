"""The HTML reports in a real browser: headless Chromium driven by Playwright.

Each report type (run, compare, sweep) is written from a small result folder whose
scenario, profile and interview-round names are hostile (``<script>alert(1)</script>``,
``<img src=x onerror=alert(1)>``, ...), opened from a file:// URL, and checked: no console
errors, every chart drawn, a screenshot that is not blank, no dialog ever opened, and the
hostile names shown as text.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` Python package.
Without them the tests are skipped, except when the environment variable CI is set: CI
installs Chromium, so there a missing browser is a failure.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from hiresim.html_report import write_report
from test_report import IMG_NAME, PROFILE_NAME, SCRIPT_NAME, build_folders

CHROMIUM = os.environ.get("HIRESIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KINDS = ("run", "compare", "sweep")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def loaded(browser, tmp_path_factory):
    """Every report type written, opened and fully drawn; events recorded per page."""
    root = tmp_path_factory.mktemp("report-browser")
    folders = build_folders(root / "folders")
    out = {}
    for kind in KINDS:  # start every page loading, then wait for all of them
        target = write_report(folders[kind], root / f"{kind}.html")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        events = {"errors": [], "dialogs": [], "requests": []}
        page.on("console", lambda m, e=events: m.type == "error" and e["errors"].append(m.text))
        page.on("pageerror", lambda err, e=events: e["errors"].append(str(err)))
        page.on("dialog", lambda d, e=events: (e["dialogs"].append(d.message), d.dismiss()))
        page.on("request", lambda r, e=events: e["requests"].append(r.url))
        page.goto(target.as_uri(), wait_until="commit")
        out[kind] = (page, events, target)
    for page, _, _ in out.values():
        page.wait_for_selector("body[data-charts-ready]", timeout=45_000)
    yield out
    for page, _, _ in out.values():
        page.close()


@pytest.mark.parametrize("kind", KINDS)
def test_opens_without_console_errors_or_network(loaded, kind):
    page, events, target = loaded[kind]
    assert events["errors"] == []
    assert all(url.startswith("file://") for url in events["requests"]), events["requests"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_is_drawn(loaded, kind):
    page, _, _ = loaded[kind]
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('.chart')).map(el => ({
        id: el.id,
        rendered: el.getAttribute('data-rendered') === '1',
        traces: (el._fullData || []).length,
        drawn: el.querySelectorAll('g.trace, g.hm').length,
        marks: Array.from(el.querySelectorAll('g.trace path, g.hm image')).filter(
            m => m.tagName === 'image' || (m.getAttribute('d') || '').length > 4).length,
        width: el.getBoundingClientRect().width,
    }))""")
    assert len(charts) >= 7
    assert int(page.get_attribute("body", "data-charts-ready")) == len(charts)
    for chart in charts:
        assert chart["rendered"] and chart["traces"] > 0, chart
        assert chart["drawn"] > 0 and chart["marks"] > 0, chart
        assert chart["width"] > 300, chart


@pytest.mark.parametrize("kind", KINDS)
def test_screenshot_is_not_blank(loaded, kind, browser):
    page, _, _ = loaded[kind]
    shot = page.screenshot(full_page=True, type="jpeg", quality=70)
    probe = browser.new_page()
    try:
        stats = probe.evaluate("""async (src) => {
            const img = new Image();
            img.src = src;
            await img.decode();
            const c = document.createElement('canvas');
            c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const colours = new Set();
            let ink = 0, n = 0;
            for (let i = 0; i < d.length; i += 4 * 53) {
                n += 1;
                colours.add((d[i] >> 3) + '-' + (d[i + 1] >> 3) + '-' + (d[i + 2] >> 3));
                if (d[i] + d[i + 1] + d[i + 2] < 600) ink += 1;
            }
            return {w: c.width, h: c.height, colours: colours.size, ink: ink / n};
        }""", "data:image/jpeg;base64," + base64.b64encode(shot).decode())
    finally:
        probe.close()
    assert stats["w"] == 1400 and stats["h"] > 2000, stats
    assert stats["colours"] > 40, stats
    assert stats["ink"] > 0.03, stats


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_names_show_as_text_and_run_nothing(loaded, kind):
    page, events, _ = loaded[kind]
    assert events["dialogs"] == []
    assert SCRIPT_NAME in page.inner_text("h1") or SCRIPT_NAME in page.inner_text("main")
    dom = page.evaluate("""() => ({
        imgs: document.querySelectorAll('img').length,
        handlers: document.querySelectorAll('[onerror], [onload], [onmouseover]').length,
        scripts: document.querySelectorAll('script:not([type="application/json"])').length,
    })""")
    assert dom == {"imgs": 0, "handlers": 0, "scripts": 2}


def test_hostile_names_in_charts_and_hover_labels(loaded):
    page, events, _ = loaded["compare"]
    text = page.inner_text("main")
    assert IMG_NAME in text and PROFILE_NAME in text
    legend = page.evaluate("""() => Array.from(document.querySelectorAll('.chart .legendtext'))
        .map(t => t.textContent)""")
    assert SCRIPT_NAME in legend and IMG_NAME in legend
    ticks = page.evaluate("""() => Array.from(document.querySelectorAll('.chart .xtick text'))
        .map(t => t.textContent)""")
    assert PROFILE_NAME in ticks
    # hover every trace of every chart once: labels show the names as text, nothing runs
    shown = page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('.chart').forEach(el => {
            el._fullData.forEach((t, i) => {
                try { Plotly.Fx.hover(el, [{curveNumber: i, pointNumber: 0}]); } catch (e) {}
                const layer = el.querySelector('.hoverlayer');
                if (layer) { out.push(layer.textContent); }
            });
            Plotly.Fx.unhover(el);
        });
        return out.join('\\n');
    }""")
    page.mouse.move(700, 450)
    page.wait_for_timeout(200)
    assert IMG_NAME in shown and SCRIPT_NAME in shown
    assert events["dialogs"] == [] and events["errors"] == []
    assert page.evaluate("document.querySelectorAll('img, [onerror]').length") == 0


def test_print_layout_fits_the_page(loaded):
    page, events, _ = loaded["run"]
    page.emulate_media(media="print")
    try:
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_timeout(300)
        widths = page.evaluate("""() => Array.from(document.querySelectorAll('.chart'))
            .map(el => el.getBoundingClientRect().width)""")
        assert max(widths) <= 1400
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        assert events["errors"] == []
    finally:
        page.emulate_media(media="screen")



def test_the_harness_sees_dialogs_and_errors(browser):
    """The checks above are not vacuous: a page that does run a script is caught."""
    page = browser.new_page()
    seen = {"dialogs": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda err: seen["errors"].append(str(err)))
    try:
        page.set_content("<img src=x onerror=alert(1)><script>null.boom</script>")
        page.wait_for_timeout(300)
    finally:
        page.close()
    assert seen["dialogs"] == ["1"] and seen["errors"]
