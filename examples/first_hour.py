# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # hiresim from Python: a run, a comparison and a sweep
#
# A notebook in jupytext's percent format: open it in Jupyter (with jupytext installed)
# or VS Code as a notebook, or run it as a script (`python examples/first_hour.py`; the
# test suite does). Run it from the repository's top folder. It runs one scenario, a
# comparison and a sweep through the Python API, then draws the report's figures
# inline. Small numbers of replications keep it quick; use 200 or more for decisions.

# %%
import os
import sys
import tempfile
from pathlib import Path

import plotly.io as pio

import hiresim
from hiresim.html_report.data import load_folder
from hiresim.html_report.pages import compare_page, run_page, sweep_page

SCENARIOS = Path(os.environ.get("HIRESIM_SCENARIOS", "scenarios"))
OUT = Path(tempfile.mkdtemp(prefix="hiresim-example-"))
N = int(os.environ.get("HIRESIM_EXAMPLE_REPLICATIONS", "20"))
SMALLER = ["profiles[*].openings.count=8"]  # a smaller plan: a quick example


def show(figures: list) -> None:
    """Draw figures inline in a notebook; as a script, say how many there are."""
    if "ipykernel" in sys.modules:
        for fig in figures:
            fig.show()
    else:
        kinds = sorted({trace.type for fig in figures for trace in fig.data})
        print(f"{len(figures)} figures ({', '.join(kinds)})")


def report_figures(page: object) -> list:
    """The plotly figures of a report page (the same charts as the HTML report)."""
    return [pio.from_json(spec) for _, spec in page.figures]


# %% [markdown]
# ## One scenario

# %%
run = hiresim.simulate(SCENARIOS / "split.yaml", replications=N, sets=SMALLER,
                       out=OUT / "run")
summary = run.summary_frame()
print(summary[summary["kpi"].isin(["time_to_fill_days", "cost_per_hire", "fill_rate"])]
      [["kpi", "label", "mean", "ci_low", "ci_high"]].to_string(index=False))
run_figures = report_figures(run_page(load_folder(OUT / "run")))
show(run_figures)

# %% [markdown]
# ## Combined or split? A comparison on common random numbers

# %%
comparison = hiresim.compare([SCENARIOS / "combined.yaml", SCENARIOS / "split.yaml"],
                             replications=N, sets=SMALLER, out=OUT / "compare")
for line in comparison.report["statements"]:
    print("-", line)
compare_figures = report_figures(compare_page(load_folder(OUT / "compare")))
show(compare_figures)

# %% [markdown]
# ## How many sourcers and recruiters? A sweep with a goal

# %%
grid = hiresim.sweep(SCENARIOS / "split-team-sizes.yaml", replications=max(5, N // 4),
                     sets=SMALLER, goals=["fill_rate>=0.8"], out=OUT / "sweep")
print("recommended:", grid.report["recommended"])
print(grid.table.groupby(["team_sourcers_count", "team_recruiters_count"])["cost_per_hire"]
      .mean().round(0).to_string())
sweep_figures = report_figures(sweep_page(load_folder(OUT / "sweep")))
show(sweep_figures)
