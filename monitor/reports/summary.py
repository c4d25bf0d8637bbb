"""What a pass did and what the store holds, as terminal tables (rich)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from alerts.routing import describe
from monitor.config import CATEGORIES, RoutingFile
from monitor.schema import AssessmentRow, Incident, IncidentMention, MentionRow, OutboxMessage
from monitor.services.incidents import list_incidents
from monitor.services.media import MediaPassResult
from monitor.services.passes import PassResult


def pass_tables(session: Session, result: PassResult, routing: RoutingFile) -> list[Table]:
    """Connectors run, mentions by platform and kind, flags, incidents and emails."""
    runs = Table(title="Connectors", title_justify="left")
    for column in ("connector", "result", "fetched", "new", "edited", "already stored", "unreadable"):
        runs.add_column(column, justify="right" if column not in ("connector", "result") else "left")
    for r in result.ingested:
        runs.add_row(
            r.connector,
            r.status,
            str(r.fetched),
            str(r.stored),
            str(r.edited),
            str(r.duplicates),
            str(len(r.skipped)),
        )

    kinds = ("official", "asv_committee", "asv_personal", "public")
    by_kind = Table(title="Mentions stored, by platform and who posted", title_justify="left")
    by_kind.add_column("platform")
    for kind in kinds:
        by_kind.add_column(kind.replace("_", " "), justify="right")
    by_kind.add_column("total", justify="right")
    counts: dict[str, dict[str, int]] = {}
    for platform, kind, n in session.execute(
        select(MentionRow.platform, MentionRow.channel_kind, func.count()).group_by(
            MentionRow.platform, MentionRow.channel_kind
        )
    ):
        counts.setdefault(platform, {})[kind] = n
    for platform in sorted(counts):
        row = counts[platform]
        by_kind.add_row(platform, *(str(row.get(k, 0)) for k in kinds), str(sum(row.values())))

    flagged = Table(
        title=f"Flags: {result.scored} mentions scored; {result.routed.incidents_opened} incidents opened, "
        f"{result.routed.mentions_joined} joined one already open",
        title_justify="left",
    )
    for column in ("category", "posts", "goes to", "urgency"):
        flagged.add_column(column, justify="right" if column == "posts" else "left")
    by_category: dict[str, int] = {}
    for flags in session.scalars(select(AssessmentRow.flags).where(AssessmentRow.flagged.is_(True))):
        for flag in flags:
            by_category[flag["category"]] = by_category.get(flag["category"], 0) + 1
    for category in CATEGORIES:
        if category in by_category:
            role, severity = describe(routing, category)
            flagged.add_row(
                category,
                str(by_category[category]),
                role.replace("_", " "),
                "in the digest" if severity == "digest" else severity.replace("_", " "),
            )

    crises = Table(
        title="Crisis signals (a thread surging against its platform's usual traffic)", title_justify="left"
    )
    for column in ("thread", "window", "mentions", "usual", "p-value", "why"):
        crises.add_column(column, overflow="fold")
    for signal in result.crises:
        crises.add_row(
            signal.thread_key,
            f"{signal.window_start:%d %b %H:%M}-{signal.window_end:%H:%M} UTC",
            str(signal.mentions),
            f"{signal.expected:.1f}",
            f"{signal.p_value:.1e}",
            "; ".join(signal.reasons[1:]),
        )

    emails = Table(title="Emails", title_justify="left")
    for column in ("#", "status", "to", "subject"):
        emails.add_column(column, overflow="fold")
    for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        emails.add_row(str(row.id), row.status, row.recipient, row.title)
    images = [media_table(result.media)] if result.media.outcomes or result.media.problem else []
    return [runs, by_kind, flagged, *([crises] if result.crises else []), *images, emails]


def media_summary(media: MediaPassResult) -> Text:
    """One paragraph: what the image pass did, for `demo` to print under its tables."""
    if media.disabled:
        return Text("Images: not analysed ([media] enabled = false in config/monitor.toml).")
    if media.problem:
        return Text(f"Images: not analysed, they wait: {media.problem}", style="yellow")
    flagged = [o for o in media.flagged if o.decision == "flag"]
    retired = [o for o in media.flagged if o.decision == "retired"]
    lines = [
        f"Images: {media.analysed} analysed, {len(media.skipped)} skipped. "
        f"{len(flagged)} with the IOM3 logo from an account not approved to use it (emailed to the "
        f"Head of Marketing with the marked-up picture); {len(retired)} with a retired logo version "
        "(digest and audit only)."
    ]
    lines += [f"  skipped {o.url}: {o.reason} ({o.detail})" for o in media.skipped]
    return Text("\n".join(lines))


def media_table(media: MediaPassResult) -> Table:
    """What the image pass did: each image analysed (and what its logo findings mean) or skipped, and why.

    Every cell is a Text: a URL or handle from a post is shown as it is, never read as rich markup.
    """
    title = (
        f"Images: {media.analysed} analysed, {len(media.skipped)} skipped, {len(media.flagged)} with a "
        f"logo finding" + (f", {media.left} left for the next pass" if media.left else "")
    )
    table = Table(title=title, title_justify="left")
    for column in ("#", "account", "result", "detail", "image"):
        table.add_column(column, overflow="fold")
    for o in media.outcomes:
        if o.state == "skipped":
            outcome = Text(f"skipped: {o.reason}", style="yellow")
        elif o.decision == "flag":
            outcome = Text(f"logo {o.version} ({o.confidence:.2f}): flagged", style="bold red")
        elif o.decision == "retired":
            outcome = Text(f"logo {o.version} ({o.confidence:.2f}): retired version", style="dark_orange")
        else:
            outcome = Text("nothing to raise")
        table.add_row(str(o.media_id), Text(o.account), outcome, Text(o.detail), Text(o.url))
    if media.problem:
        table.add_row("", "", Text("not analysed", style="yellow"), Text(media.problem), "")
    return table


def incidents_table(session: Session, zone: ZoneInfo, *, everything: bool = False) -> Table:
    title = "Incidents" if everything else "Open incidents (one email thread each)"
    table = Table(title=title, title_justify="left")
    for column in ("#", "category", "urgency", "status", "to", "mentions", "first post", "last email"):
        table.add_column(column)
    for listing in list_incidents(session, everything=everything):
        inc, posted, author = listing.incident, listing.first_posted_at, listing.first_author
        table.add_row(
            str(inc.id),
            inc.category,
            inc.severity.replace("_", " ") + (" HIGH" if inc.level == "high" else ""),
            inc.status,
            inc.role.replace("_", " "),
            str(inc.mention_count),
            f"{_local(posted, zone)} @{author}",
            _local(inc.last_notified_at, zone) if inc.last_notified_at else "not yet",
        )
    return table


def incident_detail(session: Session, incident_id: int, zone: ZoneInfo) -> Group:
    from alerts.incidents import IncidentError

    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentError(f"no incident #{incident_id}; `run_monitor.py incidents list` shows them")
    head = Text.assemble(
        (f"Incident #{incident.id}: {incident.category}", "bold"),
        f" ({incident.severity.replace('_', ' ')}, {incident.level}), {incident.status}, to "
        f"{incident.role.replace('_', ' ')}\nthread {incident.thread_key}; route: {incident.route}\n",
        f"acknowledged by {incident.acknowledged_by} at {_local(incident.acknowledged_at, zone)}\n"
        if incident.acknowledged_at
        else "",
    )
    mentions = mentions_table(
        session,
        select(MentionRow)
        .join(IncidentMention, IncidentMention.mention_id == MentionRow.id)
        .where(IncidentMention.incident_id == incident.id)
        .options(selectinload(MentionRow.assessments))
        .order_by(MentionRow.created_at),
        zone,
    )
    emails = Table(title="Emails", title_justify="left")
    for column in ("sent", "status", "subject"):
        emails.add_column(column, overflow="fold")
    for row in session.scalars(
        select(OutboxMessage).where(OutboxMessage.incident_id == incident.id).order_by(OutboxMessage.id)
    ):
        emails.add_row(_local(row.sent_at, zone) if row.sent_at else "-", row.status, row.title)
    history = Table(title="History", title_justify="left")
    history.add_column("when (UTC)")
    history.add_column("what", overflow="fold")
    for event in incident.history:
        history.add_row(event["at"][:16].replace("T", " "), event["what"])
    return Group(head, mentions, emails, history)


def mentions_table(session: Session, query: Select[tuple[MentionRow]], zone: ZoneInfo) -> Table:
    """Stored mentions with their latest complaint score and flags."""
    table = Table(title="Mentions", title_justify="left", show_lines=False)
    for column, style in (
        ("#", "dim"),
        ("posted", ""),
        ("platform", ""),
        ("author", ""),
        ("kind", ""),
        ("flags", "bold red"),
        ("text", ""),
    ):
        table.add_column(column, style=style or None, overflow="fold")
    for mention in session.scalars(query):
        latest = max(mention.assessments, key=lambda a: a.id, default=None)
        flags = ", ".join(f["category"] for f in latest.flags) if latest else "not scored"
        table.add_row(
            str(mention.id),
            _local(mention.created_at, zone),
            mention.platform,
            "@" + mention.author_handle,
            mention.channel_kind.replace("_", " "),
            flags,
            _one_line(mention.text, 140),
        )
    return table


def print_tables(console: Console, tables: list[Table]) -> None:
    for table in tables:
        console.print(table)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %H:%M")


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
