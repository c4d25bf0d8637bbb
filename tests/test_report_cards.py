"""The monthly report card: what went well and what to look at, from seeded posts; once a month
per committee across restarts and clock changes; only for committees that opted in; escaped;
delivered to a Maildir and through a real SMTP server."""

from __future__ import annotations

import mailbox
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from phone import on_a_phone
from sqlalchemy import func, select

from alerts.outbox import flush
from alerts.transports.maildir import MaildirTransport
from monitor.channels import ChannelDirectory
from monitor.daemon.scheduler import Monitor, monthly_trigger
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.reports.coaching import COACHING
from monitor.reports.months import card_month_due, first_working_day, month_of
from monitor.schema import JobState, OutboxMessage
from monitor.scoring import Scorer
from monitor.services.report_cards import claim_key, produce_report_card, queue_report_cards, watched_since
from monitor.store import save_batch, start_run
from tests.alerts.test_smtp import smtp, smtp_server  # noqa: F401 - the fixture

LONDON = ZoneInfo("Europe/London")
NOVEMBER = date(2026, 11, 1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _account(config, handle: str):  # noqa: ANN202
    return next(a for a in config.accounts.account if a.handle == handle)


def _post(pid: str, handle: str, day: int, text: str, **extra) -> Mention:
    return Mention(
        platform="x",
        platform_id=pid,
        author_handle=handle,
        text=text,
        created_at=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
        thread_id=extra.pop("thread_id", pid),
        **extra,
    )


@pytest.fixture
def seeded(sessions, config):
    """A November of the Young Members' X account: four weeks of posts, replies, and two slips."""
    ymc = "IOM3_YMC"
    posts = [
        _post("y1", ymc, 3, "Quiz night on Friday, sign up on the IOM3 events page", author_reach=2500),
        _post("y2", ymc, 10, "Lab tour photos are up. Thank you IOM3 for hosting!", author_reach=2520),
        _post("y3", ymc, 17, "Join the IoM3 Young Members for our CV clinic", author_reach=2580),
        _post(
            "y4",
            ymc,
            24,
            f"{HOSTILE} Attaching the spreadsheet of our members' emails and phone numbers so everyone can "
            "arrange lifts to the gala!",
            author_reach=2610,
            url="javascript:alert(3)",
        ),
        # It answered someone: a reply in another thread.
        _post(
            "y5",
            ymc,
            11,
            "@sam_eng yes, the slides will be on the IOM3 website",
            thread_id="s1",
            in_reply_to_id="s1",
        ),
        # Others reply to it: two on the lab tour, one on the quiz.
        _post("r1", "sam_eng", 10, "Great tour, thanks!", thread_id="y2", in_reply_to_id="y2"),
        _post("r2", "lucy_m", 11, "Loved it", thread_id="y2", in_reply_to_id="y2"),
        _post("r3", "ade_k", 4, "Count me in", thread_id="y1", in_reply_to_id="y1"),
        # Not November: neither counted nor shown.
        Mention(
            platform="x",
            platform_id="old",
            author_handle=ymc,
            text="October post about IOM3",
            created_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # 23:30 GMT: still October in London
        ),
    ]
    with sessions.begin() as session:
        save_batch(session, connector="t", mentions=posts, cursor={}, directory=ChannelDirectory(config))
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    return sessions


def test_the_card_says_what_went_well_first_then_what_to_look_at(seeded, config):
    rendered = produce_report_card(seeded, config, _account(config, "IOM3_YMC"), NOVEMBER)
    card = rendered.card
    activity = card.activity
    assert (activity.posts, activity.days_posted, activity.weeks_posted) == (5, 5, 4)
    assert (activity.replies_given, activity.replies_received, activity.top_post_replies) == (1, 3, 2)
    assert activity.top_post.text.startswith("Lab tour photos")
    assert (activity.followers_at_start, activity.followers) == (2500, 2610)
    assert card.went_well[:4] == (
        "You posted 5 times in November, on 5 different days.",
        "You posted every week of the month: steady posting keeps followers with you.",
        "Your posts drew 3 replies from others. The most talked-about (2 replies) is quoted below.",
        "The account reaches 2,610 followers, 110 more than at the start of the month.",
    )
    assert any(line.startswith("You answered people once: the policy asks you to") for line in card.went_well)
    # One post misspelt IOM3, so "every post wrote it correctly" is not claimed.
    assert not any("wrote it correctly" in line for line in card.went_well)
    assert [p.coaching.title for p in card.to_look_at] == ["Confidential information", "Writing IOM3's name"]
    confidential, name = card.to_look_at
    assert (
        confidential.coaching == COACHING["confidentiality"] and "member data" in confidential.coaching.quote
    )
    assert confidential.coaching.step and confidential.when == "Tue 24 Nov"
    assert name.example == "Join the IoM3 Young Members for our CV clinic"
    assert "IOM3 is referred to correctly (eg not IoM3 or I.M3)" in name.coaching.quote

    for body in (rendered.text, rendered.html):
        assert body.index("WHAT WENT WELL" if body is rendered.text else "What went well") < body.index(
            "THINGS TO LOOK AT" if body is rendered.text else "Things to look at"
        )
        assert "Hello Priya Shah and Tom Okafor," in body
        assert "October post" not in body
        # Coaching, not a scorecard: no marks, grades, ranks or failures.
        for word in ("grade", "rank", "/10", "fail", "violation", "breach of policy"):
            assert word not in body.lower(), word


def test_hostile_post_text_is_escaped_and_bad_links_are_not_followed(seeded, config):
    rendered = produce_report_card(seeded, config, _account(config, "IOM3_YMC"), NOVEMBER)
    assert "<script" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "javascript:" not in rendered.html
    assert HOSTILE in rendered.text  # plain text shows the words as written


def test_a_quiet_month_is_said_kindly_and_still_thanks_the_admins(sessions, config):
    rendered = produce_report_card(sessions, config, _account(config, "iom3_wim"), NOVEMBER)
    card = rendered.card
    assert card.quiet and "We saw no posts from the account in November 2026." in rendered.text
    assert card.went_well[-1].startswith("Thank you for looking after the account")
    assert [p.coaching.title for p in card.to_look_at] == ["A quiet account"]


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2026-11", date(2026, 11, 2)),  # 1 November is a Sunday
        ("2026-12", date(2026, 12, 1)),
        ("2027-01", date(2027, 1, 4)),  # New Year's Day (a bank holiday), then a weekend
        ("2027-05", date(2027, 5, 4)),  # early May bank holiday on Monday 3rd
    ],
)
def test_the_first_working_day_skips_weekends_and_bank_holidays(config, month, expected):
    quiet = config.routing.quiet_hours
    assert first_working_day(month_of(month), quiet.working_days, quiet.bank_holidays) == expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 2, 7, 59, tzinfo=LONDON), None),  # the first working day, before 08:00
        (datetime(2026, 11, 2, 8, 0, tzinfo=LONDON), date(2026, 10, 1)),
        (datetime(2026, 11, 8, 23, 0, tzinfo=LONDON), date(2026, 10, 1)),  # catching up after downtime
        (datetime(2026, 11, 9, 8, 0, tzinfo=LONDON), None),  # a week late: skipped, not weeks-old news
        (datetime(2026, 11, 1, 8, 0, tzinfo=LONDON), None),  # a Sunday
        (datetime(2027, 1, 1, 8, 0, tzinfo=LONDON), None),  # a bank holiday
        (datetime(2027, 1, 4, 8, 0, tzinfo=LONDON), date(2026, 12, 1)),
        (datetime(2027, 4, 1, 8, 0, tzinfo=LONDON), date(2027, 3, 1)),  # British Summer Time (07:00 UTC)
    ],
)
def test_which_month_is_due(local, expected):
    holidays = (date(2027, 1, 1),)
    assert card_month_due(local, at=time(8, 0), working_days=WEEKDAYS, holidays=holidays) == expected


