"""The forecast chart: inflow and outflow bars per period, the closing balance and free cash.

Every series has its own mark as well as its own colour, so the chart reads without colour
(issue 14): inflow bars are solid (``█``), outflow bars shaded (``▒``), the balance a line of
braille dots (``⣀``) and free cash (balance - tax reserve, SPEC 4.2) a line of ``•``; the title
names each mark in words.

A ``textual-plotext`` plot. The figures it draws are the forecast report's, rounded to whole
units of the home currency (``int``): a chart shows shapes, the exact amounts are in the table
beside it, and no float ever stands in for money.

Plotext picks the x tick labels it shows from a ``set``, so the same chart came out
differently under different hash seeds; both axes' ticks are set explicitly here, which makes
the drawing depend on the data and the size only (the snapshot tests rely on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from textual_plotext import PlotextPlot

#: how wide one x label is allowed to be, plus a gap
LABEL_ROOM = 7
#: the free-cash line's mark (the balance is drawn in braille dots)
FREE_MARK = "•"
#: the inflow bars' mark (solid) and the outflow bars' (shaded): told apart without colour
IN_MARK = "█"
OUT_MARK = "▒"


@dataclass(frozen=True)
class ChartData:
    """What the chart draws: one label and four amounts per period, and the currency."""

    labels: list[str]
    inflow: list[Decimal]
    outflow: list[Decimal]
    balance: list[Decimal]
    #: free cash (balance - tax reserve) at each period's end
    free: list[Decimal]
    currency: str = ""


def whole(value: Decimal) -> int:
    """An amount as whole currency units (half up), for drawing only."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def short_amount(value: int) -> str:
    """``12k``, ``1.5M``: a tick label that fits in a few columns."""
    size = abs(value)
    for limit, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if size >= limit:
            scaled = Decimal(value) / limit
            text = f"{scaled:.1f}" if size < 10 * limit else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


def nice_ticks(low: int, high: int, count: int = 5) -> list[int]:
    """About ``count`` round tick values covering ``low``..``high`` (always including 0 when inside)."""
    low, high = min(low, 0), max(high, 0)
    span = max(high - low, 1)
    raw = span // max(count - 1, 1) or 1
    magnitude = 10 ** (len(str(raw)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = (low // step) * step
    return list(range(start, high + step, step))


class ForecastChart(PlotextPlot):
    """Bars for inflow (solid, green) and outflow (shaded, red); balance and free cash lines."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data: ChartData | None = None

    def show_data(self, data: ChartData) -> None:
        """Draw a new forecast."""
        self.data = data
        self.refresh()

    def render(self):  # type: ignore[no-untyped-def]
        """Rebuild the plot for the current size, then let plotext draw it."""
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        data = self.data
        if data is None or not data.labels:
            plt.title("No forecast yet")
            return
        n = len(data.labels)
        xs = list(range(1, n + 1))
        inflow = [whole(v) for v in data.inflow]
        outflow = [whole(v) for v in data.outflow]
        balance = [whole(v) for v in data.balance]
        free = [whole(v) for v in data.free]
        plt.multiple_bar(xs, [inflow, outflow], color=["green", "red"], marker=[IN_MARK, OUT_MARK])
        plt.plot(xs, balance, color="blue", yside="right", marker="braille")
        plt.plot(xs, free, color="magenta", yside="right", marker=FREE_MARK)
        # x ticks: every k-th period, as many as fit the width
        room = max(self.size.width - 16, LABEL_ROOM)
        every = max(1, -(-n * LABEL_ROOM // room))
        picked = xs[::every]
        plt.xticks(picked, [data.labels[i - 1] for i in picked])
        bars = nice_ticks(min(inflow + outflow), max(inflow + outflow))
        plt.yticks(bars, [short_amount(v) for v in bars], yside="left")
        line = nice_ticks(min(balance + free), max(balance + free))
        plt.yticks(line, [short_amount(v) for v in line], yside="right")
        # each axis spans its ticks: a tick outside the data's range was drawn off the box
        # (one tick, all zero: plotext's own range, a span of 0 divides by zero in plotext)
        for ticks, side in ((bars, "left"), (line, "right")):
            if ticks[0] < ticks[-1]:
                plt.ylim(ticks[0], ticks[-1], yside=side)
        titles = [
            f"left: {IN_MARK} in, {OUT_MARK} out · right: ⣀ balance, {FREE_MARK} free cash · "
            f"{data.currency}",
            f"{IN_MARK} in, {OUT_MARK} out · ⣀ balance, {FREE_MARK} free cash · {data.currency}",
            f"{IN_MARK} in {OUT_MARK} out ⣀ balance {FREE_MARK} free · {data.currency}",
        ]
        plt.title(next((t for t in titles if len(t) <= self.size.width - 8), titles[-1]))


def chart_data(
    starts: Sequence[object],
    inflow: Sequence[Decimal],
    outflow: Sequence[Decimal],
    balance: Sequence[Decimal],
    free: Sequence[Decimal],
    *,
    period: str,
    currency: str,
) -> ChartData:
    """Chart labels from period starts: ``MM-DD`` for weeks, ``YYYY-MM`` for months."""
    labels = [str(s)[5:] if period == "week" else str(s)[:7] for s in starts]
    return ChartData(labels, list(inflow), list(outflow), list(balance), list(free), currency)
