"""Bar charts drawn as inline SVG (no script, no style attribute: the CSP allows neither).

Drawn from the published figures only, so a suppressed count has no bar, just "*". The table
beneath each chart carries the same numbers for screen readers; the SVG is hidden from them.
"""

from django.utils.html import format_html, format_html_join

BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH = 22, 6, 150, 400  # drawn at phone width too


def bar_chart(table) -> str:
    values = [v for v in table.bars if v is not None]
    if not table.labels or not any(values):
        return ""
    top = max(values)
    span = WIDTH - LABEL_WIDTH - 50
    rows = []
    for i, (label, value) in enumerate(zip(table.labels, table.bars, strict=True)):
        y = i * (BAR_HEIGHT + GAP)
        length = 0 if value is None else round(span * value / top)
        rows.append(
            (
                y + BAR_HEIGHT * 0.7,
                label[:20] + ("…" if len(label) > 20 else ""),
                LABEL_WIDTH,
                y,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                y + BAR_HEIGHT * 0.7,
                "*" if value is None else f"{value:,}",
            )
        )
    height = len(rows) * (BAR_HEIGHT + GAP)
    bars = format_html_join(
        "",
        '<text x="0" y="{}" class="lw-chart__label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="lw-chart__bar"></rect>'
        '<text x="{}" y="{}" class="lw-chart__value">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="lw-chart" viewBox="0 0 {} {}" aria-hidden="true" focusable="false">{}</svg>',
        WIDTH,
        height,
        bars,
    )
