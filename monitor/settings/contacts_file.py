"""The models of config/contacts.toml: who holds each role, their email and chat, and the deputy
who stands in for them."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, field_validator, model_validator

from monitor.settings.fields import EnvName, Strict
from monitor.vocabulary import ROLES


class Deputy(Strict):
    """Who stands in for a role: told with it in the safeguarding lane, and instead of it on leave."""

    name: str = Field(min_length=1)
    email: EmailStr
    title: str = ""
    # The NAME of a variable holding Apprise URL(s) (Teams, Slack, SMS ...), as for the role.
    chat_env: EnvName | None = None


class Contact(Strict):
    name: str = Field(min_length=1)
    email: EmailStr
    title: str = ""
    # The NAME of the environment variable holding this role's Apprise URL(s), space separated
    # (e.g. a Teams or Slack webhook, an SMS gateway): the URL holds a token, so never the file.
    # Used for the top severity and the safeguarding lane, beside the email.
    chat_env: EnvName | None = None
    deputy: Deputy | None = None
    # On leave: the deputy is told instead (and the role's own inbox still gets a copy).
    away: bool = False

    @model_validator(mode="after")
    def _away_needs_a_deputy(self) -> Contact:
        if self.away and self.deputy is None:
            raise ValueError("away = true needs a [roles.<role>.deputy] to stand in")
        return self


class ContactsFile(Strict):
    roles: dict[Literal[ROLES], Contact]  # type: ignore[valid-type]

    @field_validator("roles")
    @classmethod
    def _every_role(cls, value: dict[str, Contact]) -> dict[str, Contact]:
        missing = [role for role in ROLES if role not in value]
        if missing:
            raise ValueError(
                f"no contact for role(s) {', '.join(missing)}; add a [roles.<role>] table for each"
            )
        return value
