/**
 * Signatures over time: the cumulative total as a line and signatures per day as bars, in two
 * panels of one SVG, drawn at build time from the tally's `signatures_by_day`. Axis labels are
 * text, the summary is the SVG's title and description. Pure.
 */
import type { DayTally } from '../../core/tally.ts';
import { formatDate } from '../../core/format.ts';
import { escapeXml, formatNumber, round } from './svg.ts';

// Narrow enough that its 13-unit text is still about 10 px on a 320 px screen.
const WIDTH = 360;
const LEFT = 46;
const RIGHT = 12;
const PANEL = 120;
const DAY_MS = 24 * 60 * 60 * 1000;
const shortDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2026-03-04" → "4 Mar 2026": the axis has room for three dates at 320 px. */
export function axisDate(date: string): string {
  return shortDate.format(new Date(`${date}T00:00:00Z`));
}

/** Every day from the first to the last, days without signatures as 0: gaps are part of the story. */
export function everyDay(days: readonly DayTally[]): DayTally[] {
  if (days.length === 0) return [];
  const counts = new Map(days.map((day) => [day.date, day.signature_count]));
  const sorted = [...counts.keys()].sort();
  const first = Date.parse(`${sorted[0]}T00:00:00Z`);
  const last = Date.parse(`${sorted.at(-1)}T00:00:00Z`);
  const filled: DayTally[] = [];
  for (let time = first; time <= last; time += DAY_MS) {
    const date = new Date(time).toISOString().slice(0, 10);
    filled.push({ date, signature_count: counts.get(date) ?? 0 });
  }
  return filled;
}

/** A "nice" axis maximum and step (1, 2 or 5 times a power of ten) with about four steps. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!;
  const wholeStep = Math.max(1, step);
  return { top: Math.ceil(max / wholeStep) * wholeStep, step: wholeStep };
}

export interface ChartOptions {
  accent: string;
  accentDark: string;
  titleId?: string;
  /** Its titles, numbers, dates and description in the page's language; English when not given. */
  words?: ChartWords;
}

/** The chart's words in one language. */
export interface ChartWords {
  title: string;
  totalPanel: string;
  perDayPanel: string;
  number(value: number): string;
  /** An ISO date, short, for the axis: "4 Mar 2026", "4 мар. 2026 г.", "2026年3月4日". */
  axisDate(date: string): string;
  /** What the chart shows, for people who cannot see it. */
  description(facts: { first: string; last: string; total: number; busiest: string; busiestCount: number }): string;
}

const ENGLISH_CHART_WORDS: ChartWords = {
  title: 'Signatures over time',
  totalPanel: 'Total signatures',
  perDayPanel: 'Signatures per day',
  number: formatNumber,
  axisDate,
  description: ({ first, last, total, busiest, busiestCount }) =>
    `From ${formatDate(first)} to ${formatDate(last)}, ${formatNumber(total)} ${total === 1 ? 'signature' : 'signatures'} in total. ` +
    `The busiest day was ${formatDate(busiest)}, with ${formatNumber(busiestCount)}.`,
};

/** The chart's colours for both schemes, like the map's. */
function chartStyle({ accent, accentDark }: ChartOptions): string {
  return (
    `.time-chart{--chart-fg:#1d1a16;--chart-muted:#5a5249;--chart-grid:#d8cfc3;--chart-accent:${accent}}` +
    `@media (prefers-color-scheme:dark){.time-chart{--chart-fg:#eee8df;--chart-muted:#bdb2a3;--chart-grid:#4a4237;--chart-accent:${accentDark}}}` +
    `.time-chart text{fill:var(--chart-muted);font:13px system-ui,sans-serif}.time-chart .panel-title{fill:var(--chart-fg);font-weight:700;font-size:14px}` +
    `.time-chart .grid{stroke:var(--chart-grid);stroke-width:1}.time-chart .bar{fill:var(--chart-accent)}` +
    `.time-chart .line{fill:none;stroke:var(--chart-accent);stroke-width:2.5;stroke-linejoin:round}`
  );
}

