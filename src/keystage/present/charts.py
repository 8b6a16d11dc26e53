"""Seaborn charts in one consistent, colour-blind-safe style, each with alternative text and a caption."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def use_house_style() -> None:
    """Apply the keystage chart style: white grid, Okabe-Ito palette, readable type, fixed output size."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", font_scale=1.0)
    plt.rcParams.update({"figure.figsize": (7.0, 3.8), "figure.dpi": 100, "savefig.dpi": 150, "svg.hashsalt": "keystage"})


def percent_axis(ax: plt.Axes, label: str) -> None:
    """A percentage y-axis from 0 to 100, so a gap of a few points looks as small as it is."""
    ax.set_ylim(0, 100)
    ax.set_ylabel(label)


def year_axis(ax: plt.Axes, years: list[int], label: str = "Year of tests") -> None:
    """An x-axis with one tick per test year, labelled as whole years (never 2017.25)."""
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.set_xlabel(label)


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes with no timestamp metadata, so the same data gives the same file."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def figure_output(fig: plt.Figure, number: int, caption: str, alt: str) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    """The (data, metadata) pair for IPython's display: a PNG with its caption and alternative text."""
    return {"image/png": png_bytes(fig)}, {"image/png": {"alt": alt, "caption": f"Figure {number}: {caption}"}}
