"""The benchmark scripts still run and print their figures (their numbers are not judged here)."""

from __future__ import annotations

import re

from bench_runner import bench


def test_ingest_bench_prints_rate_and_memory():
    out = bench("bench/ingest.py", "--n", "400", "--backends", "sqlite")
    assert re.search(r"sqlite\n  store : +[\d,]+ mentions/s", out), out
    assert "RSS MiB at mentions ingested" in out and "peak RSS MiB:" in out
    assert re.search(r"the pipeline's scoring step runs at \d+% of it", out), out


def test_score_speed_bench_prints_both_rates_and_the_ratio():
    out = bench("bench/score_speed.py", "--repeat", "1")
    assert re.search(r"VADER alone : +[\d,]+ /s", out) and re.search(
        r"cost ratio  : [\d.]+x VADER alone", out
    )


def test_evaluate_bench_prints_every_category():
    out = bench("bench/evaluate.py")
    for category in ("complaint", "safeguarding", "copyright"):
        assert re.search(rf"│ {category} +│ +\d+ │ +[\d.]+ │", out), category
    assert "micro" in out
    assert re.search(r"ranking\): macro-F1 offensive 0\.\d+, hate 0\.\d+", out), out


def test_alert_latency_bench_prints_latency_and_pile_on_emails():
    out = bench("bench/alert_latency.py", "--incidents", "5", "--pile-on", "40")
    assert re.search(r"median [\d.]+ ms, 95th percentile [\d.]+ ms, worst [\d.]+ ms", out), out
    found = re.search(
        r"pile-on: 40 posts on one thread over three hours -> (\d+) emails to the .*; (\d+) emails in all",
        out,
    )
    own, total = int(found.group(1)), int(found.group(2))
    assert 1 <= own <= 8 and own <= total <= 3 * own + 2


def test_reports_bench_prints_digest_and_audit_times():
    out = bench("bench/reports.py", "--days", "3", "--per-day", "200", "--backends", "sqlite")
    assert re.search(r"digest \(last day, 200 mentions, week charts\): [\d.]+ s", out), out
    assert re.search(r"audit \(the month, every registered account\): [\d.]+ s", out)


def test_reports_bench_prints_digest_and_audit_times_and_memory():
    out = bench("bench/reports.py", "--days", "2", "--per-day", "200", "--backends", "sqlite")
    assert re.search(r"sqlite: 400 mentions loaded in [\d.]+ s", out), out
    assert re.search(r"digest \(last day, 200 mentions, week charts\): [\d.]+ s", out), out
    assert re.search(r"audit \(the month, every registered account\): [\d.]+ s, \d+ findings", out), out
    assert re.search(r"report cards \(2 committees, \d+ of their posts that month\): [\d.]+ s", out), out
    assert re.search(r"peak RSS: \d+ MiB", out), out


def test_crash_loop_bench_prints_the_counts_of_both_loops():
    out = bench("bench/crash_loop.py", "--kills", "2", "--mentions", "200", "--emails", "12")
    assert re.search(r"loop 1: 2 kill -9s \(\d+ before the schema was recorded", out), out
    assert re.search(r"\d+ of \d+ usable with every mention exactly once", out), out
    assert re.search(
        r"loop 2: 2 kill -9s during a 12-email flush .*: \d+ received, 0 lost, \d+ duplicates", out
    ), out
    assert "result: every mention once and no email lost" in out


def test_web_bench_prints_page_times_and_the_inbox_paginates():
    out = bench(
        "bench/web.py", "--mentions", "600", "--incidents", "120", "--requests", "5", "--backends", "sqlite"
    )
    for page in ("inbox (open, page 1)", "incident page (random incident)"):
        assert re.search(rf"{re.escape(page)}: median [\d.]+ ms, p95 [\d.]+ ms", out), out
    assert "inbox (open, last page 2)" in out  # 30 open incidents, 25 to a page


def test_profiles_bench_prints_picture_and_check_costs():
    out = bench("bench/profiles.py", "--avatars", "4", "--accounts", "60")
    assert re.search(r"logo detector built \(once a run\): [\d.]+ s", out), out
    for kind in ("with the logo", "without"):
        assert re.search(rf"per picture {kind} .*: median \d+ ms, 95th percentile \d+ ms \(2 pictures\)", out)
    assert re.search(r"logo found in \d of the 2 pictures that carry one", out)
    assert re.search(r"audit profile checks: 60 accounts in \d+ ms \(\d+ us an account, \d+ findings\)", out)
