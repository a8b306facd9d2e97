"""Bar charts as inline SVG, rendered on the server (no chart library, no CDN, no inline style: CSP).

A chart is as wide as its bars need (a slot per bar, between MIN_SLOT and MAX_SLOT pixels), not stretched to the
page: three days of calls are three bars, not three bands across the screen. The y axis has whole-number ticks
at a round step (1, 2 or 5 times a power of ten) up to the first tick at or above the largest bar, with grid
lines; the x axis labels as many bars as fit. The page puts each chart in a box that scrolls sideways when it is
wider than the screen."""

from django.utils.html import escape
from django.utils.translation import gettext as _

MIN_SLOT, MAX_SLOT = 8, 36
PLOT_WIDTH = 600  # the width the slots aim at before the bounds apply
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 28, 34


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 x 10^n) for about `ticks` intervals up to `top` (at least 1: counts are whole)."""
    raw = max(top, 1) / ticks
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, factor * power)
    return power * 10


def bar_chart(title: str, bars: list[tuple[str, int]], height: int = 200, unit: str | None = None) -> str:
    """An accessible SVG bar chart: one bar per (label, value), each with a <title> giving its value, and a
    summary (total, largest) in the aria-label."""
    top = max((v for _, v in bars), default=0)
    step = nice_step(top)
    axis_top = max(step, -(-top // step) * step)
    slot = min(MAX_SLOT, max(MIN_SLOT, PLOT_WIDTH / max(len(bars), 1)))
    inner_w = slot * max(len(bars), 1)
    width = round(PAD_LEFT + inner_w + PAD_RIGHT)
    inner_h = height - PAD_TOP - PAD_BOTTOM
    base = PAD_TOP + inner_h
    total = sum(v for _, v in bars)
    unit = unit or _("calls")
    values = {"title": title, "total": total, "unit": unit, "top": top}
    summary = (
        _("%(title)s: %(total)s %(unit)s in all, at most %(top)s per bar") if bars else _("%(title)s: no %(unit)s")
    ) % values
    out = [
        f'<svg class="chart" role="img" aria-label="{escape(summary)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(summary)}</title>',
        f'<text x="{PAD_LEFT}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for value in range(0, axis_top + 1, step):
        y = base - inner_h * value / axis_top
        out.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{width - PAD_RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#5b6576" if value == 0 else "#dde3ec"}"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value}</text>'
        )
    out.append(f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{base}" stroke="#5b6576"/>')
    label_every = max(1, round(40 / slot))  # about one label per 40 px
    for i, (label, value) in enumerate(bars):
        h = inner_h * value / axis_top
        x = PAD_LEFT + i * slot + slot * 0.15
        out.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#3b6ea5">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - PAD_BOTTOM + 16}" font-size="11" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)
