"""The report's charts: Altair specs of quarterly mart values, rendered to inline SVG by vl-convert (no network)."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl
import vl_convert

WIDTH, HEIGHT = 520, 220
# QFIN's whole public history (from Q4 2018) fits; a longer warehouse shows its latest ten years (a chart of
# hundreds of quarters is unreadable, and vl-convert's time grows with the points it draws)
QUARTERS_CHARTED = 40


@dataclass(frozen=True)
class Chart:
    title: str
    metrics: tuple[str, ...]  # one series per metric that has values (e.g. a renamed or split line)
    mark: str  # "bar" or "line"


CHARTS = (
    Chart("Total net revenue", ("total_net_revenue",), "bar"),
    Chart("Net income and non-GAAP net income", ("net_income", "non_gaap_net_income"), "bar"),
    Chart("Loan volume", ("loan_volume", "loan_volume_ongoing"), "bar"),
    Chart("90 day+ delinquency rate", ("delinquency_rate_90dpd",), "line"),
)


def chart_svg(chart: Chart, quarterly: pl.DataFrame, currency: str | None) -> str | None:
    """The chart as an SVG document, or None when no quarter has a value for its metrics.

    `quarterly`: metric_id, series (the catalog label), quarter ('2024Q3'), value (Float64), unit, currency.
    """
    data = quarterly.filter(pl.col("metric_id").is_in(chart.metrics)
                            & (pl.col("currency").is_null() | pl.col("currency").eq_missing(currency)))
    if data.is_empty():
        return None
    latest = data["quarter"].unique().sort()[-QUARTERS_CHARTED:]
    data = data.filter(pl.col("quarter").is_in(latest.implode()))
    unit = data["unit"][0]
    if unit == "currency":
        data, axis = data.with_columns(pl.col("value") / 1e6), alt.Axis(title=f"{currency} million", format=",.0f")
    elif unit == "pure":
        axis = alt.Axis(title=None, format=".1%")
    else:
        axis = alt.Axis(title=None, format=",.0f")
    base = alt.Chart(data.select("series", "quarter", "value")).properties(title=chart.title, width=WIDTH, height=HEIGHT)
    x = alt.X("quarter:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0))
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=480))
    if chart.mark == "bar":
        spec = base.mark_bar().encode(x=x, y=alt.Y("value:Q", axis=axis), color=color, xOffset="series:N")
    else:
        spec = base.mark_line(point=True).encode(x=x, y=alt.Y("value:Q", axis=axis, scale=alt.Scale(zero=False)),
                                                 color=color)
    return vl_convert.vegalite_to_svg(spec.to_json())
