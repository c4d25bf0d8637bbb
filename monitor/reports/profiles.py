"""The audit's profile checks: what each registered account's profile (name, bio, picture) says
against the policy (issue #16).

`account_findings` is pure: a stored profile, the account's registry entry and the lexicons in,
findings in the audit's `Finding` shape out, each naming its clause and one concrete step:

- Presentation: the name or bio writes IOM3 as the brand_name lexicon's misspellings do (IoM3,
  I.M3, Iom3, IOM 3...);
- Logos and trademarks: the picture carries IOM3's logo and the account is not approved to use
  it; or, approved, it carries a retired version (the gentler finding);
- Personal accounts: an ASV personal account whose bio promotes IOM3 carries none of the
  disclaimer cues of the disclaimer lexicon ("views are my own"...);
- Presentation, coaching: a committee account whose name does not say which IOM3 group it is.

A profile the platform does not give to this read-only monitor is "not readable", never guessed
at. IOM3's own channels are checked for the misspelling and a retired logo only.
`profile_findings` reads the stored profiles for the audit (monitor/reports/audit.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Config, LexiconsFile, OfficialChannel, RegisteredAccount
from monitor.platforms import label
from monitor.reports.audit import Finding
from monitor.reports.lookalike import BRAND
from monitor.schema import ProfileRow
from monitor.scoring.lexicon import Lexicon
from monitor.scoring.text import tokenize

if TYPE_CHECKING:
    from rich.table import Table

    from monitor.media.avatars import AvatarResult
    from monitor.services.profiles import ProfilesResult

OFFICIAL = "official IOM3 channel"
COMMITTEE_NAME_CLAUSE = (
    "Representing IOM3: presentation (a committee account follows the IOM3 brand guidelines)"
)
REGISTRY_CLAUSE = "Setting up social media accounts (the registry of ASV accounts)"
# Words that name no particular group: a committee name's other words are what its account's
# name should carry ("Packaging" of "Packaging Society").
GENERIC_WORDS = frozenset(
    "committee society group branch division local association network forum the of and in for at "
    "iom3 institute materials minerals mining".split()
)
SMALL_WORDS = frozenset("of and in for at the".split())

Account = RegisteredAccount | OfficialChannel


def account_findings(
    profile: ProfileRow, account: Account, lexicons: LexiconsFile, lexicon: Lexicon | None = None
) -> list[Finding]:
    """What one stored profile shows against the policy (empty when all is well)."""
    lexicon = lexicon or Lexicon(lexicons)
    official = isinstance(account, OfficialChannel)
    where = label(profile.platform)
    base = {"account": f"{profile.platform} @{account.handle}", "committee": _group(account)}
    if not profile.readable or profile.problem:
        if official:
            return []  # IOM3's own channels are the Comms team's to look at
        what = "not readable" if not profile.readable else "could not be read"
        return [
            Finding(
                **base,
                finding=f"profile {what} on {where}: {profile.problem}",
                clause=f"not checked: {', '.join(_clauses(account, lexicons))}",
                advice=_unread_advice(account, profile.readable, where),
            )
        ]
    if profile.fetched_at is None:
        return []
    found = [Finding(**base, **f) for f in _misspellings(profile, account, lexicons, lexicon, where)]
    found += [Finding(**base, **f) for f in _logos(profile, account, lexicons, where)]
    if not official and account.kind == "asv_personal":
        found += [Finding(**base, **f) for f in _disclaimer(profile, account, lexicons, lexicon, where)]
    if not official and account.kind == "asv_committee":
        found += [Finding(**base, **f) for f in _committee_name(profile, account, where)]
    return found


def _misspellings(
    profile: ProfileRow, account: Account, lexicons: LexiconsFile, lexicon: Lexicon, where: str
) -> list[dict[str, str]]:
    found = []
    for field, text in (("name", profile.display_name), ("bio", profile.bio)):
        terms = sorted({h.term for h in lexicon.exact_hits(text) if h.category == "brand_name"})
        if terms:
            found.append(
                {
                    # Worded as the audit's check of names seen on posts, so the two never repeat.
                    "finding": f"profile {field} writes IOM3 as {', '.join(terms)}",
                    "clause": lexicons.brand_name.clause,
                    "advice": f"Ask {_who(account)} to edit the profile {field} on {where} so it reads "
                    f"IOM3, not {terms[0]}.",
                    "example": text[:200],
                }
            )
    return found


def _logos(profile: ProfileRow, account: Account, lexicons: LexiconsFile, where: str) -> list[dict[str, str]]:
    logos = profile.logo_findings or []
    versions = {
        status: [str(f.get("version")) for f in logos if f.get("status") == status]
        for status in ("current", "retired")
    }
    approved = isinstance(account, OfficialChannel) or account.logo_approved
    if not approved and (versions["current"] or versions["retired"]):
        shown = ", ".join(versions["current"] + versions["retired"])
        return [
            {
                "finding": f"profile picture carries the IOM3 logo ({shown}); the account is not "
                "approved to use it",
                "clause": lexicons.logo.clause,
                "advice": f"Ask {_who(account)} to replace the profile picture on {where}, or to ask the "
                "Marketing and Communications team for permission (then set logo_approved = true "
                "for it in config/accounts.toml).",
                "url": profile.url,
            }
        ]
    if versions["retired"] and not versions["current"]:
        return [
            {
                "finding": f"profile picture carries a retired version of the IOM3 logo "
                f"({', '.join(versions['retired'])})",
                "clause": lexicons.logo.clause,
                "advice": f"Send {_who(account)} the current IOM3 logo for the profile picture on {where}.",
                "url": profile.url,
            }
        ]
    return []


def _disclaimer(
    profile: ProfileRow, account: Account, lexicons: LexiconsFile, lexicon: Lexicon, where: str
) -> list[dict[str, str]]:
    """The disclaimer lexicon's own cues: its promotion group says the bio promotes IOM3 (when it
    also names IOM3), its modifier group is the disclaimer the policy asks for."""
    hits = [
        h
        for h in lexicon.match(profile.bio, tokenize(profile.bio), personal=True)
        if h.category == "disclaimer"
    ]
    disclaimed = any((h.category, h.group) in lexicon.modifiers for h in hits)
    promotes = any((h.category, h.group) not in lexicon.modifiers for h in hits) and BRAND.search(profile.bio)
    if not promotes or disclaimed:
        return []
    suggestion = next(
        (group.terms[0] for group in lexicons.disclaimer.cues.values() if group.modifier), "views are my own"
    )
    return [
        {
            "finding": 'profile bio promotes IOM3 with no "views are my own" disclaimer',
            "clause": lexicons.disclaimer.clause,
            "advice": f'Ask {_who(account)} to add a disclaimer such as "{suggestion.capitalize()}, '
            f"not IOM3's.\" to the bio on {where}.",
            "example": profile.bio[:200],
        }
    ]


def _committee_name(profile: ProfileRow, account: RegisteredAccount, where: str) -> list[dict[str, str]]:
    committee = account.committee.strip()
    if not committee:
        return []
    shown = " ".join(profile.display_name.split())  # quoted in a line of text: no line breaks
    words = set(re.findall(r"[a-z0-9]+", shown.lower()))
    says_group = bool(words & _group_words(committee))
    says_iom3 = BRAND.search(shown) is not None
    if says_group and says_iom3:
        return []
    missing = ([] if says_iom3 else ["that it is an IOM3 group"]) + (
        [] if says_group else [f"which group runs it ({committee})"]
    )
    suggested = committee if BRAND.search(committee) else f"IOM3 {committee}"
    return [
        {
            "finding": f'coaching, low priority: the profile name "{shown}" does not say '
            f"{' or '.join(missing)}",
            "clause": COMMITTEE_NAME_CLAUSE,
            "advice": f'Suggest to {_who(account)} a name on {where} such as "{suggested}", so '
            "followers can tell which IOM3 group the account speaks for.",
        }
    ]


def _group_words(committee: str) -> set[str]:
    """The words that name this group, and its initials ("Young Members Committee": young,
    members, ymc, ym)."""
    words = re.findall(r"[a-z0-9]+", committee.lower())
    named = {w for w in words if w not in GENERIC_WORDS and len(w) > 2}
    initials = "".join(w[0] for w in words if w not in SMALL_WORDS)
    shorter = "".join(w[0] for w in words if w not in GENERIC_WORDS)
    return named | {i for i in (initials, shorter) if len(i) >= 2}


def _clauses(account: Account, lexicons: LexiconsFile) -> list[str]:
    clauses = [lexicons.brand_name.clause, lexicons.logo.clause]
    if isinstance(account, RegisteredAccount) and account.kind == "asv_personal":
        clauses.append(lexicons.disclaimer.clause)
    return clauses


def _unread_advice(account: Account, readable: bool, where: str) -> str:
    if readable:
        return (
            f"Check the account still exists on {where} under @{account.handle}; correct or remove "
            "it in config/accounts.toml (run_monitor.py accounts add/remove)."
        )
    personal = isinstance(account, RegisteredAccount) and account.kind == "asv_personal"
    return (
        f"Look at the profile on {where} by hand: IOM3 written correctly in the name and bio, the "
        "IOM3 logo only if approved"
        + (', and the "views are my own" disclaimer in the bio.' if personal else ".")
    )


def _group(account: Account) -> str:
    return OFFICIAL if isinstance(account, OfficialChannel) else account.committee


def _who(account: Account) -> str:
    if isinstance(account, OfficialChannel):
        return "the Marketing and Communications team"
    admins = [a for a in account.admins if a.strip()]
    if not admins:
        return "the account's administrators"
    return admins[0] if len(admins) == 1 else f"{', '.join(admins[:-1])} and {admins[-1]}"


def profile_findings(session: Session, config: Config, already: Sequence[Finding] = ()) -> list[Finding]:
    """The profile findings of every official channel and registered account with a stored
    profile, leaving out any finding `already` holds (the audit's own check of names on posts)."""
    rows = {(r.platform, r.handle_key): r for r in session.scalars(select(ProfileRow))}
    seen = {(f.account, f.finding) for f in already}
    lexicon = Lexicon(config.lexicons)
    found: list[Finding] = []
    for account in [*config.channels.official, *config.accounts.account]:
        row = rows.get((account.platform, account.handle.lower()))
        for finding in account_findings(row, account, config.lexicons, lexicon) if row else []:
            if (finding.account, finding.finding) not in seen:
                seen.add((finding.account, finding.finding))
                found.append(finding)
    return found


def _picture_said(avatar: AvatarResult) -> str:
    """The profile picture's part of the table's result cell."""
    if avatar.state == "none":
        return ""
    if avatar.state == "skipped":
        return f"; picture skipped ({avatar.reason})"
    if avatar.logos is None:
        return f"; picture analysed ({avatar.reason})"
    versions = ", ".join(str(f.get("version")) for f in avatar.logos)
    return f"; picture shows the IOM3 logo ({versions})" if versions else "; picture: no IOM3 logo"


def profiles_table(result: ProfilesResult, title: str) -> Table:
    """What a run of the profiles step read, one row per account, for the terminal. Every cell is
    plain text (rich.Text): a bio holding "[link=...]" is shown as written, never as markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    for column in ("account", "result", "name", "bio"):
        table.add_column(column, overflow="fold")
    rows: list[tuple[str, str, str, str]] = []
    for target, profile, avatar in result.read:
        rows.append((target.name, f"read{_picture_said(avatar)}", profile.display_name, profile.bio[:120]))
    rows += [(target.name, f"not readable: {why}", "", "") for target, why in result.unreadable]
    rows += [(target.name, f"not read: {why}", "", "") for target, why in result.failed]
    # One reason per stopped platform, said once below the table, not once per account.
    rows += [
        (t.name, f"not read this run: {label(t.platform)} stopped (below)", "", "") for t, _ in result.waiting
    ]
    rows += [
        (target.name, f"not read: no {label(target.platform)} connector enabled", "", "")
        for target in result.no_connector
    ]
    rows += [(target.name, "already read today", "", "") for target in result.checked_today]
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table
