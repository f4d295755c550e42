"""The access section's two charts as inline SVG, drawn here rather than in a browser.

The report is one offline file whose policy forbids scripts, so the charts are plain shapes and text: a
country chart (one horizontal bar per country, split by category, with the numbers written out) and a
timeline (events per day stacked by category, NET.* findings as spans above it, dates below). Every piece
of text passes through :func:`_text` (account names, AS names and finding subjects come from the logs, so
from whoever wrote them); numbers are formatted here. Colours are Okabe and Ito's colour-blind safe set,
apart in lightness too, so the categories also hold in greyscale print; they keep clear of the orange-brown
ramp of risk levels and severities, which the timeline's finding spans use.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from celtrace.report.chain_graph import SEVERITY_COLOURS

#: Fill, text colour on that fill, and legend label, per category (the order the stacks are drawn in).
CATEGORY_STYLES: Mapping[str, tuple[str, str, str]] = {
    "ordinary": ("#c5cfdb", "#1f2933", "ordinary"),
    "anonymizer": ("#56b4e9", "#1f2933", "VPN or hosting network"),
    "high_risk_region": ("#cc79a7", "#1f2933", "high-risk region"),
    "dprk": ("#3f1a5c", "#ffffff", "DPRK address space"),
}
#: Short names for the end-of-bar notes, where a category's segment is too narrow for its number.
_SHORT = {"anonymizer": "VPN/hosting", "high_risk_region": "region", "dprk": "DPRK"}
#: Timeline lanes for the rules whose names read badly shortened; others drop ``NET.`` and read as words.
_RULE_LABELS = {"NET.DPRK": "DPRK", "NET.HIGH_RISK_REGION": "High-risk region", "NET.ANONYMIZER": "Anonymizer"}

#: Countries drawn; the rest are counted under the chart (the JSON report lists them all).
TOP_COUNTRIES = 15
#: Bars in the timeline at most: past this many days, bars hold a week or several.
MAX_BARS = 120

WIDTH = 960
_INK, _MUTED, _LINE, _GRID = "#1f2933", "#5f6b7a", "#c9d1db", "#e8ecf1"
_CHAR = 6.6  # average advance of a 12px system-font character, for fitting labels


@dataclass(frozen=True)
class AccessCharts:
    """The section's drawings (None when there is nothing to draw) and what the captions say about them."""

    countries_svg: str | None
    timeline_svg: str | None
    hidden_countries: int
    hidden_events: int
    bin_days: int


def render_access(access: Mapping[str, Any]) -> AccessCharts:
    """Both charts for a report's ``access`` object."""
    countries = [row for row in access["countries"] if row["events"]]
    shown = countries[:TOP_COUNTRIES]
    hidden = countries[TOP_COUNTRIES:]
    timeline, bin_days = _timeline(access["days"], access["markers"])
    return AccessCharts(
        countries_svg=_country_chart(shown) if shown else None,
        timeline_svg=timeline,
        hidden_countries=len(hidden),
        hidden_events=sum(row["events"] for row in hidden),
        bin_days=bin_days,
    )


# Country chart ------------------------------------------------------------------------------------------

_LABEL_W = 250  # name column, right-aligned against the bars
_NOTE_W = 190  # room after the longest bar for its total and notes
_ROW = 36
_BAR = 18


