"""Every CSV the monitor writes: UTF-8 with a byte order mark, and no cell Excel would run as a formula.

Post text is hostile. OWASP's CSV injection guidance: a cell that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return is prefixed with a single quote, so a spreadsheet shows it as text
instead of evaluating it. Only text cells are touched: a negative number stays a number. The BOM
makes Excel open the file as UTF-8 (names like "Zoë" and "£" intact) instead of the local code page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"  # UTF-8 with a byte order mark


def neutralise(value: Any) -> Any:
    """A text cell made safe to open in a spreadsheet; anything else unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` on a cell read back (for round trips such as `accounts list --csv`)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(DANGEROUS) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised (headers too: a column name can come from a file)."""
    safe = frame.copy()
    for column in safe.columns:
        # Text columns are "object" or pandas' string dtype; numbers and dates are left alone.
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_datetime64_any_dtype(
            safe[column]
        ):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as a safe CSV file's bytes (BOM first), for an email attachment."""
    return safe_frame(frame).to_csv(index=False).encode(ENCODING)


def write_csv(frame: pd.DataFrame, path: Path | str, *, append: bool = False) -> None:
    """Write (or append rows to) a safe CSV file; the BOM and header only at the start."""
    safe_frame(frame).to_csv(
        path,
        index=False,
        mode="a" if append else "w",
        header=not append,
        encoding="utf-8" if append else ENCODING,
    )
