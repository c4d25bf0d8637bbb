"""Why a post scored what it did: every category, its score, threshold, evidence and clause."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from monitor.config import CATEGORIES, LexiconsFile
from monitor.models import Assessment, Flag, flags_to_json
from monitor.schema import MediaRow
from monitor.scoring import Context


def explanation_json(
    text: str, context: Context, assessment: Assessment, lexicons: LexiconsFile
) -> dict[str, Any]:
    return {
        "text": text,
        "context": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(context).items()},
        "scorer_version": assessment.scorer_version,
        "sentiment": assessment.sentiment,
        "scores": {c: assessment.scores[c] for c in CATEGORIES},
        "thresholds": {c: lexicons.category(c).threshold for c in CATEGORIES},
        "alert_thresholds": {c: lexicons.category(c).alert_at() for c in CATEGORIES},
        "flags": [
            {**flag, "advice": lexicons.category(flag["category"]).advice}
            for flag in flags_to_json(assessment.flags)
        ],
    }


def explanation_table(text: str, assessment: Assessment, lexicons: LexiconsFile) -> Group:
    header = Text.assemble(
        ("Post: ", "bold"),
        text,
        "\n",
        ("Sentiment (VADER compound, -1..1): ", "bold"),
        f"{assessment.sentiment:+.2f}   ",
        ("scorer ", "dim"),
        (assessment.scorer_version, "dim"),
    )
    table = Table(show_lines=False)
    table.add_column("category")
    table.add_column("score", justify="right")
    table.add_column("flag at", justify="right")
    table.add_column("alert at", justify="right")
    table.add_column("flagged")
    table.add_column("evidence", overflow="fold")
    table.add_column("policy clause", overflow="fold")
    flags = {f.category: f for f in assessment.flags}
    for category in CATEGORIES:
        flag = flags.get(category)
        evidence = ""
        if flag:
            # A learned detector's words carry their weight (how far each pushed the score up);
            # a lexicon cue's value is 1 (0.2 when reported).
            terms = [
                f'"{e.text}"'
                + (" (reported)" if e.kind == "reported" else "")
                + (f" (+{e.value:g})" if e.kind == "term" and e.value not in (None, 1.0) else "")
                for e in flag.evidence
                if e.kind in ("term", "reported")
            ]
            context = [
                f"{e.text} {e.value:g}" if e.value is not None else e.text
                for e in flag.evidence
                if e.kind in ("figure", "context") and not e.text.startswith("sentiment")
            ]
            evidence = ", ".join(terms + context)
        table.add_row(
            category,
            f"{assessment.scores[category]:.2f}",
            f"{lexicons.category(category).threshold:.2f}",
            f"{lexicons.category(category).alert_at():.2f}",
            _flagged(flag, lexicons),
            escape(evidence),
            escape(lexicons.category(category).clause) if flag else "",
        )
    advice = [Text.assemble((f"{c}: ", "bold"), lexicons.category(c).advice) for c in flags]
    return Group(header, table, *advice)


def _flagged(flag: Flag | None, lexicons: LexiconsFile) -> str:
    """YES for a flag that is emailed; "review" for one under its alert threshold (digest only)."""
    if flag is None:
        return ""
    if flag.score < lexicons.category(flag.category).alert_at():
        return "[yellow]review[/yellow]"
    return "[bold red]YES[/bold red]"


def images_json(images: list[MediaRow]) -> list[dict[str, Any]]:
    """A stored mention's images as the analysis pass left them (`explain --mention ID --json`)."""
    return [
        {
            "position": image.position,
            "url": image.url,
            "alt": image.alt,
            "state": image.state,
            "skip_reason": image.skip_reason,
            "decision": image.decision,
            "findings": [
                {k: f[k] for k in ("version", "status", "confidence", "inliers", "quad") if k in f}
                for f in image.findings
            ],
        }
        for image in images
    ]


def images_table(images: list[MediaRow]) -> Table:
    """A stored mention's images: fetched or skipped (and why), the logos seen, what they mean.

    Every cell is a Text, so a URL or alt text from the post is shown, never read as markup.
    """
    table = Table(title="Images in the post", title_justify="left")
    for column in ("#", "state", "logo findings", "decision", "image"):
        table.add_column(column, overflow="fold")
    for image in images:
        seen = ", ".join(f"{f['version']} ({f['status']}) {f['confidence']:.2f}" for f in image.findings)
        link = Text(image.url or "(removed by retention)")
        if image.alt:
            link.append(f"\nalt: {image.alt}", style="dim")
        table.add_row(
            str(image.position + 1),
            Text(image.state + (f": {image.skip_reason}" if image.skip_reason else "")),
            Text(seen or ("none" if image.state == "analysed" else "")),
            Text(image.decision or ""),
            link,
        )
    return table
