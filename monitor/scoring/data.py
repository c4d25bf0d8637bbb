"""The labelled development posts (../shared/data/dev) and the splits every figure is reported on.

Splits are fixed by a hash of each post's normalised text, so they are the same on every machine,
and a post that occurs twice (retweets, copies) always lands in one split: a copy in training can
never inflate a held-back figure.

- airline (negative vs rest): 65% train, 15% validation, 20% test (held back).
- Davidson 2017 (hate or offensive vs neither): 85% train, 15% validation; no test of its own.
- TweetEval offensive and hate: their train files split 85% train, 15% validation; their official
  validation files are the held-back test and nothing is fitted or chosen on them.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"


@dataclass(frozen=True, slots=True)
class Post:
    text: str
    label: bool  # complaint (airline), offensive or hateful (the others)
    source: str  # airline, davidson, offensive, hate
    split: str  # train, val, test
    detail: str = ""  # airline: positive/neutral/negative; davidson: hate/offensive/neither


def bucket(text: str) -> int:
    """0..99 from the text's normalised form: the same post always falls in the same bucket."""
    key = " ".join(text.lower().split())
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 100


def _carved(text: str, val_share: int) -> str:
    return "val" if bucket(text) < val_share else "train"


def airline(dev: Path = DEV) -> list[Post]:
    posts = []
    with (dev / "airline-sentiment" / "Tweets.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            b = bucket(row["text"])
            split = "test" if b < 20 else "val" if b < 35 else "train"
            sentiment = row["airline_sentiment"]
            posts.append(Post(row["text"], sentiment == "negative", "airline", split, sentiment))
    return posts


def davidson(dev: Path = DEV) -> list[Post]:
    names = {"0": "hate", "1": "offensive", "2": "neither"}
    posts = []
    with (dev / "davidson-2017" / "labeled_data.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            posts.append(
                Post(
                    row["tweet"],
                    row["class"] != "2",
                    "davidson",
                    _carved(row["tweet"], 15),
                    names[row["class"]],
                )
            )
    return posts


def tweeteval(name: str, dev: Path = DEV) -> list[Post]:
    folder = dev / f"tweeteval-{name}"
    posts = []
    for file_split, ours in (("train", None), ("val", "test")):
        texts = (folder / f"{file_split}_text.txt").read_text(encoding="utf-8").splitlines()
        labels = (folder / f"{file_split}_labels.txt").read_text(encoding="utf-8").splitlines()
        for text, label in zip(texts, labels, strict=True):
            posts.append(Post(text, label.strip() == "1", name, ours or _carved(text, 15)))
    return posts


def harassment(dev: Path = DEV) -> list[Post]:
    return davidson(dev) + tweeteval("offensive", dev) + tweeteval("hate", dev)


def available(dev: Path = DEV) -> str | None:
    """None if every file is here, else why not (for a skip message)."""
    needed = [
        dev / "airline-sentiment" / "Tweets.csv",
        dev / "davidson-2017" / "labeled_data.csv",
        *(
            dev / f"tweeteval-{n}" / f"{s}_{k}.txt"
            for n in ("offensive", "hate")
            for s in ("train", "val")
            for k in ("text", "labels")
        ),
    ]
    missing = [str(p) for p in needed if not p.exists()]
    return f"the development data is not here: {', '.join(missing)}" if missing else None
