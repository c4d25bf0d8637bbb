"""Every email's envelope and the alert emails, from Jinja2 templates: text + HTML, safe headers.

`make_message` is the one place an email is put together (alerts, digest, audit, the operator's
notes): templates/<name>.subject.j2 gives the subject, <name>.txt.j2 and <name>.html.j2 the bodies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from monitor.config import Config
from monitor.platforms import label as platform_label
from monitor.web.links import alert_links

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
    return isinstance(url, str) and re.match(r"https?://[^\s]", url, re.IGNORECASE) is not None


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


def alert_email(
    config: Config,
    facts: AlertFacts,
    *,
    role: str,
    now: datetime,
    thread_root: str | None = None,
    root_subject: str | None = None,
) -> EmailMessage:
    """An incident's email to the contact for `role`; with `thread_root`, a reply in its thread."""
    contact = config.contact(role)
    zone = ZoneInfo(config.monitor.monitor.timezone)
    quoted, cut = quote_post(facts.text)
    context = {
        "f": facts,
        "contact": contact,
        "platform": platform_label(facts.platform),
        "kind": KIND_LABELS.get(facts.channel_kind, facts.channel_kind),
        "severity": SEVERITY_LABELS.get(facts.severity, facts.severity),
        "category": facts.category.replace("_", " "),
        "posted": facts.created_at.astimezone(zone).strftime("%a %d %b %Y, %H:%M %Z"),
        "reach": f"{facts.author_reach:,} followers" if facts.author_reach is not None else "reach unknown",
        "quoted": quoted,
        # A link from a post is only followed if it is plain web (no javascript: or data:).
        "link": facts.url if facts.url.startswith(("https://", "http://")) else "",
        "cut": cut,
        "sla_hours": config.monitor.sla.complaint_reply_hours,
        "opened": facts.created_at.astimezone(zone).strftime("%a %d %b, %H:%M"),
        # One-tap Acknowledge / Open incident links for the web app, when [web] base_url is set.
        "links": alert_links(config, incident_id=facts.incident_id, email=str(contact.email), now=now),
    }
    headers = {"X-IOM3-Incident": str(facts.incident_id)}
    if thread_root:
        headers |= {"In-Reply-To": thread_root, "References": thread_root}
    to = f"{header_safe(contact.name, 80)} <{contact.email}>"
    message = make_message(
        config, "alert", to, context, now=now, headers=headers, idstring=f"incident-{facts.incident_id}"
    )
    if thread_root:
        # A reply in the incident's thread: mail clients group it under the first email.
        subject = header_safe("Re: " + (root_subject or message["Subject"]).removeprefix("Re: "), limit=124)
        message.replace_header("Subject", subject)
    return message
