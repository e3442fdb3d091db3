"""Bar charts drawn as inline SVG on the server: no script and nothing loaded from elsewhere."""
from dataclasses import dataclass
from decimal import Decimal

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 220
PLOT_WIDTH = 460


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    series: int  # which of the chart's series, for its colour
    value: Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    segments: list[Segment]
    total: Decimal


@dataclass(frozen=True)
class StackedBars:
    series: list[str]
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + GAP) + GAP

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + 110  # room for the total after the longest bar


def stacked_bars(series: list[str], rows: list[tuple[str, list[Decimal]]]) -> StackedBars:
    """One horizontal bar per row, its parts stacked in series order, scaled to the largest total."""
    largest = max((sum(values, Decimal(0)) for _, values in rows), default=Decimal(0)) or Decimal(1)
    bars = []
    for index, (label, values) in enumerate(rows):
        x, segments = float(LABEL_WIDTH), []
        for number, value in enumerate(values):
            width = float(value / largest) * PLOT_WIDTH if value > 0 else 0.0
            segments.append(Segment(x, width, number, value))
            x += width
        bars.append(Bar(label, GAP + index * (BAR_HEIGHT + GAP), segments, sum(values, Decimal(0))))
    return StackedBars(series, bars)
