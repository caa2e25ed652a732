import { describe, expect, it } from 'vitest';
import { contains } from './geometry';
import { fitLabel, rowParts, stripSegments, MIN_CELL_W } from './strips';

const strip = { x: 100, y: 0, w: 100, h: 10 };
const replica = (start: number, leo: number, hw: number, span: [number, number], truncation: { from: number; to: number } | null = null) =>
  ({ logStartOffset: start, logEndOffset: leo, highWatermark: hw, span: { start: span[0], end: span[1] }, truncation });

describe('replica strips', () => {
  it('draws a short log cell by cell: solid below the high watermark, lighter up to the log end', () => {
    const s = stripSegments(replica(0, 10, 8, [0, 10]), strip);
    expect(s.window).toEqual({ from: 0, to: 10 });
    expect(s.cellW).toBe(10);
    expect(s.committed).toEqual([100, 80]);
    expect(s.uncommitted).toEqual([180, 20]);
    expect(s.hw).toBe(180);
    expect(s.leo).toBe(200);
    expect(s.ticks).toHaveLength(9);
  });

  it("lines up a lagging follower with its partition's leader", () => {
    const s = stripSegments(replica(0, 6, 6, [0, 10]), strip);
    expect(s.leo).toBe(160);
    expect(s.uncommitted).toBeNull();
  });

  it('shows the newest offsets of a long log, as many as fit', () => {
    const s = stripSegments(replica(0, 5000, 4990, [0, 5000]), strip);
    expect(s.window).toEqual({ from: 5000 - 100 / MIN_CELL_W, to: 5000 });
    expect(s.committed![0]).toBe(100);
    expect(s.ticks).toBeNull();
    expect(s.hw).toBeCloseTo(100 + (4990 - 4980) * 5);
  });

  it('marks the offsets a truncation cut, beyond the new log end', () => {
    const s = stripSegments(replica(0, 6, 6, [0, 9], { from: 9, to: 6 }), strip);
    expect(s.cut![0]).toBeCloseTo(100 + 6 * (100 / 9));
    expect(s.cut![0] + s.cut![1]).toBeCloseTo(200);
  });

  it('draws an empty log as an empty strip', () => {
    const s = stripSegments(replica(0, 0, 0, [0, 0]), strip);
    expect(s.committed).toBeNull();
    expect(s.uncommitted).toBeNull();
    expect(s.leo).toBe(100);
  });

  it('fits every part of a row inside it, in each mode', () => {
    for (const mode of ['full', 'compact', 'mini'] as const) {
      for (const w of [44, 104, 190, 300, 400]) {
        const row = { x: 10, y: 20, w, h: mode === 'full' ? 18 : mode === 'compact' ? 12 : 6 };
        const parts = rowParts(mode, row);
        for (const part of [parts.label, parts.role, parts.strip, parts.numbers]) if (part && w >= (mode === 'full' ? 190 : mode === 'compact' ? 104 : 44)) expect(contains(row, part, 0.5), `${mode} ${w}`).toBe(true);
      }
    }
  });

  it('shortens a long topic name but keeps the partition number', () => {
    expect(fitLabel('orders', 3, 10)).toBe('orders-3');
    expect(fitLabel('customer-events', 12, 10)).toBe('custom…-12');
  });
});
