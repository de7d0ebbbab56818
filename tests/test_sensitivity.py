

@pytest.mark.slow
def test_shipped_combined_vs_split_names_what_can_flip_the_answer():
    """The issue's case: the outreach pace (20 by default, 8 in the files) can flip
    combined vs split; sensitivity must name it with a break-even inside its range."""
    from small_scenario import REPO

    files = [REPO / "scenarios" / "combined.yaml", REPO / "scenarios" / "split.yaml"]
    with Executor(2) as ex:
        report = sensitivity_study(files, ex, replications=8, points=3, refine=2,
                                   method="none")
    rows = {r["input"]: r for r in report["tornado"]}
    assert set(rows) == {"outreach.prospects_per_req_per_week",
                         "candidates.acceptance_drop_per_week",
                         "team.recruiter_skill.reply_rate_multiplier"}
    for row in rows.values():
        if row["flips"]:
            assert all(row["low"] <= b <= row["high"] for b in row["break_even"])
            assert f"{row['input']} can flip the answer" in " ".join(report["statements"])
    assert rows["outreach.prospects_per_req_per_week"]["flips"]
