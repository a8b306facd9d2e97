"""Bar charts as inline SVG, rendered on the server (no chart library, no CDN)."""

from django.utils.html import escape


def bar_chart(title: str, bars: list[tuple[str, int]], width: int = 640, height: int = 180) -> str:
    """An accessible SVG bar chart: one labelled bar per (label, value); the values are also in <title>s."""
    top = max((v for _, v in bars), default=0) or 1
    pad_left, pad_bottom, pad_top = 30, 30, 20
    inner_w, inner_h = width - pad_left - 10, height - pad_bottom - pad_top
    step = inner_w / max(len(bars), 1)
    out = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="{pad_left}" y="14" font-size="12">{escape(title)} (max {top})</text>',
        f'<line x1="{pad_left}" y1="{pad_top + inner_h}" x2="{width - 10}" y2="{pad_top + inner_h}" stroke="#888"/>',
    ]
    label_every = max(1, len(bars) // 12)
    for i, (label, value) in enumerate(bars):
        h = inner_h * value / top
        x = pad_left + i * step + step * 0.1
        y = pad_top + inner_h - h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="#3b6ea5">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + step * 0.4:.1f}" y="{height - 12}" font-size="10" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    return "".join(out)
