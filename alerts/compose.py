"""Every email's envelope and the alert emails, from Jinja2 templates: text + HTML, safe headers.

`make_message` is the one place an email is put together (alerts, digest, audit, the operator's
notes): templates/<name>.subject.j2 gives the subject, <name>.txt.j2 and <name>.html.j2 the bodies.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from alerts.outbox import Outgoing
from monitor.config import Config
from monitor.links import alert_links, safe_url
from monitor.platforms import label as platform_label

KIND_LABELS = {
    "official": "official IOM3 channel",
    "asv_committee": "ASV committee account",
    "asv_personal": "ASV personal account",
    "public": "member of the public",
}
SEVERITY_LABELS = {"immediate": "act now", "same_day": "today", "digest": "for the digest"}
POST_LIMIT = 1000  # characters of a post quoted in an email; the link has the rest

# Every email and report renders through this one environment, so the escaping rule (HTML
# templates autoescape whatever came from a post) is decided in one place.
templates = Environment(
    loader=PackageLoader("alerts", "templates"),
    autoescape=lambda name: bool(name and name.endswith(".html.j2")),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def web_link(url: object) -> bool:
    """Only http(s) links are made clickable: a post's "url" can be javascript:, data: or worse."""
    return bool(safe_url(url))


templates.tests["web_link"] = web_link


def header_safe(text: str, limit: int = 200) -> str:
    """One line for a header: control and format characters (CR, LF, NUL, bidi) become spaces."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


templates.filters["oneline"] = header_safe


def make_message(
    config: Config,
    name: str,
    to: str | Sequence[str],
    ctx: Mapping[str, Any],
    *,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    idstring: str | None = None,
    text: str | None = None,
    html: str | None = None,
) -> EmailMessage:
    """An email from the templates called `name`: Subject, From, To, Date, Message-ID, then `headers`.

    The subject is templates/<name>.subject.j2 (the config's subject prefix is `prefix` in every
    template); the text body is `text` or <name>.txt.j2; the HTML body is `html`, or
    <name>.html.j2 if it exists. A report already rendered (the digest) passes its bodies in.
    """
    mail = config.monitor.mail
    context = {"prefix": mail.subject_prefix, **ctx}
    domain = str(mail.from_address).rpartition("@")[2]
    message = EmailMessage()
    message["Subject"] = header_safe(templates.get_template(f"{name}.subject.j2").render(context), limit=998)
    message["From"] = str(mail.from_address)
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring=idstring or name, domain=domain)
    for header, value in (headers or {}).items():
        message[header] = value
    message.set_content(
        text if text is not None else templates.get_template(f"{name}.txt.j2").render(context)
    )
    if html is None:
        try:
            html = templates.get_template(f"{name}.html.j2").render(context)
        except TemplateNotFound:
            return message
    message.add_alternative(html, subtype="html")
    return message


def quote_post(text: str, limit: int = POST_LIMIT) -> tuple[str, bool]:
    """The post as quoted in an email, and whether it was cut."""
    return (text, False) if len(text) <= limit else (text[:limit].rstrip() + " …", True)


@dataclass(frozen=True, slots=True)
class ImageEvidence:
    """A post's image that raised the flag: its marked-up thumbnail (PNG) and what was seen in it."""

    png: bytes
    position: int  # 0 for the post's first image
    version: str  # the logo version (config/logos/logos.toml)
    status: str  # current | retired
    confidence: float
    alt: str = ""  # the platform's alt text: post content, hostile
    why: str = ""  # the decision in one line (monitor/media/decide.py)

    @property
    def cid_name(self) -> str:
        """The placeholder the HTML template writes as src="cid:<this>"; replaced by a real CID."""
        return f"image-{self.position}"


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """Everything an alert email says, gathered by the pipeline from the store."""

    incident_id: int
    category: str
    severity: str
    clause: str
    advice: str
    score: float
    platform: str
    author_handle: str
    author_name: str
    author_reach: int | None
    channel_kind: str
    url: str
    text: str
    created_at: datetime
    thread_key: str
    evidence_terms: tuple[str, ...]
    sentiment: float
    official_reply_in_thread: bool
    reasons: tuple[str, ...] = ()  # for signals that are not one post's words (a crisis surge)
    notice: str = "opening"  # opening | update | risen | sla_reminder | repeat (alerts/notify.py)
    level: str = "normal"
    new_mentions: int = 0
    total_mentions: int = 1
    history: tuple[str, ...] = ()
    # The one severity scale (alerts/severity.py) and the reader's own advice.
    level_name: str = "medium"
    level_label: str = "MEDIUM"
    colour: str = "#1d4ed8"
    in_lane: bool = False
    reader_advice: str = ""  # what the recipient should do now (routing.toml [advice])
    also: tuple[tuple[str, str, str], ...] = ()  # (category, clause, reader advice) raised by the same post
    # For a crisis: the thread's top posts by reach, its high-reach authors, when each post came,
    # and any press approach inside it.
    top_posts: tuple[Mentioned, ...] = ()
    high_reach: tuple[Mentioned, ...] = ()
    volume: tuple[datetime, ...] = ()
    press: tuple[str, ...] = ()
    waited_hours: float = 0.0  # for an escalation: how long nobody acknowledged
    first_email: bool = True
    images: tuple[ImageEvidence, ...] = ()  # for a logo seen in the post's pictures (alerts/image_flags.py)


