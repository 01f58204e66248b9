"""Server-rendered SVG bar charts (no script, CSP-safe): geometry computed here, drawn by
templates/dashboard/_bar_chart.html with presentation attributes only."""

from dataclasses import dataclass

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 34
COLORS = ["#c62828", "#f9a825", "#1565c0", "#2e7d32"]


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    value: object
    cx: float  # the bar's centre (its value label)
    label: str  # tooltip: "2025 年度 · 院级党组织：8"
    color: str


def _nice_max(value):
    """The axis top: a round number >= value (1, 2, 5 × 10^n steps, at most 5 of them)."""
    import math

    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if math.ceil(value / step) <= 5:
            return step * math.ceil(value / step)
    return value


def bar_chart(categories, series, *, unit="", max_value=None):
    """categories: ["2024", ...]; series: [(name, [values])]. Returns a dict for the template."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = max_value or _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(36, group_w * 0.7 / max(len(series), 1))
    bars, labels = [], []
    for i, cat in enumerate(categories):
        x0 = LEFT + group_w * i + (group_w - bar_w * len(series)) / 2
        labels.append({"x": LEFT + group_w * (i + 0.5), "y": HEIGHT - BOTTOM + 16, "text": cat})
        for k, (name, vs) in enumerate(series):
            v = vs[i]
            h = 0 if v is None else plot_h * min(float(v), float(top)) / float(top)
            bars.append(Bar(x=round(x0 + k * bar_w, 1), y=round(TOP + plot_h - h, 1), w=round(bar_w - 2, 1),
                            h=round(h, 1), value="—" if v is None else v, cx=round(x0 + k * bar_w + (bar_w - 2) / 2, 1),
                            label=f"{cat} 年度 · {name}：{'—' if v is None else v}{unit}", color=COLORS[k % len(COLORS)]))
    whole = all(float(v).is_integer() for v in values)
    fractions = (0, 0.5, 1) if not whole or top % 2 == 0 else (0, 1)  # no "12.5" on an axis of counts
    ticks = [{"y": round(TOP + plot_h * (1 - f), 1), "text": _fmt(top * f)} for f in fractions]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": TOP + plot_h,
            "bars": bars, "labels": labels, "ticks": ticks, "unit": unit,
            "legend": [{"name": name, "color": COLORS[k % len(COLORS)]} for k, (name, _) in enumerate(series)]}


def _fmt(v):
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
