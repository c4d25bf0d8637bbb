"""Produce the monthly report cards and queue them: one per opted-in committee account and month.

Exactly once, across restarts and whoever asks (the scheduler, `report-card --send`, `demo`): the
card's outbox row is written in the same transaction as a claim row in `job_state` named after
the account and month, inserted with ON CONFLICT DO NOTHING; a second attempt finds the claim
and queues nothing. The claim outlives the outbox row (which the retention purge removes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import enqueue
from monitor.config import Config, RegisteredAccount
from monitor.reports.report_card import RenderedCard, build_report_card, render, report_card_email
from monitor.schema import ConnectorRun, JobState
from monitor.store import dialect_insert  # the dialect's INSERT ... ON CONFLICT DO NOTHING
from monitor.vocabulary import ChannelKind

CLAIM_PREFIX = "report_card"


class NoSuchAccount(LookupError):
    """The account named is not a registered committee account; the message says what to do."""


@dataclass(slots=True)
class QueuedCards:
    month: date
    queued: list[str] = field(default_factory=list)  # "x @IOM3_YMC", one per card queued now
    already: list[tuple[str, datetime]] = field(default_factory=list)  # queued before, and when


def opted_in(config: Config) -> list[RegisteredAccount]:
    """Committee accounts with report_card = true (each has admin_emails: config checks)."""
    return [a for a in config.accounts.account if a.report_card]


def committee_account(config: Config, spec: str) -> RegisteredAccount:
    """The registered committee account named `platform:handle` (e.g. x:IOM3_YMC)."""
    platform, _, handle = spec.partition(":")
    handle = handle.lstrip("@")
    if not handle:
        raise NoSuchAccount(f"{spec!r} is not PLATFORM:HANDLE; write it as e.g. x:IOM3_YMC")
    for account in config.accounts.account:
        if account.platform == platform and account.handle.lower() == handle.lower():
            if account.kind != ChannelKind.ASV_COMMITTEE:
                raise NoSuchAccount(
                    f"{platform} @{account.handle} is a personal account; report cards are for "
                    "committee accounts"
                )
            return account
    raise NoSuchAccount(
        f"no {platform} @{handle} in config/accounts.toml; `run_monitor.py accounts list` shows the registry"
    )


def watched_since(sessions: sessionmaker[Session]) -> datetime | None:
    """When the monitor first polled a connector: before that it saw nothing, so a month that
    began earlier would look quiet on every card."""
    with sessions() as session:
        return session.scalar(select(func.min(ConnectorRun.started_at)))


def claim_key(account: RegisteredAccount, month: date) -> str:
    """The job_state row that says this account's card for this month was queued (100 characters)."""
    key = f"{CLAIM_PREFIX}:{month:%Y-%m}:{account.platform}:{account.handle.lower()}"
    if len(key) <= 100:
        return key
    digest = hashlib.sha256(f"{account.platform}:{account.handle.lower()}".encode()).hexdigest()[:32]
    return f"{CLAIM_PREFIX}:{month:%Y-%m}:{account.platform}:{digest}"


def produce_report_card(
    sessions: sessionmaker[Session], config: Config, account: RegisteredAccount, month: date
) -> RenderedCard:
    """The card of one account for one month, rendered."""
    with sessions() as session:
        card = build_report_card(session, config, account, month)
    return render(card, config)


def queue_report_cards(
    sessions: sessionmaker[Session],
    config: Config,
    month: date,
    now: datetime,
    accounts: list[RegisteredAccount] | None = None,
) -> QueuedCards:
    """Queue `month`'s card for each opted-in account (or those given) that has not had it yet."""
    result = QueuedCards(month)
    for account in opted_in(config) if accounts is None else accounts:
        name, key = f"{account.platform} @{account.handle}", claim_key(account, month)
        with sessions() as session:
            earlier = session.get(JobState, key)
        if earlier is not None:  # cheap check first: no need to build a card that will not go
            result.already.append((name, earlier.updated_at))
            continue
        rendered = produce_report_card(sessions, config, account, month)
        message = report_card_email(config, rendered, to=[str(a) for a in account.admin_emails], now=now)
        with sessions.begin() as session:
            if not _claim(session, key, now):  # another run got there between the check and now
                result.already.append((name, session.get_one(JobState, key).updated_at))
                continue
            enqueue(session, message, incident_id=None, now=now)
        result.queued.append(name)
    return result


def _claim(session: Session, key: str, now: datetime) -> bool:
    """Insert the claim row; True if this transaction made it (commits with the caller's).

    RETURNING says whether a row went in: psycopg's rowcount for ON CONFLICT DO NOTHING is not
    to be relied on, and SQLite has RETURNING since 3.35."""
    inserted = session.execute(
        dialect_insert(session)(JobState)
        .values(job=key, failures=0, operator_told=False, updated_at=now)
        .on_conflict_do_nothing(index_elements=["job"])
        .returning(JobState.job)
    )
    return inserted.first() is not None