def _monitor(config, sessions, clock, tmp_path, *, polling_since=datetime(2026, 8, 1, tzinfo=UTC)) -> Monitor:  # noqa: ANN001
    """A monitor on `sessions`; its first connector run at `polling_since` (None: none yet)."""
    if polling_since is not None and watched_since(sessions) is None:
        start_run(sessions, "replay", polling_since)
    return Monitor(
        config,
        sessions,
        [],
        MaildirTransport(tmp_path / "mail"),
        scheduler=BackgroundScheduler(timezone=config.timezone),
        clock=clock,
    )


def _cards(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.title.contains("report card"))
            .order_by(OutboxMessage.id)
        ).all()


def test_once_a_month_per_committee_across_a_restart(seeded, config, clock, tmp_path):
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 1 December, 08:00 in London
    _monitor(config, seeded, clock, tmp_path).report_cards()
    first = _cards(seeded)
    assert sorted(m.recipient for m in first) == [
        "aisha.rahman@example.org, chloe.martin@example.org",
        "priya.shah@example.org, tom.okafor@example.org",
    ]
    # A restart five minutes later (the job also runs at start), then the next mornings.
    for later in (timedelta(minutes=5), timedelta(days=1), timedelta(days=6, hours=1)):
        clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC) + later
        _monitor(config, seeded, clock, tmp_path).report_cards()
    assert [m.id for m in _cards(seeded)] == [m.id for m in first]
    with seeded() as session:
        claims = session.scalars(select(JobState.job).where(JobState.job.startswith("report_card:"))).all()
    assert sorted(claims) == ["report_card:2026-11:instagram:iom3_wim", "report_card:2026-11:x:iom3_ymc"]


