"""The ASV account registry, config/accounts.toml, edited from the CLI and exchanged as CSV."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from monitor.config import AccountsFile, RegisteredAccount, format_loc
from monitor.csv_safe import restore

CSV_COLUMNS = [
    "platform",
    "handle",
    "kind",
    "committee",
    "admins",
    "comms_access",
    "registered_on",
    "logo_approved",
    "report_card",
    "admin_emails",
]
HEADER = """\
# Registry of ASV accounts (policy: "Setting up social media accounts"). Every committee or
# group account that posts on behalf of IOM3 activity belongs here, with whether the
# Marketing and Communications team has access (business continuity) and whether it may use
# the IOM3 logo. ASV personal accounts that promote IOM3 are listed as kind = "asv_personal"
# so the monitor can check for the "views are my own" disclaimer.
#
# platform: x | facebook | instagram | linkedin     kind: asv_committee | asv_personal
#
# report_card = true (committee accounts only) sends the account's admins a monthly report card,
# what went well and what to look at, with a copy to the Head of Marketing; admin_emails says
# where.
#
# Edit by hand, or with `run_monitor.py accounts add | import FILE.csv | remove` (which rewrite
# this file, keeping this header).
"""


class RegistryError(ValueError):
    """The registry change cannot be made; the message says why."""


def key(account: RegisteredAccount) -> tuple[str, str]:
    return account.platform, account.handle.lower()


def to_toml(accounts: list[RegisteredAccount]) -> str:
    """The registry as TOML: strings JSON-quoted (valid TOML basic strings), dates bare."""
    blocks = [HEADER]
    for a in accounts:
        lines = [
            "[[account]]",
            f"platform = {json.dumps(a.platform)}",
            f"handle = {json.dumps(a.handle)}",
            f"kind = {json.dumps(str(a.kind))}",
            f"committee = {json.dumps(a.committee)}",
            f"admins = [{', '.join(json.dumps(x) for x in a.admins)}]",
            f"comms_access = {str(a.comms_access).lower()}",
        ]
        if a.registered_on:
            lines.append(f"registered_on = {a.registered_on.isoformat()}")
        lines.append(f"logo_approved = {str(a.logo_approved).lower()}")
        if a.report_card or a.admin_emails:
            lines.append(f"report_card = {str(a.report_card).lower()}")
            lines.append(f"admin_emails = [{', '.join(json.dumps(str(x)) for x in a.admin_emails)}]")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def write(path: Path, accounts: list[RegisteredAccount]) -> None:
    """Validate the whole registry, then replace the file in one step."""
    registry = AccountsFile(account=accounts)
    seen: set[tuple[str, str]] = set()
    for a in registry.account:
        if key(a) in seen:
            raise RegistryError(f"{a.platform} @{a.handle} is in the registry twice")
        seen.add(key(a))
    temporary = path.with_suffix(".toml.new")
    temporary.write_text(to_toml(registry.account), encoding="utf-8")
    temporary.replace(path)


def upsert(
    accounts: list[RegisteredAccount], new: list[RegisteredAccount]
) -> tuple[list[RegisteredAccount], int, int]:
    """The registry with `new` accounts added or replacing those with the same platform and handle."""
    by_key = {key(a): a for a in accounts}
    added = sum(1 for a in new if key(a) not in by_key)
    for a in new:
        by_key[key(a)] = a
    return list(by_key.values()), added, len(new) - added


def remove(accounts: list[RegisteredAccount], platform: str, handle: str) -> list[RegisteredAccount]:
    remaining = [a for a in accounts if key(a) != (platform, handle.lstrip("@").lower())]
    if len(remaining) == len(accounts):
        raise RegistryError(f"no {platform} @{handle.lstrip('@')} in the registry; `accounts list` shows it")
    return remaining


def to_frame(accounts: list[RegisteredAccount]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "platform": a.platform,
                "handle": a.handle,
                "kind": str(a.kind),
                "committee": a.committee,
                "admins": "; ".join(a.admins),
                "comms_access": a.comms_access,
                "registered_on": a.registered_on.isoformat() if a.registered_on else "",
                "logo_approved": a.logo_approved,
                "report_card": a.report_card,
                "admin_emails": "; ".join(str(x) for x in a.admin_emails),
            }
            for a in accounts
        ],
        columns=CSV_COLUMNS,
    )


def from_csv(path: Path) -> list[RegisteredAccount]:
    """Accounts from a CSV with the columns of `accounts list --csv`; every bad row named."""
    try:
        # utf-8-sig: our own exports (and Excel's "CSV UTF-8") start with a byte order mark.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").map(restore)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RegistryError(f"cannot read {path} as CSV: {exc}") from None
    missing = [c for c in ("platform", "handle") if c not in frame.columns]
    if missing:
        raise RegistryError(
            f"{path} has no column {', '.join(missing)}; expected columns: {', '.join(CSV_COLUMNS)}"
        )
    accounts, problems = [], []
    for number, row in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header
        values: dict[str, object] = {k: v for k, v in row.items() if k in CSV_COLUMNS and v != ""}
        for listed in ("admins", "admin_emails"):
            if listed in values:
                values[listed] = [a.strip() for a in str(values[listed]).split(";") if a.strip()]
        for flag in ("comms_access", "logo_approved", "report_card"):
            if flag in values:
                values[flag] = _yes(str(values[flag]), f"{path.name} row {number}: {flag}", problems)
        if "registered_on" in values:
            try:
                values["registered_on"] = date.fromisoformat(str(values["registered_on"]))
            except ValueError:
                problems.append(
                    f"{path.name} row {number}: registered_on {values['registered_on']!r} is not YYYY-MM-DD"
                )
                continue
        try:
            accounts.append(RegisteredAccount.model_validate(values))
        except ValidationError as exc:
            problems.extend(
                f"{path.name} row {number}: {format_loc(e['loc'])}: {e['msg']}" for e in exc.errors()
            )
    if problems:
        raise RegistryError("\n".join(problems))
    return accounts


def _yes(value: str, where: str, problems: list[str]) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "y", "1"):
        return True
    if lowered in ("false", "no", "n", "0"):
        return False
    problems.append(f"{where} is {value!r}; write yes or no")
    return False