@dataclass(frozen=True, slots=True)
class Mentioned:
    """A post named in an email beside the one it quotes."""

    handle: str
    name: str
    reach: int | None
    text: str
    url: str
    created_at: datetime


def change_line(facts: AlertFacts, sla_hours: float) -> str:
    """What a follow-up email adds, for its subject: "3 more posts", "now CRITICAL", ..."""
    if facts.notice == "update":
        posts = "post" if facts.new_mentions == 1 else "posts"
        return f"{facts.new_mentions} more {posts}, {facts.total_mentions} in all"
    if facts.notice == "risen":
        return f"now {facts.level_label}"
    if facts.notice == "sla_reminder":
        return f"reminder: no official reply after {sla_hours:g} h"
    if facts.notice == "repeat":
        return "reminder: not acknowledged"
    if facts.notice == "escalated":
        return f"escalated to you: not acknowledged after {waited(facts.waited_hours)}"
    return ""


def waited(hours: float) -> str:
    """'38 min' under two hours, else '2.5 h'."""
    return f"{round(hours * 60)} min" if hours < 2 else f"{hours:.1f} h".replace(".0 h", " h")


def recipients(config: Config, role: str, *, lane: bool) -> list[str]:
    """The role's address, and its deputy's in the safeguarding lane or while the role is away."""
    contact = config.contact(role)
    addresses = [f"{header_safe(contact.name, 80)} <{contact.email}>"]
    if contact.deputy is not None and (lane or contact.away):
        addresses.append(f"{header_safe(contact.deputy.name, 80)} <{contact.deputy.email}>")
    return addresses


def alert_email(
    config: Config,
    facts: AlertFacts,
    *,
    role: str,
    now: datetime,
    thread_root: str | None = None,
) -> EmailMessage:
    """An incident's email to the contact for `role`; with `thread_root`, a reply in its thread."""
    contact = config.contact(role)
    zone = ZoneInfo(config.monitor.monitor.timezone)
    quoted, cut = quote_post(facts.text)
    sla_hours = config.monitor.sla.complaint_reply_hours
    to = recipients(config, role, lane=facts.in_lane)
    context = {
        "f": facts,
        "contact": contact,
        "deputy": contact.deputy if contact.deputy is not None and (facts.in_lane or contact.away) else None,
        "platform": platform_label(facts.platform),
        "kind": KIND_LABELS.get(facts.channel_kind, facts.channel_kind),
        "severity": SEVERITY_LABELS.get(facts.severity, facts.severity),
        "category": facts.category.replace("_", " "),
        "posted": facts.created_at.astimezone(zone).strftime("%a %d %b %Y, %H:%M %Z"),
        "reach": f"{facts.author_reach:,} followers" if facts.author_reach is not None else "reach unknown",
        "quoted": quoted,
        # A link from a post is only followed if it is plain web (no javascript: or data:).
        "link": _web(facts.url),
        "cut": cut,
        "sla_hours": sla_hours,
        "opened": facts.created_at.astimezone(zone).strftime("%a %d %b, %H:%M"),
        "change": change_line(facts, sla_hours),
        "waited": waited(facts.waited_hours),
        "top_posts": [_shown(m, zone) for m in facts.top_posts],
        "high_reach": [_shown(m, zone) for m in facts.high_reach],
        "chart": bool(facts.volume),
        # One-tap Acknowledge / Open incident links for the web app, when [web] base_url is set;
        # the templates show them in their `actions` block at the end of the email. A link signs
        # in whoever taps it as the address it was made for, so an email the deputy also reads
        # carries none: both sign in as themselves at the incident's page instead.
        "links": alert_links(config, incident_id=facts.incident_id, email=str(contact.email), now=now)
        if len(to) == 1
        else None,
        "page": f"{base}/incidents/{facts.incident_id}"
        if (base := config.monitor.web.base_url.rstrip("/"))
        else "",
    }
    headers = {"X-IOM3-Incident": str(facts.incident_id), "X-IOM3-Severity": facts.level_label}
    if facts.level_name == "critical":
        headers |= {"Importance": "high", "X-Priority": "1 (Highest)", "Priority": "urgent"}
    reply_role = config.monitor.mail.reply_to_role
    if reply_role is not None:
        reply = config.contact(reply_role)
        headers["Reply-To"] = f"{header_safe(reply.name, 80)} <{reply.email}>"
    if thread_root:
        headers |= {"In-Reply-To": thread_root, "References": thread_root}
    message = make_message(
        config, "alert", to, context, now=now, headers=headers, idstring=f"incident-{facts.incident_id}"
    )
    related = {"volume": volume_chart(facts.volume, zone)} if facts.volume else {}
    related |= {image.cid_name: image.png for image in facts.images}
    return embed_related(config, message, related)


