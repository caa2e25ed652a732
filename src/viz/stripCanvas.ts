/**
 * Every replica's log strip, drawn on one canvas each time the stage's model refreshes. In SVG,
 * 150 strips (9 brokers, 50 partitions) changed some 2,000 attributes a second and the page
 * spent its frames on layout and paint; on a canvas a refresh is one pass of rectangles. The
 * rows' names, roles, titles and click targets stay in the SVG, where they are accessible.
 */
import type { Rect } from './geometry';
import type { BrokerLayout } from './layout';
import type { BrokerModel, ReplicaModel } from './model';
import { rowParts, stripSegments } from './strips';

/** The strip colours, read from the page's theme (its CSS variables). */
export interface StripColours {
  track: string; cellBorder: string; committed: string; leaderCommitted: string; deadFill: string;
  uncommitted: string; uncommittedBg: string; bad: string; badBg: string; surface: string; pending: string; hwMark: string;
}

/** The light theme's values, for when a variable is missing. */
const FALLBACK: StripColours = {
  track: '#eceff3', cellBorder: '#b7c0cb', committed: '#4b8bd6', leaderCommitted: '#e0a340', deadFill: '#b9c1ca',
  uncommitted: '#f0b45a', uncommittedBg: '#fde6bf', bad: '#c62828', badBg: '#fdecec', surface: '#ffffff', pending: '#d99a16', hwMark: '#1b1f24',
};
const VARIABLES: Record<keyof StripColours, string> = {
  track: '--track', cellBorder: '--cell-border', committed: '--committed', leaderCommitted: '--leader-strong', deadFill: '--dead-fill',
  uncommitted: '--uncommitted', uncommittedBg: '--uncommitted-2', bad: '--bad', badBg: '--bad-bg', surface: '--surface', pending: '--pending', hwMark: '--hw-mark',
};

export function stripColours(style: Pick<CSSStyleDeclaration, 'getPropertyValue'>): StripColours {
  const colours = { ...FALLBACK };
  for (const key of Object.keys(VARIABLES) as (keyof StripColours)[]) {
    const value = style.getPropertyValue(VARIABLES[key]).trim();
    if (value) colours[key] = value;
  }
  return colours;
}

type Context = CanvasRenderingContext2D;

/** Diagonal stripes in a rectangle (the uncommitted records, the cut ones), clipped to it. */
function hatch(ctx: Context, x: number, y: number, w: number, h: number, background: string, line: string, width: number): void {
  ctx.fillStyle = background;
  ctx.fillRect(x, y, w, h);
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.strokeStyle = line;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (let d = -h; d < w + h; d += 4) {
    ctx.moveTo(x + d, y + h);
    ctx.lineTo(x + d + h, y);
  }
  ctx.stroke();
  ctx.restore();
}

export interface StripRow { replica: ReplicaModel; alive: boolean; row: Rect; mode: BrokerLayout['mode'] }

/** The rows to draw: each broker's replicas with the rows the layout gave them. */
export function stripRows(brokers: readonly BrokerModel[], layouts: readonly BrokerLayout[]): StripRow[] {
  const rows: StripRow[] = [];
  brokers.forEach((broker, b) => {
    const layout = layouts[b];
    if (!layout) return;
    broker.replicas.forEach((replica, i) => {
      const row = layout.rows[i];
      if (row) rows.push({ replica, alive: broker.alive, row, mode: layout.mode });
    });
  });
  return rows;
}

/** Draws one replica's strip: its log, the high watermark, the newest append, a truncation's cut. */
export function drawStrip(ctx: Context, { replica, alive, row, mode }: StripRow, colours: StripColours, flash: boolean): void {
  const { strip } = rowParts(mode, row);
  const s = stripSegments(replica, strip);
  const { y, h } = strip;
  const tone = !alive || !replica.reported ? 'grey' : replica.leader ? 'leader' : replica.inIsr ? 'isr' : 'grey';
  ctx.fillStyle = colours.track;
  ctx.fillRect(strip.x, y, strip.w, h);
  ctx.lineWidth = 0.5;
  ctx.strokeStyle = colours.cellBorder;
  ctx.strokeRect(strip.x, y, strip.w, h);
  if (s.committed) {
    ctx.fillStyle = tone === 'leader' ? colours.leaderCommitted : tone === 'isr' ? colours.committed : colours.deadFill;
    ctx.fillRect(s.committed[0], y, s.committed[1], h);
  }
  if (s.uncommitted) hatch(ctx, s.uncommitted[0], y, s.uncommitted[1], h, colours.uncommittedBg, colours.uncommitted, 2);
  // The newest record, fading as it ages (the model's `appended`).
  if (flash && replica.reported && replica.appended > 0 && replica.logEndOffset > s.window.from && s.cellW >= 2) {
    ctx.globalAlpha = 0.95 * replica.appended;
    ctx.fillStyle = colours.pending;
    ctx.fillRect(s.leo - s.cellW, y, s.cellW, h);
    ctx.globalAlpha = 1;
  }
  if (s.cut) {
    hatch(ctx, s.cut[0], y - 1, s.cut[1], h + 2, colours.badBg, colours.bad, 1.5);
    ctx.lineWidth = 1;
    ctx.strokeStyle = colours.bad;
    ctx.strokeRect(s.cut[0], y - 1, s.cut[1], h + 2);
  }
  if (s.ticks) {
    ctx.globalAlpha = 0.8;
    ctx.strokeStyle = colours.surface;
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (const x of s.ticks) {
      ctx.moveTo(x, y);
      ctx.lineTo(x, y + h);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
  if (s.hw !== null) {
    ctx.strokeStyle = colours.hwMark;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    ctx.moveTo(s.hw, y - 2);
    ctx.lineTo(s.hw, y + h + 2);
    ctx.stroke();
  }
  // Out of the ISR: a dashed red outline.
  if (!replica.inIsr && alive && replica.reported) {
    ctx.strokeStyle = colours.bad;
    ctx.lineWidth = 1.2;
    ctx.setLineDash([3, 2]);
    ctx.strokeRect(strip.x, y, strip.w, h);
    ctx.setLineDash([]);
  }
}

/** Clears the canvas and draws every strip; `flash`: false with prefers-reduced-motion. */
export function drawStrips(ctx: Context, rows: readonly StripRow[], colours: StripColours, size: { width: number; height: number; dpr: number }, flash: boolean): void {
  ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  for (const row of rows) drawStrip(ctx, row, colours, flash);
}