def _country_chart(rows: Sequence[Mapping[str, Any]]) -> str:
    top = 6
    height = top + len(rows) * _ROW + 4
    span = WIDTH - _LABEL_W - _NOTE_W
    largest = max(row["events"] for row in rows)
    parts = [
        _open("access-countries", height, "Events per country, split by where they came from"),
        f'<line x1="{_LABEL_W}" y1="{top - 2}" x2="{_LABEL_W}" y2="{height - 2}" stroke="{_LINE}"/>',
    ]
    for index, row in enumerate(rows):
        y = top + index * _ROW
        name = _fit(row["name"], 34)
        code = row["country"] or "—"
        details = f"{code} · {_n(row['addresses'])} address{'es' if row['addresses'] != 1 else ''} · "
        details += f"{_n(row['accounts'])} account{'s' if row['accounts'] != 1 else ''}"
        parts.append(f'<g class="country-row" data-country="{_text(code)}">')
        parts.append(f"<title>{_text(_country_tooltip(row))}</title>")
        parts.append(
            f'<text x="{_LABEL_W - 10}" y="{y + 14}" text-anchor="end" font-size="13" fill="{_INK}">'
            f"{_text(name)}</text>"
        )
        parts.append(
            f'<text x="{_LABEL_W - 10}" y="{y + 29}" text-anchor="end" font-size="11" fill="{_MUTED}">'
            f"{_text(details)}</text>"
        )
        x = float(_LABEL_W)
        bar_y = y + (_ROW - _BAR) / 2
        unlabelled = []
        for category, count in _categories(row):
            fill, ink, label = CATEGORY_STYLES[category]
            width = max(count / largest * span, 3.0)
            tip = f"{row['name']}: {_n(count)} {label} event{_s(count)}"
            parts.append(
                f'<rect class="seg seg-{category}" x="{x:.1f}" y="{bar_y:.1f}" width="{width:.1f}" '
                f'height="{_BAR}" fill="{fill}" stroke="#ffffff" stroke-width="1">'
                f"<title>{_text(tip)}</title></rect>"
            )
            number = _n(count)
            if width >= len(number) * _CHAR + 8:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{bar_y + 13:.1f}" text-anchor="middle" font-size="11" '
                    f'fill="{ink}">{number}</text>'
                )
            elif category != "ordinary":
                unlabelled.append(f"{_SHORT[category]} {number}")
            x += width
        note = "".join(f'<tspan fill="{_MUTED}" font-weight="400"> · {_text(part)}</tspan>' for part in unlabelled)
        parts.append(
            f'<text class="total" x="{x + 8:.1f}" y="{bar_y + 13:.1f}" font-size="12" font-weight="600" '
            f'fill="{_INK}">{_n(row["events"])}{note}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _country_tooltip(row: Mapping[str, Any]) -> str:
    split = ", ".join(f"{CATEGORY_STYLES[name][2]} {_n(count)}" for name, count in _categories(row))
    return f"{row['name']} ({row['country'] or 'no country'}): {_n(row['events'])} events ({split})"


# Timeline -----------------------------------------------------------------------------------------------

_LEFT = 140  # y-axis numbers and lane names
_RIGHT = 20
_LANE = 18
_PLOT_H = 190
_AXIS = 40
_MAX_BAR = 44


def _timeline(days: Sequence[Mapping[str, Any]], markers: Sequence[Mapping[str, Any]]) -> tuple[str | None, int]:
    if not days:
        return None, 1
    first = date.fromisoformat(days[0]["day"])
    last = date.fromisoformat(days[-1]["day"])
    for marker in markers:
        first = min(first, _moment(marker["first"]).date())
        last = max(last, _moment(marker["last"]).date())
    total_days = (last - first).days + 1
    bin_days = 1 if total_days <= MAX_BARS else 7 * math.ceil(total_days / (MAX_BARS * 7))
    bins = math.ceil(total_days / bin_days)
    end = first + timedelta(days=bins * bin_days)
    stacks = [dict.fromkeys(CATEGORY_STYLES, 0) for _ in range(bins)]
    for row in days:
        stack = stacks[(date.fromisoformat(row["day"]) - first).days // bin_days]
        for category in CATEGORY_STYLES:
            stack[category] += row[category]

    lanes = _lanes(markers)
    plot_top = 10 + len(lanes) * _LANE + (20 if lanes else 0)
    plot_bottom = plot_top + _PLOT_H
    height = plot_bottom + _AXIS
    plot_w = WIDTH - _LEFT - _RIGHT
    seconds = (end - first).total_seconds()

    def x_of(moment: datetime) -> float:
        start = datetime(first.year, first.month, first.day, tzinfo=moment.tzinfo)
        return _LEFT + (moment - start).total_seconds() / seconds * plot_w

    step, top_value = _y_scale(max(sum(stack.values()) for stack in stacks))
    parts = [_open("access-timeline", height, "Events per day, split by where they came from, with findings")]
    value = 0
    while value <= top_value:
        y = plot_bottom - value / top_value * _PLOT_H
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" stroke="{_GRID}"/>')
        parts.append(
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{_MUTED}">{_n(value)}</text>'
        )
        value += step
    slot = plot_w / bins
    # Thin gaps between bars once they are wide enough to show them; a short log's bars stay bars.
    bar_w = min(slot * 0.82 if slot >= 5 else slot, _MAX_BAR)
    for index, stack in enumerate(stacks):
        total = sum(stack.values())
        if not total:
            continue
        start = first + timedelta(days=index * bin_days)
        x = _LEFT + index * slot + (slot - bar_w) / 2
        y = float(plot_bottom)
        parts.append(f'<g class="day"><title>{_text(_day_tooltip(start, bin_days, stack))}</title>')
        for category, count in _categories(stack):
            bar = max(count / top_value * _PLOT_H, 2.0)
            y -= bar
            parts.append(
                f'<rect class="seg seg-{category}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{bar:.1f}" fill="{CATEGORY_STYLES[category][0]}"/>'
            )
        parts.append("</g>")
    parts.append(f'<line x1="{_LEFT}" y1="{plot_bottom}" x2="{WIDTH - _RIGHT}" y2="{plot_bottom}" stroke="{_MUTED}"/>')
    parts.extend(_date_ticks(first, end, x_of, plot_bottom))
    parts.extend(_marker_lanes(lanes, x_of, plot_bottom))
    parts.append("</svg>")
    return "".join(parts), bin_days


def _lanes(markers: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Markers gathered per rule, the three origin rules first."""
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for marker in markers:
        by_rule.setdefault(marker["rule"], []).append(marker)
    order = list(_RULE_LABELS)
    return sorted(by_rule.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]))


def _marker_lanes(
    lanes: list[tuple[str, list[Mapping[str, Any]]]], x_of: Callable[[datetime], float], plot_bottom: float
) -> Iterator[str]:
    """One lane per rule above the bars: each finding a span from its first to its last event, filled by
    severity; critical and high findings also drop a dashed line to the bars at their first event."""
    for index, (rule, markers) in enumerate(lanes):
        y = 10 + index * _LANE
        label = _RULE_LABELS.get(rule, rule.removeprefix("NET.").replace("_", " ").capitalize())
        yield (
            f'<text x="{_LEFT - 8}" y="{y + 10}" text-anchor="end" font-size="11" fill="{_MUTED}">{_text(label)}</text>'
        )
        yield f'<line x1="{_LEFT}" y1="{y + 6}" x2="{WIDTH - _RIGHT}" y2="{y + 6}" stroke="{_GRID}"/>'
        for marker in markers:
            start, stop = x_of(_moment(marker["first"])), x_of(_moment(marker["last"]))
            fill = SEVERITY_COLOURS.get(marker["severity"], SEVERITY_COLOURS["info"])[0]
            tip = (
                f"{marker['rule']} ({marker['severity']}): {marker['subject']}, "
                f"{_when(marker['first'])} to {_when(marker['last'])}"
            )
            yield f'<g class="marker marker-{_text(marker["severity"])}"><title>{_text(tip)}</title>'
            if marker["severity"] in ("critical", "high"):
                yield (
                    f'<line x1="{start:.1f}" y1="{y + 11}" x2="{start:.1f}" y2="{plot_bottom}" stroke="{_INK}" '
                    'stroke-width="1" stroke-dasharray="3,3" opacity="0.55"/>'
                )
            yield (
                f'<rect x="{start - 3:.1f}" y="{y + 1}" width="{max(stop - start, 0) + 6:.1f}" height="10" rx="4" '
                f'fill="{fill}" stroke="{_INK}" stroke-width="0.75"/>'
            )
            yield "</g>"


def _date_ticks(first: date, end: date, x_of: Callable[[datetime], float], plot_bottom: float) -> Iterator[str]:
    """Day or week ticks (ten at most) or month ticks (twelve at most); the year under the first tick and under
    each new year."""
    span = (end - first).days
    ticks: list[date]
    monthly = False
    for step in (1, 2, 7, 14):
        if span / step <= 10:
            # Weekly ticks fall on Mondays, the way a calendar reads.
            start = first if step < 7 else first + timedelta(days=(7 - first.weekday()) % 7)
            ticks = [start + timedelta(days=i) for i in range(0, (end - start).days + 1, step)]
            break
    else:
        monthly = True
        months = next(m for m in (1, 2, 3, 6, 12, 24, 60, 120) if span / (30.4 * m) <= 12)
        ticks = []
        cursor = date(first.year, first.month, 1)
        while cursor <= end:
            if cursor >= first and (cursor.year * 12 + cursor.month - 1) % months == 0:
                ticks.append(cursor)
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    year = None
    for tick in ticks:
        x = x_of(datetime(tick.year, tick.month, tick.day))
        yield f'<line x1="{x:.1f}" y1="{plot_bottom}" x2="{x:.1f}" y2="{plot_bottom + 5}" stroke="{_MUTED}"/>'
        label = tick.strftime("%b") if monthly else f"{tick.day} {tick:%b}"
        yield (
            f'<text x="{x:.1f}" y="{plot_bottom + 18}" text-anchor="middle" font-size="11" fill="{_INK}">{label}</text>'
        )
        if tick.year != year:
            year = tick.year
            yield (
                f'<text x="{x:.1f}" y="{plot_bottom + 32}" text-anchor="middle" font-size="11" '
                f'fill="{_MUTED}">{tick.year}</text>'
            )


def _day_tooltip(start: date, bin_days: int, stack: Mapping[str, int]) -> str:
    when = start.isoformat() if bin_days == 1 else f"{start} to {start + timedelta(days=bin_days - 1)}"
    split = ", ".join(f"{CATEGORY_STYLES[name][2]} {_n(count)}" for name, count in _categories(stack))
    total = sum(stack.values())
    return f"{when}: {_n(total)} event{_s(total)} ({split})"


def _y_scale(largest: int) -> tuple[int, int]:
    """A round step (1, 2 or 5 times a power of ten) giving four or five gridlines, and the top value."""
    largest = max(largest, 1)
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    step = max(int(step), 1)
    return step, step * math.ceil(largest / step)


# Shared -------------------------------------------------------------------------------------------------


def _open(css_id: str, height: float, label: str) -> str:
    return (
        f'<svg class="access-svg" id="{css_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{height:.0f}" width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{_text(label)}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Noto Sans CJK KR, sans-serif">'
    )


def _categories(counts: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """The categories with events, in drawing order."""
    for name in CATEGORY_STYLES:
        if counts[name]:
            yield name, int(counts[name])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=None)


def _when(text: str) -> str:
    return f"{_moment(text):%Y-%m-%d %H:%M} UTC"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _n(value: int) -> str:
    return f"{value:,}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _text(value: object) -> str:
    """Text or an attribute value, safe inside SVG: markup escaped, control characters (which XML refuses)
    dropped."""
    text = "".join(ch for ch in str(value) if ch >= " " or ch in "\t")
    return html.escape(text, quote=True)
