"""Chart blocks → PNG with matplotlib (Agg canvas, Noto Sans SC only), shared by the DOCX and PDF renderers.

matplotlib is driven through :class:`matplotlib.figure.Figure` and its Agg canvas directly — no pyplot, no
global backend switch — and its config/cache dir defaults to a folder under the system temp dir, so rendering
never writes into ``$HOME``. The same chart renders to the same bytes every time, and a small cache lets
DOCX and PDF renders of one document share the work.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "xinzhi-matplotlib"))

import matplotlib  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter  # noqa: E402

from .document import Chart, Series  # noqa: E402
from .fonts import BOLD_TTF, NOTO_FAMILY, REGULAR_TTF, check_fonts  # noqa: E402
from .formatting import text_width  # noqa: E402

#: Series colours, in order: a sober palette that prints well in colour and greyscale.
PALETTE = ["#1F5AA6", "#D9503F", "#F2A93B", "#3C9D5D", "#7A5BA6", "#5B6770", "#2BA6A6", "#B5651D"]
DPI = 200
CM = 1 / 2.54

_RC = {
    "font.family": [NOTO_FAMILY],
    "font.size": 9,
    "axes.unicode_minus": False,  # Noto Sans SC has U+2212 but keep the ASCII hyphen like the tables
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.titleweight": "bold",
    "svg.hashsalt": "xinzhi",
    "path.simplify": False,
}


@functools.cache
def _register_fonts() -> None:
    """Make Noto Sans SC (regular and bold) known to matplotlib, once."""
    check_fonts()
    for path in (REGULAR_TTF, BOLD_TTF):
        font_manager.fontManager.addfont(str(path))


_CACHE: dict[str, bytes] = {}
_CACHE_SIZE = 64


def chart_png(chart: Chart) -> bytes:
    """Render a chart to PNG bytes; cached on the chart's content, so DOCX and PDF share one rendering."""
    key = hashlib.sha256(repr(chart).encode()).hexdigest()
    png = _CACHE.get(key)
    if png is None:
        png = _render(chart)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = png
    return png


def _render(chart: Chart) -> bytes:
    _register_fonts()
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(chart.width_cm * CM, chart.height_cm * CM), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        legend = _draw(fig, ax, chart)
        top = 1 - 0.9 / chart.height_cm if legend else 1  # room for the legend row above the plot
        fig.tight_layout(pad=0.6, rect=(0, 0, 1, top))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def _draw(fig: Figure, ax: Axes, chart: Chart) -> bool:
    """Draw the chart; True when a legend was placed above the plot."""
    series = chart.resolved_series()
    if chart.kind == "barh":
        _draw_barh(ax, chart, series)
    else:
        _draw_vertical(ax, chart, series)
    handles, labels = [], []
    for a in fig.axes:
        h, lab = a.get_legend_handles_labels()
        handles += h
        labels += lab
    if len(labels) > 1:
        fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 4), frameon=False,
                   bbox_to_anchor=(0.5, 1.0))
        return True
    return False


class _TickFormatter(Formatter):
    """Thousands-grouped tick labels with just enough decimals to tell the ticks apart (7, 7.25, 7.5)."""

    def __init__(self) -> None:
        self.decimals = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self.decimals = next((d for d in range(5) if all(abs(round(v, d) - v) < 1e-9 for v in locs)), 4)

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = f"{x:,.{self.decimals}f}"
        return "0" if text.lstrip("-").strip("0.,") == "" else text


def _values(s: Series) -> list[float]:
    return [float("nan") if v is None else float(v) for v in s.values]


def _draw_vertical(ax: Axes, chart: Chart, series: list[Series]) -> None:
    x = list(range(len(chart.categories)))
    bars = [s for s in series if s.kind == "bar"]
    ax2 = ax.twinx() if chart.has_secondary else None
    if ax2 is not None:
        ax2.spines["right"].set_visible(True)
        ax2.spines["top"].set_visible(False)
    width = 0.8 / max(len(bars), 1)
    bar_index = 0
    for i, s in enumerate(series):
        target = ax2 if (s.axis == "secondary" and ax2 is not None) else ax
        colour = PALETTE[i % len(PALETTE)]
        values = _values(s)
        if s.kind == "bar":
            offset = (bar_index - (len(bars) - 1) / 2) * width
            artists = target.bar([xi + offset for xi in x], values, width * 0.92, label=s.name, color=colour,
                                 zorder=2)
            bar_index += 1
            if chart.show_values:
                target.bar_label(artists, fmt=f"%.{chart.decimals}f", fontsize=7, padding=1)
        else:
            target.plot(x, values, marker="o", markersize=3.5, linewidth=1.8, label=s.name, color=colour, zorder=3)
            if chart.show_values:
                _label_points(target, x, values, chart.decimals, colour)
    ax.set_xticks(x, _wrap_labels(chart.categories))
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if any(s.kind == "bar" and s.axis == "primary" for s in series):
        ax.axhline(0, color="#555555", linewidth=0.8)
    ax.yaxis.set_major_formatter(_TickFormatter())
    ax.set_ylabel(chart.axis_label("primary"))
    if chart.x_label:
        ax.set_xlabel(chart.x_label)
    if ax2 is not None:
        ax2.set_ylabel(chart.axis_label("secondary"))
        ax2.yaxis.set_major_formatter(_TickFormatter())
    if sum(text_width(c) + 2 for c in chart.categories) > chart.width_cm * 5.5:  # labels would collide
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")


def _draw_barh(ax: Axes, chart: Chart, series: list[Series]) -> None:
    y = list(range(len(chart.categories)))
    height = 0.8 / len(series)
    for i, s in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * height
        artists = ax.barh([yi + offset for yi in y], _values(s), height * 0.92, label=s.name,
                          color=PALETTE[i % len(PALETTE)], zorder=2)
        if chart.show_values:
            ax.bar_label(artists, fmt=f"%.{chart.decimals}f", fontsize=7, padding=2)
    ax.set_yticks(y, list(chart.categories))
    ax.invert_yaxis()  # first category on top, as in the table
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.xaxis.set_major_formatter(_TickFormatter())
    ax.set_xlabel(chart.axis_label("primary"))
    if chart.x_label:
        ax.set_ylabel(chart.x_label)


def _label_points(ax: Axes, x: Sequence[int], values: Sequence[float], decimals: int, colour: str) -> None:
    for xi, v in zip(x, values, strict=True):
        if v == v:  # not NaN
            ax.annotate(f"{v:.{decimals}f}", (xi, v), textcoords="offset points", xytext=(0, 4), ha="center",
                        fontsize=7, color=colour)


def _wrap_labels(labels: Sequence[str], width: int = 6) -> list[str]:
    """Break long CJK category labels onto two lines."""
    return [lab if len(lab) <= width else lab[:width] + "\n" + lab[width:] for lab in labels]