def test_a_monitor_down_on_the_first_working_day_catches_up_once_when_it_starts(
    sessions, config, clock, tmp_path
):
    clock.now = datetime(2026, 11, 4, 13, 20, tzinfo=UTC)  # started on Wednesday afternoon
    _monitor(config, sessions, clock, tmp_path).report_cards()
    assert len(_cards(sessions)) == 2 and all("October 2026" in m.title for m in _cards(sessions))
    clock.now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    _monitor(config, sessions, clock, tmp_path).report_cards()
    assert len(_cards(sessions)) == 2


def test_a_monitor_started_during_the_month_sends_no_card_for_it(sessions, config, clock, tmp_path):
    """It saw only part of November: its cards would call the committees quiet. December's go."""
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    _monitor(
        config, sessions, clock, tmp_path, polling_since=datetime(2026, 11, 20, 9, tzinfo=UTC)
    ).report_cards()
    assert _cards(sessions) == []
    clock.now = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # the first working day of January
    _monitor(config, sessions, clock, tmp_path).report_cards()
    assert len(_cards(sessions)) == 2 and all("December 2026" in c.title for c in _cards(sessions))


def test_once_a_month_through_both_clock_changes_at_eight_london_time(sessions, config, tmp_path):
    """Drive the job at every time its trigger fires from September 2026 to April 2027 (the clocks go
    back on 25 October and forward on 28 March), restarting the monitor every few runs."""
    trigger = monthly_trigger(config)
    fires, previous, now = [], None, datetime(2026, 9, 20, tzinfo=UTC)
    while now < datetime(2027, 4, 20, tzinfo=UTC):
        fire = trigger.get_next_fire_time(previous, now)
        fires.append(fire)
        previous, now = fire, fire + timedelta(seconds=1)
    assert {f.astimezone(LONDON).time() for f in fires} == {time(8, 0)}
    assert {f.utcoffset() for f in (x.astimezone(LONDON) for x in fires)} == {
        timedelta(0),
        timedelta(hours=1),
    }
    for n, fire in enumerate(fires):
        if n % 5 == 0:
            monitor = _monitor(config, sessions, lambda fire=fire: fire, tmp_path)  # a restart
        monitor.clock = lambda fire=fire: fire
        monitor.report_cards()
    cards = _cards(sessions)
    months = ["September", "October", "November", "December", "January", "February", "March"]
    assert len(cards) == 2 * len(months)
    quiet = config.routing.quiet_hours
    for month in months:
        sent = [c for c in cards if f"Your {month} " in c.title]
        assert len(sent) == 2, month
        for card in sent:
            at = card.created_at.astimezone(LONDON)
            assert at.time() == time(8, 0)
            assert at.date() == first_working_day(
                at.date().replace(day=1), quiet.working_days, quiet.bank_holidays
            )


def test_a_committee_that_has_not_opted_in_gets_no_card(sessions, config, config_dir, tmp_path, clock):
    from monitor.config import load_config

    toml = config_dir / "accounts.toml"
    toml.write_text(
        toml.read_text().replace(
            'report_card = true\nadmin_emails = ["aisha', 'report_card = false\nadmin_emails = ["aisha'
        )
    )
    opted_out = load_config(config_dir)
    assert not _account(opted_out, "iom3_wim").report_card
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    _monitor(opted_out, sessions, clock, tmp_path).report_cards()
    (card,) = _cards(sessions)
    assert card.recipient == "priya.shah@example.org, tom.okafor@example.org"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # nobody else either


