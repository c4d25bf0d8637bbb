"""The policy's vocabulary: flag categories, recipient roles, urgencies and channel kinds.

A leaf module (it imports nothing of the project) so that config validation, scoring, routing,
the connectors and the reports all name these things from one place.
"""

from __future__ import annotations

from enum import StrEnum

# One per clause family in the ASV Social Media Policy; lexicons.toml has a table for each.
CATEGORIES = (
    "complaint",
    "crisis",
    "defamation",
    "press",
    "harassment",
    "discrimination",
    "safeguarding",
    "disclosure",
    "confidentiality",
    "political",
    "brand_name",
    "disclaimer",
    "logo",
    "copyright",
)

# Who receives what; contacts.toml names a person for each.
ROLES = (
    "communications_executive",
    "head_of_marketing",
    "director_of_business_support",
    "marketing_and_communications",
)

URGENCIES = ("immediate", "same_day", "digest")


class ChannelKind(StrEnum):
    """Who posted, as the policy distinguishes them."""

    OFFICIAL = "official"
    ASV_COMMITTEE = "asv_committee"
    ASV_PERSONAL = "asv_personal"
    PUBLIC = "public"
