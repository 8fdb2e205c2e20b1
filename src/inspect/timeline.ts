import type { Har } from './har.js';

/**
 * Phase names the parts of one exchange's bar, in time order, as HAR's `timings` split it:
 * 'setup' is blocked + dns + connect (zero in wirehttp's own HARs, which record an open connection),
 * 'send' the request going out, 'wait' until the first response byte, 'receive' the rest of it.
 */
export type Phase = 'setup' | 'send' | 'wait' | 'receive';

export const PHASES: readonly Phase[] = ['setup', 'send', 'wait', 'receive'];

/** TimelineBar is one exchange; `start` is ms after the timeline's first exchange began. */
export interface TimelineBar {
  readonly label: string;
  readonly status: number;
  readonly start: number;
  readonly phases: Readonly<Record<Phase, number>>;
  /** Row inside its lane: one row per exchange, in the order they began. */
  readonly row: number;
}

/**
 * LaneKind says how a connection was used: for one exchange only, for several one after another
 * (keep-alive), or for requests sent before the previous answer was complete (pipelining).
 */
export type LaneKind = 'single' | 'sequential' | 'pipelined';

/** TimelineLane is one connection and its exchanges, in the order they began. */
export interface TimelineLane {
  readonly connection: string;
  readonly kind: LaneKind;
  readonly bars: readonly TimelineBar[];
}

/** HAR start times have millisecond resolution: an exchange may seem to begin this much early. */
const OVERLAP_SLACK_MS = 1;

export interface Timeline {
  readonly lanes: readonly TimelineLane[];
  /** ms from the first start to the last end. */
  readonly duration: number;
}

/**
 * timelineFromHar groups a HAR's entries by `connection` (lanes in the order their first exchange
 * began) and places each exchange by `startedDateTime` and `timings`. Entries without a connection
 * id share the lane '?'. Negative timings (HAR's "not applicable") count as 0. Throws TypeError
 * when an entry lacks a parseable startedDateTime.
 */
export function timelineFromHar(har: Har): Timeline {
  const items = har.log.entries.map((e, index) => {
    const t0 = Date.parse(e.startedDateTime);
    if (Number.isNaN(t0)) throw new TypeError(`entry ${index}: startedDateTime '${e.startedDateTime}' is not a date`);
    const t = e.timings;
    const phases: Record<Phase, number> = {
      setup: nonNegative(t.blocked) + nonNegative(t.dns) + nonNegative(t.connect),
      send: nonNegative(t.send),
      wait: nonNegative(t.wait),
      receive: nonNegative(t.receive),
    };
    return { index, t0, phases, connection: e.connection ?? '?', label: `${e.request.method} ${pathOf(e.request.url)}`, status: e.response.status };
  });
  items.sort((a, b) => a.t0 - b.t0 || a.index - b.index);
  const origin = items[0]?.t0 ?? 0;
  const lanes = new Map<string, TimelineBar[]>();
  let duration = 0;
  for (const it of items) {
    const bars = lanes.get(it.connection) ?? [];
    lanes.set(it.connection, bars);
    const start = it.t0 - origin;
    bars.push({ label: it.label, status: it.status, start, phases: it.phases, row: bars.length });
    duration = Math.max(duration, start + total(it.phases));
  }
  return { lanes: [...lanes].map(([connection, bars]) => ({ connection, kind: laneKind(bars), bars })), duration };
}

export interface SvgOptions {
  title?: string;
  /** A second line under the title (e.g. where the data came from). */
  subtitle?: string;
  /** Total width in pixels (default 760). */
  width?: number;
}

const COLOURS: Record<Phase, string> = { setup: '#9aa5b1', send: '#3b7dd8', wait: '#c6d0dc', receive: '#2f9e5b' };
const PHASE_TEXT: Record<Phase, string> = { setup: 'connecting', send: 'request sent', wait: 'waiting for the answer', receive: 'response received' };

const LANE_TEXT: Record<Exclude<LaneKind, 'single'>, string> = { sequential: 'keep-alive', pipelined: 'pipelined' };

const ROW = 22;
const LANE_PAD = 6;
const LEFT = 200;
const RIGHT = 110;
const TOP = 74;
const BAR = 12;

/**
 * timelineSvg draws the timeline as a standalone SVG 1.1 document (no scripts, no external fonts):
 * a time axis, one shaded lane per connection with a row per exchange (its request line on the
 * left; under the connection's name, whether it was reused or pipelined), each exchange a bar coloured by phase followed by its status and total time, and a legend
 * of the phases present. Pipelined exchanges show as overlapping bars in one lane. A phase that took
 * less than a pixel is drawn one pixel wide so it stays visible. The output depends only on the input.
 */
