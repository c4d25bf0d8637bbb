"""The daily digest and the ASV account audit, checked against counts made independently here."""

from __future__ import annotations

import json
import random
import struct
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from html import escape
from html.parser import HTMLParser
from io import StringIO
from zoneinfo import ZoneInfo

import pandas as pd
from phone import on_a_phone
from sqlalchemy import select
from webapp import seed_incident

from connectors.replay import SAMPLE_PATH, ReplayConnector, Settings
from monitor.channels import ChannelDirectory
from monitor.csv_safe import restore
from monitor.models import Mention
from monitor.pipeline import ingest, score_pending
from monitor.reports.audit import build_audit
from monitor.reports.audit import render_html as render_audit_html
from monitor.reports.digest import build_digest, render, save
from monitor.schema import AssessmentRow, MentionRow
from monitor.scoring import Scorer
from monitor.store import save_batch

LONDON = ZoneInfo("Europe/London")
SAMPLE = [json.loads(line) for line in SAMPLE_PATH.read_text().splitlines()]


def _load_sample(sessions, config) -> None:
    ingest(
        sessions,
        ReplayConnector(Settings(path=str(SAMPLE_PATH)), config.watch_list()),
        ChannelDirectory(config),
    )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))


def _london_day(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(LONDON).date()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags[tag] += 1
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_digest_of_the_sample_friday_matches_independent_counts(sessions, config, tmp_path):
    _load_sample(sessions, config)
    day = date(2026, 11, 20)
    with sessions() as session:
        digest = build_digest(session, config, day)
        flagged_ids = {
            m
            for (m,) in session.execute(
                select(AssessmentRow.mention_id).where(AssessmentRow.flagged.is_(True))
            )
        }
        by_platform_id = {(m.platform, m.platform_id): m.id for m in session.scalars(select(MentionRow))}

    that_day = [p for p in SAMPLE if _london_day(p["created_at"]) == day]
    assert digest.total == len(that_day) == 70  # 70 since #16 added a post with a picture that day
    expected = Counter((p["platform"], "official" if p["is_official"] else None) for p in that_day)
    assert sum(digest.volume["x"].values()) == sum(1 for p in that_day if p["platform"] == "x")
    assert digest.volume["x"]["official"] == expected[("x", "official")]
    week = Counter(
        _london_day(p["created_at"])
        for p in SAMPLE
        if day - timedelta(days=6) <= _london_day(p["created_at"]) <= day
    )
    assert {
        d: int(digest.daily.loc[d].sum()) for d in digest.daily.index if digest.daily.loc[d].sum()
    } == dict(week)

    flagged_that_day = {by_platform_id[(p["platform"], p["platform_id"])] for p in that_day} & flagged_ids
    assert len(digest.flagged_csv) == len(flagged_that_day)
    assert len(digest.top_flagged) == min(10, len(flagged_that_day))
    assert digest.top_flagged == sorted(digest.top_flagged, key=lambda f: f["top_score"], reverse=True)
    assert [f["author"] for f in digest.brand_misuse] == ["iom3_wim"]  # "IOM 3 Women in Materials", Fri 18:00
    assert len(digest.committees) == sum(1 for a in config.accounts.account if a.kind == "asv_committee")
    assert [c["connector"] for c in digest.connectors] == ["replay"]

    rendered = render(digest, config)
    parser = _Tags()
    parser.feed(rendered.html)
    assert parser.tags["table"] >= 4 and sorted(parser.images) == ["cid:sentiment", "cid:volume"]
    for png in rendered.charts.values():
        width, height = _png_size(png)
        assert 400 <= width <= 1200 and 200 <= height <= 800 and len(png) > 5_000
    assert "70 mentions that day." in rendered.text and "Top flagged mentions" in rendered.text
    assert rendered.csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, so Excel reads it as UTF-8
    back = pd.read_csv(StringIO(rendered.csv.decode("utf-8-sig")), keep_default_na=False)
    assert len(back) == len(flagged_that_day)
    # Post text survives the round trip; "@iom3 ..." is stored as "'@iom3 ..." so no spreadsheet runs it.
    assert [restore(t) for t in back["text"]] == list(digest.flagged_csv["text"])
    assert any(t.startswith("'@") for t in back["text"])

    page = save(rendered, tmp_path / "digest")
    assert 'src="volume.png"' in page.read_text() and (tmp_path / "digest" / "volume.png").exists()


def test_an_empty_day_is_a_short_correct_digest(sessions, config):
    _load_sample(sessions, config)
    with sessions() as session:
        digest = build_digest(session, config, date(2027, 3, 1))
    rendered = render(digest, config)
    assert digest.empty and rendered.charts == {}
    assert "No mentions of IOM3 that day." in rendered.text
    assert "<img" not in rendered.html and pd.read_csv(StringIO(rendered.csv.decode())).empty


def _month(sessions, config) -> list[Mention]:
    """A generated month across the end of British Summer Time (25 October 2026)."""
    rng = random.Random(5)
    start = datetime(2026, 10, 10, tzinfo=UTC)
    mentions = []
    for n in range(3000):
        at = start + timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        platform = rng.choice(("x", "facebook", "instagram", "linkedin"))
        mentions.append(
            Mention(
                platform=platform,
                platform_id=f"g{n}",
                author_handle=f"user{n % 300}",
                text=rng.choice(
                    [
                        "Great IOM3 lecture",
                        "Still waiting for my refund, unacceptable",
                        "Looking forward to the IoM3 dinner",
                        "IOM3 awards tonight",
                    ]
                ),
                created_at=at,
                thread_id=f"g{n}",
            )
        )
    mentions.append(
        Mention(
            platform="x",
            platform_id="old-ymc",
            author_handle="IOM3_YMC",
            text="Quiz night",
            created_at=start - timedelta(days=120),
        )
    )
    with sessions.begin() as session:
        save_batch(session, connector="gen", mentions=mentions, cursor={}, directory=ChannelDirectory(config))
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    return mentions


def test_a_generated_month_across_the_clock_change(sessions, config):
    mentions = _month(sessions, config)
    for day in (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)):  # the 25th is 25 hours long
        with sessions() as session:
            digest = build_digest(session, config, day)
        expected = Counter(m.platform for m in mentions if m.created_at.astimezone(LONDON).date() == day)
        assert {p: sum(k.values()) for p, k in digest.volume.items() if sum(k.values())} == dict(expected), (
            day
        )
        week = Counter(
            m.created_at.astimezone(LONDON).date()
            for m in mentions
            if day - timedelta(days=6) <= m.created_at.astimezone(LONDON).date() <= day
        )
        assert {d: int(digest.daily.loc[d].sum()) for d in digest.daily.index} == {
            d: week.get(d, 0) for d in digest.daily.index
        }


