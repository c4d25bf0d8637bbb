"""The escalation chain, working hours, the safeguarding lane and one email per post, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_string, policy

import pytest
from alert_steps import arrive
from pydantic import ValidationError
from sqlalchemy import select

from alerts.escalation import EscalationState, held_until, next_step, upcoming
from alerts.incidents import acknowledge, notify_due
from monitor.config import Escalation, QuietHours, RoutingFile, load_config
from monitor.models import Mention
from monitor.schema import Incident, OutboxMessage
from monitor.scoring import assess
from monitor.services.silences import SilenceRefused, create_silence, lift_silence, list_silences

LONDON_0800 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # a Tuesday; London is on GMT in November
AT_RISK = "I am 15 and I don't want to be here anymore, IOM3 mentoring made it worse"
ABUSE = "Still waiting for my refund from IOM3, no reply for weeks. You are all useless idiots and scum"
CRISIS = "Boycott the IOM3 awards. This sponsorship is a scandal and a disgrace."
CHAIN = Escalation(
    chain=["communications_executive", "head_of_marketing", "director_of_business_support"],
    ack_timeout={"critical": 30, "high": 120},
)


@pytest.fixture(scope="module")
def working_config():
    """The project's config as shipped: working hours and the chain both on."""
    return load_config()


def _mention(n: int, text: str, **overrides) -> Mention:
    values = dict(
        platform="x",
        platform_id=str(5000 + n),
        author_handle=f"p{n}",
        text=text,
        created_at=LONDON_0800 + timedelta(minutes=n),
        thread_id=str(5000 + n),
        author_reach=100,
        url=f"https://x.com/p{n}/status/{5000 + n}",
    )
    return Mention(**{**values, **overrides})


def _emails(sessions) -> list:
    with sessions() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "email").order_by(OutboxMessage.id)
        ).all()
    return [message_from_string(r.payload, policy=policy.default) for r in rows]


def _history(sessions) -> list[str]:
    with sessions() as session:
        (incident,) = session.scalars(select(Incident)).all()
        return [e["what"] for e in incident.history]


# --- the pure rules --------------------------------------------------------------------------
def test_next_step_climbs_at_the_configured_times_and_stops_when_acknowledged():
    t0 = LONDON_0800
    state = EscalationState(
        role="communications_executive",
        severity="critical",
        status="open",
        acknowledged=False,
        first_notified_at=t0,
    )
    assert next_step(state, CHAIN, t0 + timedelta(minutes=29)) is None
    step = next_step(state, CHAIN, t0 + timedelta(minutes=30))
    assert (step.number, step.role, step.due_at) == (1, "head_of_marketing", t0 + timedelta(minutes=30))
    climbed = EscalationState(**{**_fields(state), "step": 1, "escalated_at": t0 + timedelta(minutes=31)})
    assert next_step(climbed, CHAIN, t0 + timedelta(minutes=60)) is None  # 30 minutes from the last step
    assert next_step(climbed, CHAIN, t0 + timedelta(minutes=61)).role == "director_of_business_support"
    top = EscalationState(**{**_fields(state), "step": 2, "escalated_at": t0 + timedelta(minutes=61)})
    assert upcoming(top, CHAIN) is None  # the chain has run out
    acked = EscalationState(**{**_fields(state), "acknowledged": True, "status": "acknowledged"})
    assert next_step(acked, CHAIN, t0 + timedelta(days=1)) is None
    high = EscalationState(**{**_fields(state), "severity": "high"})
    assert next_step(high, CHAIN, t0 + timedelta(minutes=119)) is None
    assert next_step(high, CHAIN, t0 + timedelta(minutes=120)).role == "head_of_marketing"
    medium = EscalationState(**{**_fields(state), "severity": "medium"})
    assert upcoming(medium, CHAIN) is None  # a same-day matter is not chased up the chain
    assert upcoming(state, None) is None


def _fields(state: EscalationState) -> dict:
    return {name: getattr(state, name) for name in state.__slots__}


def test_working_hours_hold_only_what_may_wait():
    hours = QuietHours(bank_holidays=["2026-12-25"])
    zone = load_config().timezone
    friday_night = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    assert held_until(friday_night, hours, zone, severity="medium", lane=False) == datetime(
        2026, 11, 30, 9, 0, tzinfo=zone
    )
    assert held_until(friday_night, hours, zone, severity="critical", lane=False) is None
    assert held_until(friday_night, hours, zone, severity="medium", lane=True) is None
    christmas_eve = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert held_until(christmas_eve, hours, zone, severity="medium", lane=False) == datetime(
        2026, 12, 28, 9, 0, tzinfo=zone
    )
    summer_morning = datetime(2026, 7, 1, 7, 30, tzinfo=UTC)  # 08:30 BST
    assert held_until(summer_morning, hours, zone, severity="medium", lane=False) == datetime(
        2026, 7, 1, 9, 0, tzinfo=zone
    )
    assert (
        held_until(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), hours, zone, severity="medium", lane=False) is None
    )


