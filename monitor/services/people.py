"""The people who may use the web app: everyone in contacts.toml, one person per address.

Two roles can share an address (the team's alerts go to the Head of Marketing until it has an
inbox of its own), so a person holds every role whose address is theirs, and may do what any
of those roles may.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Config


@dataclass(frozen=True, slots=True)
class Person:
    email: str  # lower case: the key
    name: str
    roles: tuple[str, ...]
    titles: tuple[str, ...]
    may_resolve: bool
    may_silence: bool


def people(config: Config) -> dict[str, Person]:
    """Everyone in contacts.toml, by lower-case address."""
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for role, contact in config.contacts.roles.items():
        grouped.setdefault(str(contact.email).lower(), []).append((role, contact.name, contact.title))
    web = config.monitor.web
    found: dict[str, Person] = {}
    for email, entries in grouped.items():
        roles = tuple(role for role, _, _ in entries)
        # The first role's name is the person's; a team placeholder name comes second in the file.
        found[email] = Person(
            email=email,
            name=entries[0][1],
            roles=roles,
            titles=tuple(title for _, _, title in entries if title),
            may_resolve=any(role in web.resolve_roles for role in roles),
            may_silence=any(role in web.silence_roles for role in roles),
        )
    return found


def person(config: Config, email: str) -> Person | None:
    """The person with this address (any case), or None."""
    return people(config).get(email.strip().lower())


def operator(config: Config, by: str) -> Person:
    """Who acts from the command line: the contact with this address, or else the name given.

    Whoever runs `run_monitor.py` holds the monitor's database already, so the command line
    checks no role; the trustees' record (`action_log`) names them as they said, with source "cli".
    """
    known = person(config, by)
    if known is not None:
        return known
    return Person(email=by.strip(), name=by.strip(), roles=(), titles=(), may_resolve=True, may_silence=True)