def test_audit_of_the_sample_week(sessions, config):
    _load_sample(sessions, config)
    with sessions() as session:
        audit = build_audit(
            session, config, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 23, tzinfo=UTC)
        )
    found = {(f.account, f.finding.split(":")[0].split(" in ")[0]) for f in audit.findings}
    assert (
        "facebook @SheffieldMetallurgicalAssoc",
        "the Marketing and Communications team has no access",
    ) in found
    assert ("facebook @SheffieldMetallurgicalAssoc", "logo") in found  # not approved for the logo
    assert ("x @SWales_IOM3", "dormant") in found and (
        "x @SWales_IOM3",
        "the Marketing and Communications team has no access",
    ) in found
    assert ("instagram @iom3_wim", "brand name") in found
    assert ("x @IOM3Packaging", "political") in found
    assert ("x @DrHelenCarter", "disclaimer") in found
    assert not any(f.account == "x @IOM3_YMC" and "logo" in f.finding for f in audit.findings)  # approved
    # Look-alikes present themselves as IOM3. The whistleblower (@concerned.volunteer.iom3, "A
    # concerned volunteer", a public interest disclosure) only names IOM3 in its handle: never listed,
    # only counted. Before issue #16 this test allowed any superset, and the audit listed it too.
    verdicts = {u["account"]: u["verdict"] for u in audit.unofficial}
    assert verdicts == {
        "x @IOM3_Scotland_Official": "ask to rename or close",  # says "Official"; not ours
        "instagram @iom3students": "find out who runs it",  # may be a student group that should register
    }
    assert audit.left_out == 1
    scotland = next(f for f in audit.findings if f.account == "x @IOM3_Scotland_Official")
    assert 'handle "@IOM3_Scotland_Official"' in scotland.finding and "rename" in scotland.advice
    students = next(f for f in audit.findings if f.account == "instagram @iom3students")
    assert "may be a volunteer group that should register" in students.advice
    assert "closed before you know" in students.advice
    html = render_audit_html(audit, config)
    for shown in (html, audit.findings_frame().to_csv(), str(audit.unofficial)):
        assert "concerned.volunteer" not in shown and "concerned volunteer" not in shown
    assert "Not listed: 1 account(s)" in html and "do not act against these accounts" in html
    assert all(f.clause and f.advice for f in audit.findings)
    frame = audit.findings_frame()
    assert len(frame) == len(audit.findings) and list(frame.columns[:3]) == [
        "account",
        "committee",
        "finding",
    ]
    rows = {r["account"]: r for r in audit.accounts}
    assert (
        rows["x @IOM3_YMC"]["comms_access"] == "yes" and rows["x @SWales_IOM3"]["last_post"] == "never seen"
    )


def test_the_audit_fits_a_phone_screen(sessions, config, tmp_path):
    """390 px wide: every table of the sample's audit reads as cards, nothing scrolls sideways."""
    _load_sample(sessions, config)
    with sessions() as session:
        audit = build_audit(
            session, config, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 23, tzinfo=UTC)
        )
    page_file = tmp_path / "audit.html"
    page_file.write_text(render_audit_html(audit, config))

    def look(page) -> None:  # noqa: ANN001
        first = page.locator("table.cards tbody tr").first
        assert first.is_visible()
        # Each cell says what it is, as the column heading did.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('table.cards td'), '::before').content")
            == '"account: "'
        )

    assert on_a_phone(page_file, look) <= 390


