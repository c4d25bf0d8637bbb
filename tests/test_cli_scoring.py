"""explain, score-file and rescore, run as a comms officer runs them."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run_monitor

from monitor.cli import main
from monitor.config import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent


def test_explain_shows_each_category_its_evidence_and_clause():
    done = run_monitor("explain", "@iom3 still waiting for my refund, no reply for weeks. Unacceptable.")
    assert done.returncode == 0, done.stderr
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if line.count("│") > 5}
    assert set(CATEGORIES) <= set(rows)
    assert "YES" in rows["complaint"] and '"still waiting"' in rows["complaint"]
    assert "Complaint handling" in rows["complaint"]
    assert "YES" not in rows["defamation"]
    assert "let IOM3 post an official response first" in " ".join(done.stdout.split())


def test_explain_json_is_the_same_judgement_as_data():
    done = run_monitor(
        "explain", "Alan Pryce the treasurer is a fraud", "--kind", "public", "--reach", "500", "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["context"]["channel_kind"] == "public" and data["context"]["author_reach"] == 500
    assert set(data["scores"]) == set(CATEGORIES)
    flag = next(f for f in data["flags"] if f["category"] == "defamation")
    assert flag["clause"] == "Libel"
    assert data["alert_thresholds"]["defamation"] == data["thresholds"]["defamation"]
    assert data["alert_thresholds"]["complaint"] > data["thresholds"]["complaint"]
    assert {"text": "fraud", "kind": "term"}.items() <= next(
        e for e in flag["evidence"] if e["text"] == "fraud"
    ).items()
    assert "Communications Executive" in flag["advice"]


def test_explain_without_text_or_mention_says_what_to_give():
    done = run_monitor("explain")
    assert done.returncode == 2 and "Give the post's text in quotes, or --mention ID." in done.stderr


def test_score_file_writes_a_score_and_flag_per_category(tmp_path):
    source = tmp_path / "export.csv"
    posts = [
        "Still waiting for my refund, unacceptable",
        "Lovely IOM3 lecture",
        "Looking forward to the IoM3 dinner",
        'A post with "quotes", commas\nand a line break',
        "",
    ]
    pd.DataFrame(
        {"id": range(len(posts)), "post text": posts, "followers": ["120", "", "9,000", "x", "1"]}
    ).to_csv(source, index=False)
    done = run_monitor("score-file", str(source), "--text-column", "post text", "--reach-column", "followers")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "export.scored.csv"
    assert f"Scored 5 rows into {out}" in " ".join(done.stdout.split())
    scored = pd.read_csv(out, keep_default_na=False)
    assert list(scored["post text"]) == posts and list(scored["id"]) == list(range(5))
    for category in CATEGORIES:
        assert f"{category}_score" in scored.columns and f"{category}_flag" in scored.columns
    assert list(scored["complaint_flag"]) == [True, False, False, False, False]
    assert list(scored["brand_name_flag"]) == [False, False, True, False, False]
    assert scored.loc[0, "flags"] == "complaint"


def test_score_file_names_the_columns_it_has_when_asked_for_one_it_lacks(tmp_path):
    source = tmp_path / "posts.csv"
    source.write_text("message,author\nhello,me\n")
    done = run_monitor("score-file", str(source), "--text-column", "text")
    assert done.returncode == 2
    assert (
        "has no column 'text' (asked for by --text-column); its columns are: 'message', 'author'"
        in done.stderr
    )


def test_score_file_says_what_to_do_with_a_file_from_excel(tmp_path):
    source = tmp_path / "windows.csv"
    source.write_bytes("text\nCaf\xe9 talk at IOM3 \u2013 great\n".encode("cp1252"))
    done = run_monitor("score-file", str(source), "--text-column", "text")
    assert done.returncode == 2 and "--encoding cp1252" in done.stderr
    fixed = run_monitor("score-file", str(source), "--text-column", "text", "--encoding", "cp1252")
    assert fixed.returncode == 0, fixed.stderr


def test_score_file_streams_a_large_file_in_chunks(tmp_path, monkeypatch):
    import monitor.score_file as score_file

    monkeypatch.setattr(score_file, "CHUNK_ROWS", 7)
    source = tmp_path / "big.csv"
    pd.DataFrame(
        {"text": [f"post {i}: still waiting for a reply" if i % 3 == 0 else f"post {i}" for i in range(50)]}
    ).to_csv(source, index=False)
    seen: list[int] = []
    from monitor.scoring import default_scorer

    result = score_file.score_csv(
        source,
        tmp_path / "out.csv",
        default_scorer(),
        text_column="text",
        progress=lambda done, total: seen.append(done),
    )
    assert result.rows == 50 and result.flagged["complaint"] == 17
    assert len(seen) == 8 and seen[-1] == source.stat().st_size  # one update per chunk of 7
    assert len(pd.read_csv(tmp_path / "out.csv")) == 50


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    assert main(["demo", "--dir", str(tmp_path / "demo")]) == 0
    return tmp_path / "demo"


def test_rescore_after_a_lexicon_edit_changes_flags_and_sends_nothing(demo_dir, config_dir, capsys):
    emails_before = len(mailbox.Maildir(demo_dir / "mail", create=False))
    lexicons = config_dir / "lexicons.toml"
    lexicons.write_text(
        lexicons.read_text()
        .replace("[brand_name]\nclause", "[brand_name]\nthreshold = 0.95\nclause")
        .replace("threshold = 0.5\n[brand_name.cues", "[brand_name.cues")
    )
    url = f"sqlite:///{demo_dir / 'monitor.db'}"
    capsys.readouterr()
    assert main(["--config", str(config_dir), "--database", url, "rescore"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Re-scored 309 mention(s)" in out
    assert "│ brand_name │ 4 │ 0 │" in out
    assert main(["--config", str(config_dir), "--database", url, "rescore"]) == 0
    assert "Re-scored 0 mention(s)" in " ".join(capsys.readouterr().out.split())
    assert len(mailbox.Maildir(demo_dir / "mail", create=False)) == emails_before


def test_explain_tells_a_review_flag_from_an_alert():
    # A mild complaint is flagged for review (the digest) but under the alert threshold.
    done = run_monitor("explain", "My journal access is broken, useless")
    assert done.returncode == 0, done.stderr
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if line.count("│") > 5}
    assert "review" in rows["complaint"] and "YES" not in rows["complaint"]
    strong = run_monitor("explain", "@iom3 still waiting for my refund, no reply for weeks. Unacceptable.")
    rows = {line.split("│")[1].strip(): line for line in strong.stdout.splitlines() if line.count("│") > 5}
    assert "YES" in rows["complaint"]


def test_explain_reads_the_author_given_and_says_so():
    """A journalist's "want to talk?" is a press approach; explain says it was the author."""
    text = "Anyone at IOM3 want to talk about the inquiry?"
    plain = json.loads(run_monitor("explain", text, "--json").stdout)
    done = run_monitor("explain", text, "--author", "GuardianEnv_Jess Jess Holloway", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["context"]["author"] == "GuardianEnv_Jess Jess Holloway"
    assert not any(f["category"] == "press" for f in plain["flags"])
    press = next(f for f in data["flags"] if f["category"] == "press")
    assert {"kind": "context", "text": "the author's handle or name: guardian"} in press["evidence"]
