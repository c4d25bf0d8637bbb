"""Scoring commands: `explain` one post, `rescore` the store, `score-file` a CSV."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.cli.base import Command
from monitor.models import PLATFORMS, ChannelKind

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.config import Config


class Explain(Command):
    name = "explain"
    help = "show why a post scores what it does: every category, its evidence and policy clause"
    description = (
        "Score one post and show, for every category, the score, the threshold it is "
        "flagged at, the words and figures behind it and the policy clause. Give the text, or "
        "--mention ID for a stored mention (the # column of `mentions`)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("text", nargs="?", help="the post's text (quote it)")
        parser.add_argument("--mention", type=int, metavar="ID", help="a stored mention instead of a text")
        parser.add_argument(
            "--kind", choices=[k.value for k in ChannelKind], help="who posted it (default: unknown)"
        )
        parser.add_argument("--platform", choices=PLATFORMS)
        parser.add_argument("--reach", type=int, metavar="FOLLOWERS", help="the author's followers")
        parser.add_argument(
            "--author", default="", metavar="'HANDLE NAME'", help="the author's handle and display name"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.explain import explanation_json, explanation_table, images_json, images_table
        from monitor.pipeline import context_for, in_official_thread, logo_approvals
        from monitor.schema import MentionRow
        from monitor.scoring import Context, Scorer
        from monitor.store import open_store

        scorer = Scorer(config.lexicons, config.monitor.scoring)
        if args.mention is not None:
            sessions = open_store(config, args.database)
            with sessions() as session:
                mention = session.get(MentionRow, args.mention)
                if mention is None:
                    print(
                        f"No stored mention #{args.mention}; `run_monitor.py mentions` lists them.",
                        file=sys.stderr,
                    )
                    return 2
                text = mention.text
                images = list(mention.media)
                context = context_for(
                    mention,
                    config,
                    in_iom3_thread=in_official_thread(session, mention),
                    logo_approved=logo_approvals(config),
                )
        elif args.text:
            images = []
            text = args.text
            context = Context(
                platform=args.platform,
                channel_kind=args.kind,
                author_reach=args.reach,
                high_reach_followers=config.monitor.scoring.high_reach_followers,
                author=args.author,
            )
        else:
            print("Give the post's text in quotes, or --mention ID.", file=sys.stderr)
            return 2
        assessment = scorer.assess(text, context)
        if args.json:
            explained = explanation_json(text, context, assessment, config.lexicons)
            if args.mention is not None:
                explained["images"] = images_json(images)
            print(json.dumps(explained, indent=2, ensure_ascii=False))
        else:
            console.print(explanation_table(text, assessment, config.lexicons))
            if images:
                console.print(images_table(images))
        return 0


class Rescore(Command):
    name = "rescore"
    help = "re-score stored mentions after config/lexicons.toml changed (sends no emails)"
    description = (
        "Score again every stored mention last scored with other words or thresholds. "
        "The new scores replace the old; no email is sent for old posts."
    )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from rich.table import Table

        from monitor.config import CATEGORIES
        from monitor.pipeline import rescore
        from monitor.scoring import Scorer
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        scorer = Scorer(config.lexicons, config.monitor.scoring)
        before = _flag_counts(sessions)
        count = rescore(sessions, config, scorer)
        after = _flag_counts(sessions)
        console.print(f"Re-scored {count} mention(s) with scorer {scorer.version}.")
        if count:
            table = Table(title="Flags before and after", title_justify="left")
            for column in ("category", "before", "after"):
                table.add_column(column, justify="left" if column == "category" else "right")
            for category in CATEGORIES:
                if before.get(category) or after.get(category):
                    table.add_row(category, str(before.get(category, 0)), str(after.get(category, 0)))
            console.print(table)
        return 0


def _flag_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    from sqlalchemy import select

    from monitor.schema import AssessmentRow

    counts: dict[str, int] = {}
    with sessions() as session:
        for flags in session.scalars(select(AssessmentRow.flags).where(AssessmentRow.flagged.is_(True))):
            for flag in flags:
                counts[flag["category"]] = counts.get(flag["category"], 0) + 1
    return counts


class ScoreFile(Command):
    name = "score-file"
    help = "score a CSV of posts and write it back with a score and flag column per category"
    description = (
        "Score every row of a CSV (an export from another tool, a spreadsheet) and write "
        "it back with, for every category, <category>_score (0..1) and <category>_flag "
        "(True/False), the sentiment, and a `flags` column. Streams: any size of file."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("csv", type=Path, help="the CSV file to score")
        parser.add_argument(
            "--text-column", required=True, metavar="NAME", help="the column holding the post text"
        )
        parser.add_argument(
            "--out", type=Path, help="where to write (default: NAME.scored.csv beside the input)"
        )
        parser.add_argument(
            "--kind-column",
            metavar="NAME",
            help="optional column saying who posted (official, asv_committee, asv_personal, public)",
        )
        parser.add_argument("--reach-column", metavar="NAME", help="optional column of follower counts")
        parser.add_argument("--encoding", default="utf-8", help="the file's text encoding (default utf-8)")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        from monitor.score_file import ScoreFileError, score_csv
        from monitor.scoring import Scorer

        source: Path = args.csv
        if not source.is_file():
            print(f"No such file: {source}", file=sys.stderr)
            return 2
        out = args.out or source.with_name(source.stem + ".scored.csv")
        scorer = Scorer(config.lexicons, config.monitor.scoring)
        with Progress(
            TextColumn("scoring {task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(source.name, total=source.stat().st_size or 1)
            try:
                result = score_csv(
                    source,
                    out,
                    scorer,
                    text_column=args.text_column,
                    kind_column=args.kind_column,
                    reach_column=args.reach_column,
                    encoding=args.encoding,
                    progress=lambda done, total: bar.update(task, completed=done),
                )
            except ScoreFileError as exc:
                print(str(exc), file=sys.stderr)
                return 2
        flagged = ", ".join(f"{c} {n}" for c, n in result.flagged.items() if n) or "none"
        console.print(f"Scored {result.rows} rows into {result.out}. Flagged: {flagged}.")
        return 0


COMMANDS = (Explain, Rescore, ScoreFile)
