"""Score a CSV of posts (an export from another tool, a volunteer's spreadsheet), streaming.

Reads the file in chunks with pandas so a file of millions of rows needs no more memory than
one chunk, and writes it back with the original columns plus, for every category, its score and
whether it is flagged, and the VADER sentiment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from monitor.config import CATEGORIES
from monitor.csv_safe import write_csv
from monitor.models import ChannelKind
from monitor.scoring import Context, Scorer

CHUNK_ROWS = 2000
KINDS = {k.value for k in ChannelKind}


class ScoreFileError(ValueError):
    """The input cannot be scored as asked; the message says why and what to do."""


@dataclass(slots=True)
class ScoreFileResult:
    rows: int
    flagged: dict[str, int]
    out: Path


def output_columns() -> list[str]:
    columns = ["sentiment"]
    for category in CATEGORIES:
        columns += [f"{category}_score", f"{category}_flag"]
    return columns + ["flags"]


def score_csv(
    source: Path,
    out: Path,
    scorer: Scorer,
    *,
    text_column: str,
    kind_column: str | None = None,
    reach_column: str | None = None,
    encoding: str = "utf-8",
    progress: Callable[[int, int], None] | None = None,
) -> ScoreFileResult:
    """Score every row of `source` into `out`; `progress(done_bytes, total_bytes)` after each chunk."""
    total = source.stat().st_size
    flagged = dict.fromkeys(CATEGORIES, 0)
    rows = 0
    clashes = set(output_columns())
    try:
        with source.open("r", encoding=encoding, newline="") as handle:
            reader = pd.read_csv(handle, chunksize=CHUNK_ROWS, dtype=str, keep_default_na=False)
            for index, chunk in enumerate(reader):
                if index == 0:
                    _check_columns(chunk, source, text_column, kind_column, reach_column, clashes)
                scored = _score_chunk(chunk, scorer, text_column, kind_column, reach_column)
                for category in CATEGORIES:
                    flagged[category] += int(scored[f"{category}_flag"].sum())
                write_csv(pd.concat([chunk, scored], axis=1), out, append=index > 0)
                rows += len(chunk)
                if progress:
                    progress(min(handle.tell(), total), total)
    except UnicodeDecodeError as exc:
        raise ScoreFileError(
            f"{source} is not {encoding} text (byte {exc.start}); save it as UTF-8 or pass --encoding, "
            "e.g. --encoding cp1252 for a file from Excel on Windows"
        ) from None
    except pd.errors.ParserError as exc:
        raise ScoreFileError(f"{source} is not a readable CSV: {str(exc).strip()}") from None
    except pd.errors.EmptyDataError:
        raise ScoreFileError(f"{source} is empty: it needs a header row and a column of post text") from None
    return ScoreFileResult(rows=rows, flagged=flagged, out=out)


def _check_columns(
    chunk: pd.DataFrame,
    source: Path,
    text_column: str,
    kind_column: str | None,
    reach_column: str | None,
    clashes: set[str],
) -> None:
    for wanted, option in (
        (text_column, "--text-column"),
        (kind_column, "--kind-column"),
        (reach_column, "--reach-column"),
    ):
        if wanted is not None and wanted not in chunk.columns:
            raise ScoreFileError(
                f"{source} has no column {wanted!r} (asked for by {option}); its columns are: "
                + ", ".join(repr(c) for c in chunk.columns)
            )
    if overlap := clashes & set(chunk.columns):
        raise ScoreFileError(
            f"{source} already has columns this would write ({', '.join(sorted(overlap))}): "
            "is it a scored file already? Score the original instead"
        )


def _score_chunk(
    chunk: pd.DataFrame, scorer: Scorer, text_column: str, kind_column: str | None, reach_column: str | None
) -> pd.DataFrame:
    texts, contexts = [], []
    for position in range(len(chunk)):
        row = chunk.iloc[position]
        reach = _whole_number(row[reach_column]) if reach_column else None
        kind = row[kind_column] if kind_column and row[kind_column] in KINDS else None
        texts.append(str(row[text_column]))
        contexts.append(
            Context(
                channel_kind=kind,
                author_reach=reach,
                high_reach_followers=scorer.scoring.high_reach_followers,
            )
        )
    records = []
    for assessment in scorer.assess_many(texts, contexts):
        record: dict[str, object] = {"sentiment": assessment.sentiment}
        flags = {f.category for f in assessment.flags}
        for category in CATEGORIES:
            record[f"{category}_score"] = assessment.scores[category]
            record[f"{category}_flag"] = category in flags
        record["flags"] = " ".join(sorted(flags))
        records.append(record)
    return pd.DataFrame.from_records(records, index=chunk.index, columns=output_columns())


def _whole_number(value: str) -> int | None:
    try:
        return int(float(value.replace(",", ""))) if value else None
    except ValueError:
        return None