export function timelineSvg(t: Timeline, options: SvgOptions = {}): string {
  const width = options.width ?? 760;
  const plot = width - LEFT - RIGHT;
  const step = tickStep(t.duration);
  const span = Math.max(step, Math.ceil(t.duration / step) * step);
  const x = (ms: number): number => LEFT + (ms / span) * plot;
  const out: string[] = [];
  let y = TOP;
  t.lanes.forEach((lane, i) => {
    const height = lane.bars.length * ROW + 2 * LANE_PAD;
    out.push(`<rect x="8" y="${y}" width="${width - 16}" height="${height}" fill="${i % 2 === 0 ? '#f3f5f8' : '#ffffff'}" stroke="#dde2e8"/>`);
    out.push(`<text x="16" y="${y + LANE_PAD + 15}" class="lane">connection #${esc(lane.connection)}</text>`);
    if (lane.kind !== 'single') out.push(`<text x="16" y="${y + LANE_PAD + ROW + 15}" class="note">${LANE_TEXT[lane.kind]}</text>`);
    for (const bar of lane.bars) {
      const rowY = y + LANE_PAD + bar.row * ROW;
      out.push(`<text x="${LEFT - 8}" y="${rowY + 15}" class="req" text-anchor="end">${esc(bar.label)}</text>`);
      let at = bar.start;
      let right = x(at);
      for (const p of PHASES) {
        const ms = bar.phases[p];
        if (ms <= 0) continue;
        const x0 = x(at);
        const w = Math.max(1, x(at + ms) - x0);
        out.push(`<rect x="${fmt(x0)}" y="${rowY + (ROW - BAR) / 2}" width="${fmt(w)}" height="${BAR}" fill="${COLOURS[p]}"><title>${PHASE_TEXT[p]}: ${fmtMs(ms)}</title></rect>`);
        at += ms;
        right = Math.max(right, x0 + w);
      }
      out.push(`<text x="${fmt(right + 5)}" y="${rowY + 15}" class="note">${bar.status} · ${fmtMs(total(bar.phases))}</text>`);
    }
    y += height;
  });
  const axis: string[] = [];
  for (let i = 0; i <= Math.round(span / step); i++) {
    const ms = i * step;
    axis.push(`<line x1="${fmt(x(ms))}" y1="${TOP - 6}" x2="${fmt(x(ms))}" y2="${y}" stroke="#c3cad3" stroke-dasharray="2,3"/>`);
    axis.push(`<text x="${fmt(x(ms))}" y="${TOP - 10}" class="tick" text-anchor="middle">${fmtTick(ms, step)}</text>`);
  }
  const used = PHASES.filter((p) => t.lanes.some((l) => l.bars.some((b) => b.phases[p] > 0)));
  const legend: string[] = [];
  let lx = LEFT;
  for (const p of used) {
    legend.push(`<rect x="${lx}" y="${y + 14}" width="12" height="12" fill="${COLOURS[p]}"/>`, `<text x="${lx + 17}" y="${y + 24}" class="tick">${PHASE_TEXT[p]}</text>`);
    lx += 30 + PHASE_TEXT[p].length * 6.5;
  }
  const height = y + 40;
  const title = options.title ?? 'Connection timeline';
  const subtitle = options.subtitle ?? `${plural(t.lanes.length, 'connection')}, ${plural(t.lanes.reduce((n, l) => n + l.bars.length, 0), 'exchange')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold}.sub{font-size:12px;fill:#55606e}.lane{font-size:12px;font-weight:bold;fill:#333}.req{font-size:12px;font-family:DejaVu Sans Mono,Menlo,Consolas,monospace}.note,.tick{font-size:11px;fill:#55606e}</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" class="title">${esc(title)}</text>`,
    `<text x="16" y="42" class="sub">${esc(subtitle)}</text>`,
    ...axis,
    ...out,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

function laneKind(bars: readonly TimelineBar[]): LaneKind {
  if (bars.length < 2) return 'single';
  let end = -Infinity;
  for (const b of bars) {
    if (b.start < end - OVERLAP_SLACK_MS) return 'pipelined';
    end = Math.max(end, b.start + total(b.phases));
  }
  return 'sequential';
}

function nonNegative(n: number | undefined): number {
  return typeof n === 'number' && n > 0 ? n : 0;
}

function total(p: Readonly<Record<Phase, number>>): number {
  return p.setup + p.send + p.wait + p.receive;
}

/** pathOf gives a URL's path and query (the request target as a server saw it); a non-URL as is. */
function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** tickStep picks 1, 2 or 5 times a power of ten so the axis gets at most 10 intervals (at least 0.1 ms). */
export function tickStep(duration: number): number {
  const rough = Math.max(duration, 1) / 10;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

function fmtTick(ms: number, step: number): string {
  if (ms === 0) return '0';
  if (step >= 100 && ms >= 1000) return `${+(ms / 1000).toFixed(2)} s`;
  return `${+ms.toFixed(3)} ms`;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${+ms.toFixed(2)} ms`;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** esc makes text safe inside SVG elements and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
