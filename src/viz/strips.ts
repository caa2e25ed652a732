/**
 * A replica's row on the stage: where its name, role, log strip and offsets go in each mode,
 * and the strip itself: the newest offsets of the partition, one cell each, solid below the
 * high watermark (on every in-sync replica), lighter from there to the log end offset, and the
 * offsets a truncation cut in red beyond it.
 */
import { offsetWindow, type Rect } from './geometry';
import type { ReplicaMode } from './layout';

export interface RowParts {
  label: Rect | null;
  /** Characters of the partition's name that fit the label. */
  labelChars: number;
  role: Rect | null;
  strip: Rect;
  /** "HW 8 LEO 10" (wide) or "8/10". */
  numbers: Rect | null;
  wideNumbers: boolean;
}

const CHAR_W = 6.2;
const SMALL_CHAR_W = 5.4;

export function rowParts(mode: ReplicaMode, row: Rect): RowParts {
  const stripH = mode === 'mini' ? Math.max(3, row.h - 2) : Math.min(10, row.h - 5);
  const stripY = row.y + (row.h - stripH) / 2;
  if (mode === 'mini') return { label: null, labelChars: 0, role: null, strip: { x: row.x, y: stripY, w: row.w, h: stripH }, numbers: null, wideNumbers: false };
  if (mode === 'compact') {
    const labelW = Math.min(64, row.w * 0.4);
    const roleW = 10;
    return {
      label: { x: row.x, y: row.y, w: labelW, h: row.h }, labelChars: Math.max(3, Math.floor(labelW / SMALL_CHAR_W)),
      role: { x: row.x + labelW, y: row.y, w: roleW, h: row.h },
      strip: { x: row.x + labelW + roleW + 2, y: stripY, w: Math.max(8, row.w - labelW - roleW - 2), h: stripH }, numbers: null, wideNumbers: false,
    };
  }
  const labelW = Math.min(72, row.w * 0.26);
  const roleW = 62;
  const wideNumbers = row.w >= 270;
  const numbersW = wideNumbers ? 92 : 48;
  const stripW = Math.max(16, row.w - labelW - roleW - numbersW - 8);
  return {
    label: { x: row.x, y: row.y, w: labelW, h: row.h }, labelChars: Math.max(4, Math.floor(labelW / CHAR_W)),
    role: { x: row.x + labelW, y: row.y, w: roleW, h: row.h },
    strip: { x: row.x + labelW + roleW + 4, y: stripY, w: stripW, h: stripH },
    numbers: { x: row.x + labelW + roleW + stripW + 8, y: row.y, w: numbersW, h: row.h }, wideNumbers,
  };
}

/** "orders-12", shortened in the middle of the topic name to fit. */
export function fitLabel(topic: string, partition: number, chars: number): string {
  const full = `${topic}-${partition}`;
  if (full.length <= chars) return full;
  const keep = Math.max(1, chars - String(partition).length - 2);
  return `${topic.slice(0, keep)}…-${partition}`;
}

export interface StripInput {
  logStartOffset: number; logEndOffset: number; highWatermark: number;
  span: { start: number; end: number };
  truncation: { from: number; to: number } | null;
}

export interface StripSegments {
  /** The offsets shown: [from, to). */
  window: { from: number; to: number };
  cellW: number;
  /** x and width of the records below the high watermark; null when none show. */
  committed: [number, number] | null;
  /** From the high watermark to the log end offset. */
  uncommitted: [number, number] | null;
  /** x of the high watermark, when in the window. */
  hw: number | null;
  /** x of the log end offset. */
  leo: number;
  /** The offsets a recent truncation cut. */
  cut: [number, number] | null;
  /** x of each cell boundary, when cells are wide enough to tell apart. */
  ticks: number[] | null;
}

/** The smallest cell width: a strip shows as many of the newest offsets as fit. */
export const MIN_CELL_W = 5;
const TICKS_FROM_CELL_W = 6;

export function stripSegments(replica: StripInput, strip: Rect): StripSegments {
  const cells = Math.max(1, Math.floor(strip.w / MIN_CELL_W));
  const window = offsetWindow(replica.span.start, replica.span.end, cells);
  const count = window.to - window.from;
  const cellW = strip.w / count;
  const x = (offset: number) => strip.x + (Math.min(Math.max(offset, window.from), window.to) - window.from) * cellW;
  const segment = (from: number, to: number): [number, number] | null => {
    const a = x(from);
    const b = x(to);
    return b > a ? [a, b - a] : null;
  };
  const start = replica.logStartOffset;
  const hw = Math.min(replica.highWatermark, replica.logEndOffset);
  const ticks = cellW >= TICKS_FROM_CELL_W && count > 1 ? Array.from({ length: count - 1 }, (_, i) => strip.x + (i + 1) * cellW) : null;
  return {
    window, cellW,
    committed: segment(start, hw),
    uncommitted: segment(Math.max(start, hw), replica.logEndOffset),
    hw: hw >= window.from && hw <= window.to ? x(hw) : null,
    leo: x(replica.logEndOffset),
    cut: replica.truncation ? segment(replica.truncation.to, replica.truncation.from) : null,
    ticks,
  };
}