/** One panel: title, horizontal grid with labels, the dates under it. Returns the markup and its y scale. */
function panel(top: number, title: string, max: number, dates: string[], words: ChartWords) {
  const { top: axisTop, step } = niceScale(max);
  const plotTop = top + 22;
  const y = (value: number) => plotTop + PANEL - (value / axisTop) * PANEL;
  let markup = `<text class="panel-title" x="0" y="${top + 12}">${escapeXml(title)}</text>`;
  for (let value = 0; value <= axisTop; value += step) {
    markup +=
      `<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(y(value))}" y2="${round(y(value))}"/>` +
      `<text x="${LEFT - 6}" y="${round(y(value) + 4)}" text-anchor="end">${escapeXml(words.number(value))}</text>`;
  }
  const baseline = plotTop + PANEL;
  const labelled =
    dates.length === 1
      ? [0]
      : [0, dates.length - 1].concat(dates.length > 20 ? [Math.floor((dates.length - 1) / 2)] : []);
  for (const index of labelled) {
    const x = LEFT + ((index + 0.5) / dates.length) * (WIDTH - LEFT - RIGHT);
    const anchor =
      dates.length === 1 ? 'middle' : index === 0 ? 'start' : index === dates.length - 1 ? 'end' : 'middle';
    const edge = anchor === 'start' ? LEFT : anchor === 'end' ? WIDTH - RIGHT : x;
    markup += `<text x="${round(edge)}" y="${baseline + 16}" text-anchor="${anchor}">${escapeXml(words.axisDate(dates[index]!))}</text>`;
  }
  return { markup, y, baseline };
}

/**
 * The two-panel chart, or undefined before the first signature. Only dates and counts reach it.
 */
export function signaturesChartSvg(days: readonly DayTally[], options: ChartOptions): string | undefined {
  const filled = everyDay(days);
  if (filled.length === 0) return undefined;
  const words = options.words ?? ENGLISH_CHART_WORDS;
  const dates = filled.map((day) => day.date);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const slot = plotWidth / filled.length;
  const x = (index: number) => LEFT + (index + 0.5) * slot;

  let running = 0;
  const totals = filled.map((day) => (running += day.signature_count));
  const busiest = filled.reduce((best, day) => (day.signature_count > best.signature_count ? day : best));

  const total = panel(0, words.totalPanel, running, dates, words);
  const points = totals.map((value, index) => `${round(x(index))},${round(total.y(value))}`);
  // A single day has no line to draw; a dot says the same.
  const totalMarkup =
    points.length === 1
      ? `<circle class="bar" cx="${round(x(0))}" cy="${round(total.y(totals[0]!))}" r="4"/>`
      : `<polyline class="line" points="${points.join(' ')}"/>`;

  const perDay = panel(total.baseline + 32, words.perDayPanel, busiest.signature_count, dates, words);
  const barWidth = Math.max(0.5, slot * 0.8);
  const bars = filled
    .map((day, index) =>
      day.signature_count === 0
        ? ''
        : `<rect class="bar" x="${round(x(index) - barWidth / 2)}" y="${round(perDay.y(day.signature_count))}" width="${round(barWidth)}" height="${round(perDay.baseline - perDay.y(day.signature_count))}"/>`,
    )
    .join('');

  const height = perDay.baseline + 24;
  const titleId = options.titleId ?? 'time-chart-title';
  const description = words.description({
    first: dates[0]!,
    last: dates.at(-1)!,
    total: running,
    busiest: busiest.date,
    busiestCount: busiest.signature_count,
  });
  return (
    `<svg class="time-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${titleId} ${titleId}-desc">` +
    `<title id="${titleId}">${escapeXml(words.title)}</title><desc id="${titleId}-desc">${escapeXml(description)}</desc>` +
    `<style>${chartStyle(options)}</style>${total.markup}${totalMarkup}${perDay.markup}${bars}</svg>`
  );
}