# --- through the store ----------------------------------------------------------------------
def test_an_unacknowledged_crisis_climbs_the_chain_and_stops_when_acknowledged(sessions, config, clock):
    clock.now = LONDON_0800
    arrive(sessions, config, clock, _mention(0, CRISIS, author_reach=50_000))
    clock.advance(minutes=2)
    assert notify_due(sessions, config, clock=clock) == 1
    clock.advance(minutes=29)
    assert notify_due(sessions, config, clock=clock) == 0  # 29 minutes: not yet
    clock.advance(minutes=1)
    assert notify_due(sessions, config, clock=clock) == 1
    escalated = _emails(sessions)[-1]
    assert escalated["To"] == "Fabiola Franco <fabiola.franco@iom3.org>"
    assert "escalated to you: not acknowledged after 30 min" in escalated["Subject"]
    assert "make sure someone owns it now" in escalated.get_body(("plain",)).get_content()
    with sessions.begin() as session:
        (incident,) = session.scalars(select(Incident)).all()
        acknowledge(session, incident.id, by="Fabiola", now=clock())
    clock.advance(hours=5)
    assert notify_due(sessions, config, clock=clock) == 0  # no Director, no repeats
    history = _history(sessions)
    assert any(line.startswith("escalated to Head of Marketing (step 1 of the chain)") for line in history)
    assert "acknowledged by Fabiola" in history
    assert not any("Director of Business Support (step 2" in line for line in history)


def test_the_chain_reaches_the_director_when_nobody_answers(sessions, config, clock):
    clock.now = LONDON_0800
    arrive(sessions, config, clock, _mention(0, CRISIS, author_reach=50_000))
    clock.advance(minutes=2)
    notify_due(sessions, config, clock=clock)
    for _ in range(8):  # two hours, a pass every quarter hour
        clock.advance(minutes=15)
        notify_due(sessions, config, clock=clock)
    recipients = [e["To"] for e in _emails(sessions)]
    assert recipients.count("Fabiola Franco <fabiola.franco@iom3.org>") >= 1
    assert "Collette Marriott <collette.marriott@iom3.org>" in recipients
    steps = [line for line in _history(sessions) if line.startswith("escalated")]
    assert [s.split(" (")[0] for s in steps] == [
        "escalated to Head of Marketing",
        "escalated to Director of Business Support",
    ]


def test_quiet_hours_hold_a_complaint_until_nine_but_never_safeguarding(sessions, working_config, clock):
    config = working_config
    clock.now = LONDON_0800 - timedelta(hours=2)  # 06:00 on a Tuesday
    arrive(
        sessions,
        config,
        clock,
        _mention(0, "Still waiting for my refund, no reply for weeks. Unacceptable.", created_at=clock()),
        _mention(1, AT_RISK, created_at=clock()),
    )
    clock.advance(minutes=6)
    assert notify_due(sessions, config, clock=clock) == 1
    (safeguarding,) = _emails(sessions)
    assert safeguarding["Subject"].strip().startswith("[IOM3 monitor] CRITICAL: Safeguarding")
    assert (
        "safeguarding@iom3.org" in safeguarding["To"] and "collette.marriott@iom3.org" in safeguarding["To"]
    )
    with sessions.begin() as session:  # the Director is on it: no repeats to count below
        lane = session.scalars(select(Incident).where(Incident.category == "safeguarding")).one()
        acknowledge(session, lane.id, by="Collette", now=clock())
    clock.now = datetime(2026, 11, 24, 8, 59, tzinfo=UTC)
    assert notify_due(sessions, config, clock=clock) == 0
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert notify_due(sessions, config, clock=clock) == 1
    complaint = _emails(sessions)[-1]
    assert complaint["Subject"].strip().startswith("[IOM3 monitor] MEDIUM: Complaint")
    with sessions() as session:
        held = session.scalars(select(Incident).where(Incident.category == "complaint")).one()
        assert any(
            "held for working hours: MEDIUM waits until Tue 24 Nov 09:00" in e["what"] for e in held.history
        )


def test_a_silence_cannot_mute_safeguarding(sessions, config, clock):
    clock.now = LONDON_0800
    with sessions.begin() as session:
        with pytest.raises(SilenceRefused, match="safeguarding lane and can never be silenced"):
            create_silence(
                session,
                config,
                matchers={"category": "safeguarding"},
                reason="r",
                created_by="k",
                ends_at=clock() + timedelta(hours=1),
                now=clock(),
            )
        with pytest.raises(SilenceRefused, match="longer than the 168 allowed"):
            create_silence(
                session,
                config,
                matchers={"term": "iom"},
                reason="r",
                created_by="k",
                ends_at=clock() + timedelta(hours=10_000),
                now=clock(),
            )
        # A silence on the author still mutes their complaints, never their safeguarding flag.
        create_silence(
            session,
            config,
            matchers={"author": "p0"},
            reason="known troll",
            created_by="k",
            ends_at=clock() + timedelta(hours=2),
            now=clock(),
        )
    result = arrive(sessions, config, clock, _mention(0, AT_RISK), _mention(1, ABUSE, author_handle="p0"))
    # Every flag of the troll's post is silenced (complaint, harassment, and whatever else the
    # detectors read in it); the safeguarding post opens its incident.
    abuse_flags = len(assess(ABUSE, platform="x", channel_kind="public").flags)
    assert abuse_flags >= 2
    assert (result.incidents_opened, result.silenced) == (1, abuse_flags)
    clock.advance(minutes=1)
    assert notify_due(sessions, config, clock=clock) == 1
    assert "Safeguarding" in _emails(sessions)[0]["Subject"]