def test_cards_arrive_in_the_maildir_with_a_copy_to_the_head_of_marketing(seeded, config, tmp_path):
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    queued = queue_report_cards(seeded, config, NOVEMBER, now)
    assert queued.queued == ["x @IOM3_YMC", "instagram @iom3_wim"]
    assert flush(seeded, MaildirTransport(tmp_path / "mail"), now=now).sent == 2
    parsed = [message_from_bytes(bytes(m), policy=policy.default) for m in mailbox.Maildir(tmp_path / "mail")]
    ymc = {m["To"]: m for m in parsed}["priya.shah@example.org, tom.okafor@example.org"]
    assert ymc["Cc"] == "Fabiola Franco <fabiola.franco@iom3.org>"
    assert ymc["Reply-To"] == "Marketing and Communications team <fabiola.franco@iom3.org>"
    assert ymc["Subject"] == (
        "[IOM3 monitor] Your November 2026 report card: Young Members Committee on X (@IOM3_YMC)"
    )
    assert "What went well" in ymc.get_body(("html",)).get_content()
    assert "WHAT WENT WELL" in ymc.get_body(("plain",)).get_content()


def test_a_card_goes_through_a_real_smtp_server_to_the_admins_and_the_copy(seeded, config, smtp_server):  # noqa: F811
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    queue_report_cards(seeded, config, NOVEMBER, now, accounts=[_account(config, "IOM3_YMC")])
    smtp_server.start()
    assert flush(seeded, smtp(smtp_server.port), now=now).sent == 1
    ((_sender, recipients, received),) = smtp_server.sink.received
    assert sorted(recipients) == [
        "fabiola.franco@iom3.org",
        "priya.shah@example.org",
        "tom.okafor@example.org",
    ]
    html = received.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script" not in html


def test_the_claim_key_fits_the_job_state_column(config):
    account = _account(config, "IOM3_YMC").model_copy(update={"handle": "h" * 200})
    key = claim_key(account, NOVEMBER)
    assert len(key) <= 100 and key.startswith("report_card:2026-11:x:")
    assert key != claim_key(account.model_copy(update={"handle": "h" * 199}), NOVEMBER)


def test_the_demo_writes_the_opted_in_committees_cards_to_its_maildir(demo_db):
    maildir = Path(demo_db.removeprefix("sqlite:///")).parent / "mail"
    cards = [m for m in mailbox.Maildir(maildir, create=False) if "report card" in m["Subject"]]
    assert sorted(m["To"] for m in cards) == [
        "aisha.rahman@example.org, chloe.martin@example.org",
        "priya.shah@example.org, tom.okafor@example.org",
    ]
    assert all("November 2026" in m["Subject"] and "fabiola.franco@iom3.org" in m["Cc"] for m in cards)


def test_the_card_fits_a_phone_screen(seeded, config, tmp_path):
    """390 px wide in Debian's Chromium, even with a long unbroken word in a quoted post."""
    with seeded.begin() as session:
        save_batch(
            session,
            connector="t",
            mentions=[_post("long", "IOM3_YMC", 25, "Join IoM3 at " + "https://example.org/" + "a" * 300)],
            cursor={},
            directory=ChannelDirectory(config),
        )
    score_pending(seeded, config, Scorer(config.lexicons, config.monitor.scoring))
    page_file = tmp_path / "card.html"
    page_file.write_text(produce_report_card(seeded, config, _account(config, "IOM3_YMC"), NOVEMBER).html)

    def look(page) -> None:  # noqa: ANN001
        assert page.get_by_text("What went well", exact=True).is_visible()

    assert on_a_phone(page_file, look) <= 390


@pytest.mark.parametrize(
    ("posts", "days", "expected"),
    [
        (1, 1, "You posted once in November, on one day."),
        (2, 1, "You posted twice in November, on one day."),
        (12, 9, "You posted 12 times in November, on 9 different days."),
    ],
)
def test_the_posting_line_reads_naturally(posts, days, expected):
    from monitor.reports.coaching import Activity, went_well

    good = went_well(
        Activity(posts=posts, days_posted=days),
        month="November",
        comms_access=False,
        misspelt_posts=0,
        concerns=0,
    )
    assert good[0] == expected
    assert "access" not in " ".join(good)  # no praise for what is not so
