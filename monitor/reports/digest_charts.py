"""The daily digest's charts: the week's mentions per day by platform (stacked bars) and its average
sentiment per day (lines), drawn with matplotlib off-screen and returned as PNG bytes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no screen on a server: render to PNG only
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def volume_chart_png(daily: pd.DataFrame) -> bytes:
    """The week's mentions per day and platform, as a PNG."""
    return _png(volume_figure(daily))


def volume_figure(daily: pd.DataFrame):  # noqa: ANN201 - a matplotlib Figure
    """Stacked bars of mentions per day by platform."""
    # The legend sits below the axes, never over a bar (the crisis day is the tallest one).
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100, layout="constrained")
    bottom = None
    positions = range(len(daily.index))
    for platform in daily.columns:
        ax.bar(positions, daily[platform], bottom=bottom, label=platform)
        bottom = daily[platform] if bottom is None else bottom + daily[platform]
    ax.set_xticks(list(positions), [d.strftime("%a %d") for d in daily.index])
    ax.set_title("Mentions per day, by platform")
    fig.legend(fontsize=8, ncols=4, loc="outside lower center", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def sentiment_chart_png(sentiment: pd.DataFrame) -> bytes:
    """The week's mean sentiment per day and platform, as a PNG."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=100, layout="constrained")
    positions = list(range(len(sentiment.index)))
    for platform in sentiment.columns:
        ax.plot(positions, sentiment[platform].to_numpy(dtype=float), marker="o", label=platform)
    ax.set_xticks(positions, [d.strftime("%a %d") for d in sentiment.index])
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-1, 1)
    ax.set_title("Average sentiment per day (VADER, -1 to 1)")
    fig.legend(fontsize=8, ncols=4, loc="outside lower center", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _png(fig) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
