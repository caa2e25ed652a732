import { describe, expect, it } from 'vitest';
import { contains, overlaps, type Rect } from './geometry';
import { layoutStage, replicaRows, type StageLayout, type StageLayoutInput } from './layout';

/** A laptop screen (1440x900): the stage is the page's width less its margins, under the header. */
const LAPTOP = { width: 1400, maxHeight: 700 };

/** Replica rows per broker when `partitions` partitions of `rf` replicas spread evenly over `brokers` brokers. */
const spread = (brokers: number, partitions: number, rf: number): number[] =>
  Array.from({ length: brokers }, (_, i) => Math.floor((partitions * Math.min(rf, brokers)) / brokers) + (i < (partitions * Math.min(rf, brokers)) % brokers ? 1 : 0));

function boxes(layout: StageLayout): { name: string; rect: Rect }[] {
  return [
    ...layout.controllers.map((rect, i) => ({ name: `controller ${i}`, rect })),
    ...layout.brokers.map((b, i) => ({ name: `broker ${i}`, rect: b.box })),
    ...layout.producers.map((rect, i) => ({ name: `producer ${i}`, rect })),
    ...layout.groups.map((g, i) => ({ name: `group ${i}`, rect: g.box })),
    ...(layout.notes.h > 0 ? [{ name: 'notes', rect: layout.notes }] : []),
  ];
}

/** Every box within the stage and overlapping no other; every row within its box and overlapping no other row. */
function expectSound(layout: StageLayout): void {
  const stage = { x: 0, y: 0, w: layout.width, h: layout.height };
  const all = boxes(layout);
  for (const { name, rect } of all) {
    expect(contains(stage, rect), `${name} within the stage`).toBe(true);
    expect(rect.w, `${name} has a width`).toBeGreaterThan(0);
    expect(rect.h, `${name} has a height`).toBeGreaterThan(0);
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i].rect, all[j].rect), `${all[i].name} and ${all[j].name} overlap`).toBe(false);
  }
  for (const [b, broker] of layout.brokers.entries()) {
    expect(overlaps(broker.header, broker.rows[0] ?? { x: 0, y: 0, w: 0, h: 0 }), `broker ${b}: header and rows`).toBe(false);
    for (const [r, row] of broker.rows.entries()) {
      expect(contains(broker.box, row), `broker ${b} row ${r} within its box`).toBe(true);
      if (r > 0) for (const other of broker.rows.slice(0, r)) expect(overlaps(row, other), `broker ${b} rows overlap`).toBe(false);
    }
  }
  for (const [g, group] of layout.groups.entries()) {
    for (const [m, member] of group.members.entries()) {
      expect(contains(group.box, member), `group ${g} member ${m} within its box`).toBe(true);
      if (m > 0) expect(overlaps(member, group.members[m - 1])).toBe(false);
    }
  }
  // The quorum sits above the brokers; producers left of them, groups right.
  const middle = layout.columns.middle;
  for (const c of layout.controllers) for (const b of layout.brokers) expect(c.y + c.h).toBeLessThan(b.box.y);
  for (const p of layout.producers) expect(p.x + p.w).toBeLessThan(middle.x);
  for (const g of layout.groups) expect(g.box.x).toBeGreaterThan(middle.x + middle.w);
}

const input = (overrides: Partial<StageLayoutInput>): StageLayoutInput => ({
  ...LAPTOP, controllers: 3, brokers: [3, 3, 3], producers: 1, groups: [], ...overrides,
});

describe('stage layout', () => {
  it('lays out the default cluster (3 controllers, 3 brokers, the demo topic) in full rows on a laptop screen', () => {
    const layout = layoutStage(input({ brokers: [3, 3, 3], groups: [2] }));
    expectSound(layout);
    expect(layout.height).toBeLessThanOrEqual(LAPTOP.maxHeight);
    expect(layout.brokers.map((b) => b.mode)).toEqual(['full', 'full', 'full']);
    // Three brokers side by side, level.
    expect(new Set(layout.brokers.map((b) => b.box.y)).size).toBe(1);
  });

  it('holds one broker and one controller', () => {
    const layout = layoutStage(input({ controllers: 1, brokers: [1], producers: 0 }));
    expectSound(layout);
    expect(layout.brokers[0].box.w).toBeLessThanOrEqual(420);
    expect(layout.brokers[0].mode).toBe('full');
  });

  it('holds 9 brokers, 5 controllers, 50 partitions of 3 replicas and several groups within a laptop screen', () => {
    const layout = layoutStage(input({ controllers: 5, brokers: spread(9, 50, 3), producers: 6, groups: [4, 3, 3, 2, 1], notes: 3 }));
    expectSound(layout);
    expect(layout.height).toBeLessThanOrEqual(LAPTOP.maxHeight);
    expect(layout.brokers).toHaveLength(9);
    // A 3x3 grid rather than 4+4+1.
    expect(new Set(layout.brokers.map((b) => b.box.y)).size).toBe(3);
  });

  it('collapses 50 replicas a broker (3 brokers, 50 partitions, RF 3) into narrower rows, still within the screen', () => {
    const layout = layoutStage(input({ brokers: spread(3, 50, 3), notes: 2 }));
    expectSound(layout);
    expect(layout.height).toBeLessThanOrEqual(LAPTOP.maxHeight);
    expect(layout.brokers.every((b) => b.rows.length === 50)).toBe(true);
    expect(layout.brokers[0].mode).not.toBe('full');
  });

  it('holds one broker with 50 partitions, and the internal __consumer_offsets topic shown as well (100 rows)', () => {
    for (const rows of [50, 100]) {
      const layout = layoutStage(input({ controllers: 1, brokers: [rows] }));
      expectSound(layout);
      expect(layout.height).toBeLessThanOrEqual(LAPTOP.maxHeight);
    }
  });

  it('keeps 5 controllers side by side above the brokers', () => {
    const layout = layoutStage(input({ controllers: 5 }));
    expectSound(layout);
    expect(new Set(layout.controllers.map((c) => c.y)).size).toBe(1);
    expect(layout.controllers[0].w).toBeGreaterThan(150);
  });

  it('shrinks group members to fit many groups, and grows the stage rather than overlap when even that cannot fit', () => {
    const many = layoutStage(input({ groups: [5, 5, 5, 5, 5] }));
    expectSound(many);
    expect(many.groups[0].compact).toBe(true);
    expect(many.height).toBeLessThanOrEqual(LAPTOP.maxHeight);
    const tooMany = layoutStage(input({ groups: Array.from({ length: 12 }, () => 8) }));
    expectSound(tooMany);
  });

  it('holds a narrow window and an empty cluster', () => {
    expectSound(layoutStage(input({ width: 900, controllers: 5, brokers: spread(9, 50, 3), producers: 3, groups: [3, 3] })));
    expectSound(layoutStage(input({ controllers: 0, brokers: [], producers: 0, groups: [] })));
  });

  it('fills a broker in full rows while they fit, then compact rows, then more columns of mini strips', () => {
    expect(replicaRows(3, 300, 200)).toMatchObject({ mode: 'full', columns: 1, rowH: 18 });
    expect(replicaRows(20, 300, 200)).toMatchObject({ mode: 'compact', columns: 1, rowH: 10 });
    expect(replicaRows(40, 300, 200)).toMatchObject({ mode: 'compact', columns: 2, rowH: 10 });
    const mini = replicaRows(150, 300, 200);
    expect(mini.mode).toBe('mini');
    expect(Math.ceil(150 / mini.columns) * mini.rowH).toBeLessThanOrEqual(200);
  });
});