def test_audit_dormancy_counts_from_the_last_post(sessions, config):
    _month(sessions, config)
    with sessions() as session:
        audit = build_audit(
            session, config, since=datetime(2026, 10, 10, tzinfo=UTC), until=datetime(2026, 11, 9, tzinfo=UTC)
        )
    ymc = [f for f in audit.findings if f.account == "x @IOM3_YMC" and f.finding.startswith("dormant")]
    (finding,) = ymc
    assert "last post seen 12 Jun 2026" in finding.finding  # 120 days before 10 October


def _store(sessions, config, mentions: list[Mention]) -> None:
    with sessions.begin() as session:
        save_batch(session, connector="t", directory=ChannelDirectory(config), cursor={}, mentions=mentions)


def test_audit_reads_profile_names_for_misspellings(sessions, config):
    _store(
        sessions,
        config,
        [
            Mention(
                platform="x",
                platform_id="p1",
                author_handle="IOM3Packaging",
                author_name="IoM3 Packaging Society",
                text="Gala tickets on sale",
                created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            )
        ],
    )
    with sessions() as session:
        audit = build_audit(
            session, config, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 23, tzinfo=UTC)
        )
    (finding,) = [f for f in audit.findings if f.finding.startswith("profile name")]
    assert finding.account == "x @IOM3Packaging" and finding.finding == "profile name writes IOM3 as IoM3"
    assert finding.clause == config.lexicons.brand_name.clause


def test_the_digest_names_what_each_polled_platform_cannot_see(sessions, config):
    from monitor.platforms import PLATFORM_TABLE
    from monitor.store import finish_run, start_run

    for name in ("instagram", "replay"):
        run = start_run(sessions, name, datetime(2026, 11, 20, 8, tzinfo=UTC))
        finish_run(
            sessions,
            run,
            status="ok",
            fetched=0,
            stored=0,
            skipped=[],
            error="",
            now=datetime(2026, 11, 20, 8, 1, tzinfo=UTC),
        )
    with sessions() as session:
        rendered = render(build_digest(session, config, date(2026, 11, 20)), config)
    blind_spot = PLATFORM_TABLE["instagram"].blind_spots
    assert "arrive only through the Meta webhook" in blind_spot
    row = next(line for line in rendered.html.splitlines() if line.startswith("<tr><td>instagram</td>"))
    assert escape(blind_spot).replace("&#x27;", "&#39;") in row  # the coverage line names the blind spot


def test_the_digest_says_which_flags_were_held_for_review_and_not_emailed(sessions, config):
    complaint = config.lexicons.category("complaint")
    seed_incident(sessions, text="still no reply, this is a disgrace", author="clear")
    seed_incident(sessions, text="a bit slow to reply", author="mild")
    with sessions.begin() as session:
        mild = session.scalars(select(MentionRow).where(MentionRow.author_handle == "mild")).one()
        row = session.scalars(select(AssessmentRow).where(AssessmentRow.mention_id == mild.id)).one()
        score = (complaint.threshold + complaint.alert_at()) / 2
        row.flags, row.scores = [{**row.flags[0], "score": score}], {"complaint": score}
    with sessions() as session:
        digest = build_digest(session, config, date(2026, 11, 23))
    review = {f["author"]: f["review"] for f in digest.top_flagged}
    assert review == {"clear": "", "mild": "complaint"}
    rendered = render(digest, config)
    assert rendered.text.count("for review, not emailed: complaint") == 1
    assert "for review, not emailed: complaint" in rendered.html
    back = pd.read_csv(StringIO(rendered.csv.decode()), keep_default_na=False)
    assert dict(zip(back["author"], back["review"], strict=True)) == review


def test_an_account_branded_as_iom3_that_complains_is_a_critic_not_a_lookalike(sessions, config):
    posts = [
        ("IOM3_North_East", "IOM3 North East", "Quiz night for IOM3 members on Friday, all welcome!"),
        (
            "IOM3_Members_Voice",
            "IOM3 Members Voice",
            "Still no reply from @iom3 to my complaint about the exam fees after three weeks. Unacceptable.",
        ),
    ]
    _store(
        sessions,
        config,
        [
            Mention(
                platform="x",
                platform_id=f"c{n}",
                author_handle=handle,
                author_name=name,
                text=text,
                created_at=datetime(2026, 11, 20, 9, n, tzinfo=UTC),
            )
            for n, (handle, name, text) in enumerate(posts)
        ],
    )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    with sessions() as session:
        complaint = session.scalars(
            select(AssessmentRow).join(MentionRow).where(MentionRow.author_handle == "IOM3_Members_Voice")
        ).one()
        assert "complaint" in {f["category"] for f in complaint.flags}  # the premise
        audit = build_audit(
            session, config, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 23, tzinfo=UTC)
        )
    assert [u["account"] for u in audit.unofficial] == ["x @IOM3_North_East"]
    assert audit.left_out == 1
    assert not any("Members_Voice" in f.account for f in audit.findings)
