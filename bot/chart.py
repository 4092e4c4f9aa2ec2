"""The digest chart: a radar of the ten items (this week vs last) and overall readiness over 12 weeks.

Drawn on a bare matplotlib Figure with the Agg canvas: no pyplot, no global backend, no display, safe
in a threaded server. Items without data are drawn at the centre and labelled "no data".
"""

from __future__ import annotations

import io
import math

from bot.readiness import Readiness

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 100


def chart_png(this: Readiness, last: Readiness | None, trend: list[tuple[str, float | None]]) -> bytes:
    """A PNG of WIDTH_PX × HEIGHT_PX."""
    # Imported here: matplotlib takes about a second to import, and only digests draw charts.
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    radar = figure.add_subplot(1, 2, 1, projection="polar")
    angles = [2 * math.pi * i / len(this.items) for i in range(len(this.items))]
    closed = [*angles, angles[0]]
    for readiness, label, style in ((last, "last week", "--"), (this, "this week", "-")):
        if readiness is None:
            continue
        values = [item.score if item.score is not None else 0.0 for item in readiness.items]
        radar.plot(closed, [*values, values[0]], style, linewidth=2, label=f"{label} ({readiness.period})")
        if readiness is this:
            radar.fill(closed, [*values, values[0]], alpha=0.15)
    radar.set_xticks(angles)
    radar.set_xticklabels(
        [f"{item.number}" + ("\n(no data)" if item.score is None else "") for item in this.items], fontsize=9
    )
    radar.set_ylim(0, 100)
    radar.set_yticks([25, 50, 75, 100])
    radar.set_title("Readiness by item (0-100)", pad=14)
    radar.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, fontsize=9, frameon=False)

    line = figure.add_subplot(1, 2, 2)
    labels = [period.split("-")[1] for period, _ in trend]
    values = [value if value is not None else math.nan for _, value in trend]
    line.plot(range(len(trend)), values, marker="o", linewidth=2)
    line.set_xticks(range(len(trend)))
    line.set_xticklabels(labels, rotation=45, fontsize=8)
    line.set_ylim(0, 100)
    line.set_ylabel("overall readiness")
    line.set_title(f"Overall readiness, last {len(trend)} weeks")
    line.grid(alpha=0.3)
    figure.subplots_adjust(left=0.05, right=0.97, top=0.88, bottom=0.16, wspace=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
