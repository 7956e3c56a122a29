"""Charts: one Vega-Lite spec (built with Altair) rendered to SVG on the server.

The same spec serves the page and printed reports. Pages show the SVG as an image with a text
alternative, always beside a table of the same figures, so nothing is conveyed by the chart
alone (WCAG 2.2, 1.1.1). Rendering on the server keeps the Content-Security-Policy strict: no
script in the page evaluates chart code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

BRAND = "#00625e"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"


def _config(chart: alt.Chart, title: str) -> alt.Chart:
    return (
        chart.properties(title=title, width=640, height=280)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=13, labelLimit=220)
        .configure_title(fontSize=15, anchor="start")
        .configure_view(strokeWidth=0)
    )


def bar_chart(
    rows: Sequence[dict[str, Any]],
    *,
    category: str,
    value: str,
    title: str,
    category_title: str,
    value_title: str,
    horizontal: bool = True,
) -> dict[str, Any]:
    """A bar chart spec: one bar per row, in the given order."""
    data = alt.Data(values=list(rows))
    order = [str(r[category]) for r in rows]
    if horizontal:
        chart = (
            alt.Chart(data)
            .mark_bar(color=BRAND)
            .encode(
                y=alt.Y(f"{category}:N", sort=order, title=category_title),
                x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format="~s")),
                tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=",.2f")],
            )
        )
    else:
        chart = (
            alt.Chart(data)
            .mark_bar(color=BRAND)
            .encode(
                x=alt.X(f"{category}:O", sort=order, title=category_title),
                y=alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format="~s")),
                tooltip=[f"{category}:O", alt.Tooltip(f"{value}:Q", format=",.2f")],
            )
        )
    return _config(chart, title).to_dict()


def line_chart(
    rows: Sequence[dict[str, Any]],
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    y_rule: float | None = None,
    series: str | None = None,
    share_axis: bool = True,
    x_rule: float | None = None,
) -> dict[str, Any]:
    """A line with points (for example power against sample size); ``y_rule`` draws a dashed
    horizontal reference line (for example the usual 80% power). ``series`` names a column
    that splits the rows into several lines (with a legend); ``share_axis`` False lets the y
    axis fit the values instead of running from 0 to 1; ``x_rule`` marks a moment (a start)
    with a dashed vertical line."""
    data = alt.Data(values=list(rows))
    scale = alt.Scale(domain=[0, 1]) if share_axis else alt.Scale(zero=True)
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format="d"))
        if series
        else alt.X(f"{x}:Q", title=x_title),
        "y": alt.Y(f"{y}:Q", title=y_title, scale=scale),
        "tooltip": [alt.Tooltip(f"{x}:Q"), alt.Tooltip(f"{y}:Q", format=".2f")],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=None)
        encoding["strokeDash"] = alt.StrokeDash(f"{series}:N", title=None)
    line = alt.Chart(data).mark_line(color=BRAND, point=True).encode(**encoding)
    layers: list[Any] = [line]
    if y_rule is not None:
        rule_data = alt.Data(values=[{"rule": y_rule}])
        layers.append(
            alt.Chart(rule_data).mark_rule(color="#505a5f", strokeDash=[4, 4]).encode(y="rule:Q")
        )
    if x_rule is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"rule": x_rule}]))
            .mark_rule(color="#505a5f", strokeDash=[2, 2])
            .encode(x="rule:Q")
        )
    return _config(alt.layer(*layers), title).to_dict()  # type: ignore[arg-type]


def interval_chart(
    rows: Sequence[dict[str, Any]],
    *,
    label: str,
    title: str,
    x_title: str,
    reference: float = 0.0,
) -> dict[str, Any]:
    """Estimates with their intervals, one line per row (``estimate``, ``low``, ``high`` and
    the ``label`` column), against a dashed reference line at no effect."""
    data = alt.Data(values=list(rows))
    order = [str(row[label]) for row in rows]
    y = alt.Y(f"{label}:N", sort=order, title=None)
    intervals = (
        alt.Chart(data)
        .mark_rule(color=BRAND, strokeWidth=3)
        .encode(y=y, x=alt.X("low:Q", title=x_title), x2="high:Q")
    )
    points = (
        alt.Chart(data)
        .mark_point(color=BRAND, filled=True, size=90)
        .encode(
            y=y,
            x="estimate:Q",
            tooltip=[
                f"{label}:N",
                alt.Tooltip("estimate:Q", format=",.3g"),
                alt.Tooltip("low:Q", format=",.3g"),
                alt.Tooltip("high:Q", format=",.3g"),
            ],
        )
    )
    rule = (
        alt.Chart(alt.Data(values=[{"rule": reference}]))
        .mark_rule(color="#505a5f", strokeDash=[4, 4])
        .encode(x="rule:Q")
    )
    chart = alt.layer(intervals, points, rule).properties(height=max(60, 50 * len(order)))
    return _config(chart, title).to_dict()  # type: ignore[arg-type]


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))