def embed_related(config: Config, message: EmailMessage, images: Mapping[str, bytes]) -> EmailMessage:
    """Put each PNG inline in the HTML part (multipart/related), where the HTML says src="cid:<name>"."""
    if not images:
        return message
    domain = str(config.monitor.mail.from_address).rpartition("@")[2]
    cids = {name: make_msgid(idstring=name, domain=domain) for name in images}
    html_part = message.get_body(preferencelist=("html",))  # also under an attachment's multipart/mixed
    if html_part is None:
        return message
    html = html_part.get_content()
    for name, cid in cids.items():
        html = html.replace(f'"cid:{name}"', f'"cid:{cid[1:-1]}"')
    html_part.set_content(html, subtype="html")
    for name, png in images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cids[name], filename=f"{name}.png")
    return message


def _web(url: str) -> str:
    return url if web_link(url) else ""


def _shown(m: Mentioned, zone: ZoneInfo) -> dict[str, Any]:
    quoted, _cut = quote_post(m.text, 160)
    return {
        "handle": m.handle,
        "name": m.name,
        "reach": f"{m.reach:,}" if m.reach is not None else "?",
        "text": quoted,
        "link": _web(m.url),
        "at": m.created_at.astimezone(zone).strftime("%H:%M"),
    }


def volume_chart(times: Sequence[datetime], zone: ZoneInfo) -> bytes:
    """A small bar chart of posts per 15 minutes on the thread, sized for a phone (PNG)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.dates import DateFormatter

    local = [t.astimezone(zone) for t in times]
    start = min(local).replace(minute=min(local).minute // 15 * 15, second=0, microsecond=0)
    buckets: dict[datetime, int] = {}
    for t in local:
        key = start + ((t - start) // timedelta(minutes=15)) * timedelta(minutes=15)
        buckets[key] = buckets.get(key, 0) + 1
    fig, ax = plt.subplots(figsize=(5.6, 1.8), dpi=100)
    ax.bar(list(buckets), list(buckets.values()), width=timedelta(minutes=13), color="#b00020")
    ax.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=zone))
    ax.set_ylabel("posts / 15 min", fontsize=8)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def chat_messages(config: Config, facts: AlertFacts, *, role: str, title: str) -> list[Outgoing]:
    """The chat/SMS notes (Apprise) that go beside a top-severity email: one per configured
    person (the role, and its deputy when the email goes to the deputy too)."""
    contact = config.contact(role)
    targets = [(contact.chat_env, role)]
    if contact.deputy is not None and (facts.in_lane or contact.away):
        targets.append((contact.deputy.chat_env, f"{role}.deputy"))
    zone = ZoneInfo(config.monitor.monitor.timezone)
    body = templates.get_template("alert.chat.j2").render(
        f=facts,
        platform=platform_label(facts.platform),
        category=facts.category.replace("_", " "),
        posted=facts.created_at.astimezone(zone).strftime("%a %d %b, %H:%M"),
        quoted=quote_post(facts.text, 280)[0],
        link=_web(facts.url),
        advice=facts.reader_advice,
    )
    domain = str(config.monitor.mail.from_address).rpartition("@")[2]
    return [
        Outgoing(
            kind="chat",
            message_id=make_msgid(idstring=f"chat-{facts.incident_id}", domain=domain),
            recipient=who,
            title=title,
            # The variable's NAME, never its value: the URL holds a token and the outbox is a table.
            payload=json.dumps({"url_env": env, "title": title, "body": body}),
        )
        for env, who in targets
        # No variable set, no chat for that person: email alone, as before chat was configured.
        if env and os.environ.get(env)
    ]
