"""The models of config/channels.toml: IOM3's official channels and the search terms and hashtags
every connector looks for."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from monitor.settings.fields import Handle, Platform, Strict


class OfficialChannel(Strict):
    platform: Platform
    handle: Handle
    name: str = ""
    url: str = ""


class SearchSection(Strict):
    terms: list[Annotated[str, Field(min_length=2)]] = Field(min_length=1)
    hashtags: list[Annotated[str, Field(pattern=r"^#\w+$")]] = Field(default_factory=list)


class ChannelsFile(Strict):
    official: list[OfficialChannel] = Field(min_length=1)
    search: SearchSection
