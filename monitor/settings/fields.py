"""The strict base every config model builds on, and the field types several config files share.

`Strict` rejects unknown keys (so a typo never silently disables a rule) and freezes the
validated values; `Platform`, `EmailAddress`, `EnvName`, `Handle` and `Score` check one value
each and say how to fix a bad one.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from monitor.models import PLATFORMS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_platform(value: str) -> str:
    if value not in PLATFORMS:
        raise ValueError(f"unknown platform {value!r}; use one of {', '.join(PLATFORMS)}")
    return value


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
        raise ValueError(
            f"{value!r} is not an environment variable name (use CAPITALS_AND_UNDERSCORES); "
            "write the variable's name here and put the secret itself in the environment"
        )
    return value


def _email_address(value: str) -> str:
    from pydantic import networks
    from pydantic_core import PydanticCustomError

    try:
        return networks.validate_email(value)[1]
    except PydanticCustomError as exc:
        reason = str(exc).removeprefix("value is not a valid email address: ")
        raise ValueError(
            f"{value!r} is not an email address ({reason}); write it as name@example.org"
        ) from None


Platform = Annotated[str, AfterValidator(_known_platform)]
EmailAddress = Annotated[str, AfterValidator(_email_address)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Handle = Annotated[str, Field(min_length=1, pattern=r"^[^\s@]+$")]
Score = Annotated[float, Field(ge=0.0, le=1.0)]