def test_silences_list_and_lift(sessions, config, clock):
    clock.now = LONDON_0800
    with sessions.begin() as session:
        silence = create_silence(
            session,
            config,
            matchers={"thread": "x:1", "platform": "x"},
            reason="dealt with by phone",
            created_by="Kovida",
            ends_at=clock() + timedelta(hours=3),
            now=clock(),
        )
        assert [s.id for s in list_silences(session, now=clock())] == [silence.id]
        lifted = lift_silence(session, silence.id, lifted_by="Fabiola", now=clock() + timedelta(hours=1))
        assert lifted.ends_at == clock() + timedelta(hours=1)
        assert list_silences(session, now=clock() + timedelta(hours=1)) == []
        assert [s.id for s in list_silences(session, now=clock(), include_expired=True)] == [silence.id]
        with pytest.raises(LookupError, match="no silence #999"):
            lift_silence(session, 999, lifted_by="x", now=clock())


def test_two_categories_from_one_post_make_one_email(sessions, config, clock):
    clock.now = LONDON_0800
    result = arrive(sessions, config, clock, _mention(0, ABUSE))
    assert result.incidents_opened == 1
    clock.advance(minutes=6)
    assert notify_due(sessions, config, clock=clock) == 1
    (email,) = _emails(sessions)
    # The two score alike: whichever leads the subject, the other rides along in the same email.
    lead, also = (
        ("Complaint", "harassment")
        if "Complaint on X + " in email["Subject"]
        else ("Harassment", "complaint")
    )
    assert f"{lead} on X + {also}" in email["Subject"], email["Subject"]
    body = email.get_body(("plain",)).get_content()
    assert f"Also {also} (" in body
    assert any(line.startswith(f"also {also}") for line in _history(sessions))


def test_advice_is_for_the_reader_and_every_reader_has_some(config):
    safeguarding = config.routing.advice_for("safeguarding", "director_of_business_support")
    assert safeguarding.startswith("Follow the Safeguarding Policy")
    assert "Director of Business Support" not in safeguarding  # never "report it to yourself"
    assert "contact the Communications Executive" not in config.routing.advice_for(
        "press", "communications_executive"
    )
    data = config.routing.model_dump()
    del data["advice"]["press"]["head_of_marketing"]
    with pytest.raises(
        ValidationError, match=r"no advice for the reader: \[advice.press\] head_of_marketing"
    ):
        RoutingFile.model_validate(data)


def test_config_refuses_anything_that_would_mute_the_lane(config):
    data = config.routing.model_dump()
    data["inhibit"].append({"when": "crisis", "fold": ["safeguarding"]})
    with pytest.raises(
        ValidationError, match="safeguarding is in the safeguarding lane and cannot be folded"
    ):
        RoutingFile.model_validate(data)
    data = config.routing.model_dump()
    data["route"][0]["group_wait"] = 10
    with pytest.raises(ValidationError, match="no group_wait"):
        RoutingFile.model_validate(data)
    with pytest.raises(ValidationError, match="never held"):
        QuietHours(hold=["critical"])


def test_a_press_approach_inside_a_crisis_is_its_own_incident_and_a_line_in_the_crisis_email(
    sessions, config, clock
):
    clock.now = LONDON_0800
    arrive(sessions, config, clock, _mention(0, CRISIS, thread_id="77", author_reach=50_000))
    clock.advance(minutes=2)
    assert notify_due(sessions, config, clock=clock) == 1
    journalist = "Anyone at IOM3 want to talk? Journalist at the Guardian, writing about the awards"
    result = arrive(
        sessions, config, clock, _mention(1, journalist, thread_id="77", author_handle="jess_news")
    )
    assert result.incidents_opened == 1  # not folded into the crisis
    clock.advance(minutes=30)
    notify_due(sessions, config, clock=clock)
    emails = _emails(sessions)
    press = next(e for e in emails if ": Press on X" in e["Subject"])
    assert press["To"] == "Kovida Mehra <kovida.mehra@iom3.org>"
    assert press["Subject"].strip().startswith("[IOM3 monitor] CRITICAL: Press on X")
    # The crisis's next email (here the chain bringing in the Head of Marketing) names it.
    later = next(e for e in emails if "Crisis on X" in e["Subject"] and "escalated" in e["Subject"])
    text = later.get_body(("plain",)).get_content()
    assert "Press approach in this thread (raised to the press route)" in text
    assert "@jess_news" in text and "a press approach, incident #" in text
    assert "Top posts by reach in this thread" in text and "High-reach authors: @p0 (50,000)" in text
