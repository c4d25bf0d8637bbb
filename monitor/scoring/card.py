"""The model card beside the shipped detectors: data, licences, what was fitted on what, figures.

Written by `python -m monitor.scoring.train` from the held-back splits, by the same code that
bench/evaluate.py prints them with, so the card and the bench always agree.
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.scoring.evaluation import DATASETS, HeldBack

CARD_FILE = "MODEL_CARD.md"


def figures_table(report: HeldBack) -> list[str]:
    lines = [
        "| data set (held back) | posts | positives | method | precision | recall | F1 | macro-F1 | ROC-AUC |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, methods in report.results.items():
        posts, positives = report.sizes[name]
        for method, m in methods.items():
            label = method + (f" ({m.note})" if m.note else "")
            k = m.counts
            lines.append(
                f"| {DATASETS[name][0]} | {posts} | {positives} | {label} | {k.precision:.3f} | "
                f"{k.recall:.3f} | {k.f1:.3f} | {m.macro_f1:.3f} | {m.roc_auc:.3f} |"
            )
    return lines


def noise_lines(report: HeldBack) -> list[str]:
    sources = ", ".join(f"{name} {n}" for name, n in report.ordinary_sources.items())
    shown = {c: v for c, v in report.noise.items() if v or c in ("complaint", "harassment", "any")}
    return [
        f"Alert noise: flags per 1,000 ordinary posts ({report.ordinary} held-back posts labelled neither "
        f"complaint nor offensive nor hateful: {sources}); every category not listed raised none.",
        "",
        "| category | flags per 1,000 |",
        "|---|---:|",
        *(f"| {c} | {v:.1f} |" for c, v in shown.items()),
    ]


def write_card(folder: Path, dev: Path) -> Path:
    from monitor.config import load_config
    from monitor.scoring import Scorer
    from monitor.scoring.evaluation import held_back
    from monitor.scoring.model import Detectors

    config = load_config()
    detectors = Detectors(folder)
    scorer = Scorer(config.lexicons, config.monitor.scoring, detectors)
    report = held_back(scorer, dev, baselines=False)
    meta = json.loads((folder / "detectors.json").read_text(encoding="utf-8"))
    size_mib = (folder / "detectors.npz").stat().st_size / 2**20
    text = "\n".join(
        [
            "# Model card: the monitor's learned detectors",
            "",
            f"Trained {meta['trained_at']} by `python -m monitor.scoring.train` (rerun it to reproduce this "
            f"card); model {detectors.digest}; `detectors.npz` {size_mib:.1f} MiB, loaded with numpy "
            "(`allow_pickle=False`), no pickle anywhere.",
            "",
            "## What it is",
            "Three logistic regressions over the same features (words, neighbouring word pairs, letter "
            "2-4-grams inside words; idf-weighted, length-normalised; @handles, links, digits and hashtags "
            "normalised, see `monitor/scoring/features.py`):",
            "- `complaint`: a post complains to the organisation it addresses;",
            "- `offensive` and `hate`: the `harassment` category flags when either is at its operating point.",
            "Each head's linear score is combined with VADER's compound by a two-input logistic regression; "
            "0.5 on the category's score is the operating point chosen on validation data (the "
            "`threshold` in `config/lexicons.toml`).",
            "",
            "## Data and licences",
            "- Twitter US Airline Sentiment (Figure Eight, 2015), CC BY-NC-SA 4.0: complaint = "
            "`negative`, anything else = not. This model is therefore shared under CC BY-NC-SA 4.0 "
            "(non-commercial use with attribution; IOM3 is a charity).",
            "- Davidson et al., ICWSM 2017, MIT licence: hate speech or offensive = 1, neither = 0.",
            "- TweetEval (Barbieri et al., Findings of EMNLP 2020): offensive = OLID, SemEval-2019 Task 6 "
            "(Zampieri et al.); hate = HatEval, SemEval-2019 Task 5 (Basile et al.); the source tasks' terms.",
            "",
            "## What was fitted on what",
            "Splits are fixed by a hash of each post's text (`monitor/scoring/data.py`).",
            *(f"- {k}: {v}" for k, v in meta["trained_on"].items()),
            "- regularisation C per head, from {3, 10} by validation log-loss: "
            + ", ".join(f"{h} {v['C']:g}" for h, v in meta["fitted"].items()),
            "- complaint operating point: the best validation F1 with validation precision >= 0.88;",
            "  harassment: the two heads' points together, for the best mean validation macro-F1 of "
            "offensive and hate.",
            "- Nothing was fitted or chosen on the figures below: the airline test split (20%) and "
            "TweetEval's official validation files, untouched.",
            "",
            "## Figures on held-back posts (the monitor scorer as shipped: model, VADER and policy rules)",
            "`python bench/evaluate.py` prints these beside VADER alone and alt-profanity-check.",
            "",
            *figures_table(report),
            "",
            *noise_lines(report),
            "",
            "## Limits",
            "- Tweets from 2009-2019 in US English; IOM3's audience writes British English on LinkedIn and "
            "Facebook too. Expect lower figures on other posts.",
            "- A complaint to an airline is a proxy for a complaint to IOM3: the words of delay, refund and "
            "no reply carry over, the airline words do not.",
            "- HatEval's hate is hate against immigrants and women only.",
            "",
        ]
    )
    path = folder / CARD_FILE
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return path
