"""The models of config/accounts.toml: the registry of ASV committee and personal accounts, with
their admins, Comms access, logo approval and the monthly report card opt-in."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from monitor.settings.fields import EmailAddress, Handle, Platform, Strict
from monitor.vocabulary import ChannelKind


class RegisteredAccount(Strict):
    platform: Platform
    handle: Handle
    kind: Literal[ChannelKind.ASV_COMMITTEE, ChannelKind.ASV_PERSONAL] = ChannelKind.ASV_COMMITTEE
    committee: str = ""
    admins: list[str] = Field(default_factory=list)
    comms_access: bool = False
    registered_on: date | None = None
    logo_approved: bool = False
    # The monthly report card (what went well, what to look at) to the account's admins, with a
    # copy to [report_cards] copy_role. Opt-in per committee: it goes to people outside IOM3 staff.
    report_card: bool = False
    admin_emails: list[EmailAddress] = Field(default_factory=list)

    @model_validator(mode="after")
    def _report_card_needs_addresses(self) -> RegisteredAccount:
        who = f"{self.committee or 'the account'} ({self.platform} @{self.handle})"
        if self.report_card and self.kind != ChannelKind.ASV_COMMITTEE:
            raise ValueError(
                f"report_card = true for {who}, a personal account: report cards are for committee "
                "accounts; remove report_card"
            )
        if self.report_card and not self.admin_emails:
            raise ValueError(
                f"report_card = true for {who} but no admin_emails: add the admins' addresses, e.g. "
                'admin_emails = ["name@example.org"], or set report_card = false'
            )
        return self


class AccountsFile(Strict):
    account: list[RegisteredAccount] = Field(default_factory=list)
