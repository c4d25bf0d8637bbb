"""The reference logos in `config/logos/`: which file is which version, validated strictly.

`config/logos/logos.toml` lists one `[[logo]]` table per file. Unknown keys, a missing file or a
file that is not an image are errors that name the file and what to do, like every other config.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from monitor.config import DEFAULT_CONFIG_DIR, ConfigError, Strict

LOGOS_DIR = DEFAULT_CONFIG_DIR / "logos"
LOGOS_FILE = "logos.toml"


class LogoEntry(Strict):
    version: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    status: Literal["current", "retired"]
    file: str = Field(min_length=1)
    standin: bool = False


class LogosFile(Strict):
    logo: list[LogoEntry] = Field(min_length=1)


@dataclass(frozen=True)
class ReferenceLogo:
    """One version of the logo: its label, whether it is current, and where its file is."""

    version: str
    status: Literal["current", "retired"]
    path: Path
    standin: bool


def load_reference_logos(logos_dir: Path | str | None = None) -> list[ReferenceLogo]:
    """Read `logos.toml` in `logos_dir` (default `config/logos/`) and check every file it names.

    Raises `ConfigError` with one line per problem.
    """
    folder = Path(logos_dir) if logos_dir is not None else LOGOS_DIR
    toml_path = folder / LOGOS_FILE
    where = f"config/logos/{LOGOS_FILE}" if folder == LOGOS_DIR else str(toml_path)
    try:
        raw = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{where}: missing; list each logo file as a [[logo]] table"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{where}: not valid TOML: {exc}"]) from None
    try:
        parsed = LogosFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            [f"{where}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        ) from None
    problems = []
    seen: set[str] = set()
    logos = []
    for index, entry in enumerate(parsed.logo):
        path = folder / entry.file
        if entry.version in seen:
            problems.append(f"{where}: logo.{index}.version: {entry.version!r} is listed twice")
        seen.add(entry.version)
        if not path.is_file():
            problems.append(
                f"{where}: logo.{index}.file: {entry.file!r} is not in {folder}; "
                "put the PNG there or correct the name"
            )
        logos.append(ReferenceLogo(entry.version, entry.status, path, entry.standin))
    if problems:
        raise ConfigError(problems)
    return logos
