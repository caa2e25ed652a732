/**
 * Where everything on the stage goes, as pure arithmetic: producers on the left, the KRaft
 * quorum above the brokers in the middle, consumer groups on the right, a band for the latest
 * faults under the brokers. Box sizes shrink, and replica rows collapse into narrower modes and
 * columns, so 1 to 9 brokers, 1 to 5 controllers, 50 partitions and several groups fit a
 * laptop screen; only when even the smallest sizes do not fit does the stage grow taller.
 */
import { clamp, type Rect } from './geometry';

export interface StageLayoutInput {
  width: number;
  /** The height to fit in. */
  maxHeight: number;
  controllers: number;
  /** Replica rows shown in each broker. */
  brokers: number[];
  /** Boxes in the producers' column. */
  producers: number;
  /** Member rows in each consumer group. */
  groups: number[];
  /** Lines in the band of latest faults under the brokers (0: none). */
  notes?: number;
}

/**
 * How a replica row is drawn: full (name, role, strip, offsets), compact (small name and
 * strip) or mini (the strip alone, its details in its tooltip).
 */
export type ReplicaMode = 'full' | 'compact' | 'mini';

export interface BrokerLayout {
  box: Rect;
  /** The part the card's HTML header (name, state, buttons) takes. */
  header: Rect;
  rows: Rect[];
  mode: ReplicaMode;
  columns: number;
}

export interface GroupLayout { box: Rect; header: Rect; members: Rect[]; compact: boolean }

export interface StageLayout {
  width: number;
  height: number;
  columns: { producers: Rect; middle: Rect; groups: Rect };
  quorum: Rect;
  quorumHeader: Rect;
  controllers: Rect[];
  brokers: BrokerLayout[];
  /** The band between the quorum and the brokers (metadata down, heartbeats up). */
  metadataBand: Rect;
  producers: Rect[];
  groups: GroupLayout[];
  notes: Rect;
}

export const PAD = 8;
const COLUMN_GAP = 40;
const GAP = 12;
const QUORUM_HEADER = 22;
export const CONTROLLER_H = 92;
const CONTROLLER_MAX_W = 250;
const METADATA_BAND = 40;
export const BROKER_HEADER = 58;
const BROKER_MIN_W = 200;
const BROKER_MAX_W = 420;
const BROKER_INNER_PAD = 6;
const NOTE_LINE = 16;
const PRODUCER_H = 40;
const PRODUCER_COMPACT_H = 24;
const PRODUCER_GAP = 8;
const GROUP_HEADER = 40;
const GROUP_GAP = 10;
const GROUP_PAD = 4;
export const MEMBER_H = 34;
export const MEMBER_COMPACT_H = 20;
const MEMBER_MIN_H = 12;
const EMPTY_GROUP_H = 18;

/** Per mode: the smallest and largest row height, the narrowest strip column. */
const MODES: Record<ReplicaMode, { minH: number; maxH: number; minColumnW: number }> = {
  full: { minH: 15, maxH: 18, minColumnW: 190 },
  compact: { minH: 10, maxH: 14, minColumnW: 104 },
  mini: { minH: 5, maxH: 9, minColumnW: 44 },
};
const MAX_COLUMNS = 6;
const COLUMN_GAP_IN_BOX = 8;

/**
 * The mode, strip columns and row height for `count` rows in a box `width` wide with `height`
 * for rows: the fullest mode that fits, with as few columns as it needs; else mini strips in as
 * many columns as the width allows, at their smallest height (the box then grows).
 */
export function replicaRows(count: number, width: number, height: number): { mode: ReplicaMode; columns: number; rowH: number } {
  const inner = width - 2 * BROKER_INNER_PAD;
  const columnW = (columns: number) => (inner - (columns - 1) * COLUMN_GAP_IN_BOX) / columns;
  let widest = 1;
  for (const mode of ['full', 'compact', 'mini'] as const) {
    for (let columns = 1; columns <= MAX_COLUMNS; columns++) {
      if (columnW(columns) < MODES[mode].minColumnW) break;
      // More columns than needed for one row each leave columns empty.
      if (columns > 1 && Math.ceil(count / (columns - 1)) <= 1) break;
      if (mode === 'mini') widest = columns;
      const rowH = height / Math.max(1, Math.ceil(count / columns));
      if (rowH >= MODES[mode].minH) return { mode, columns, rowH: Math.min(rowH, MODES[mode].maxH) };
    }
  }
  return { mode: 'mini', columns: widest, rowH: MODES.mini.minH };
}

function layoutBrokers(counts: number[], middle: Rect, top: number, bottom: number): { brokers: BrokerLayout[]; bottom: number } {
  const n = counts.length;
  if (n === 0) return { brokers: [], bottom: top };
  const maxColumns = Math.max(1, Math.floor((middle.w + GAP) / (BROKER_MIN_W + GAP)));
  const rows = Math.ceil(n / Math.min(n, maxColumns));
  const columns = Math.ceil(n / rows);
  const boxW = Math.min(BROKER_MAX_W, (middle.w - (columns - 1) * GAP) / columns);
  const gridW = columns * boxW + (columns - 1) * GAP;
  const left = middle.x + (middle.w - gridW) / 2;
  const rowBudget = Math.max(0, (bottom - top - (rows - 1) * GAP) / rows);
  const brokers: BrokerLayout[] = [];
  let y = top;
  for (let row = 0; row < rows; row++) {
    const inRow = counts.slice(row * columns, row * columns + columns);
    const count = Math.max(1, ...inRow);
    const fit = replicaRows(count, boxW, rowBudget - BROKER_HEADER - BROKER_INNER_PAD);
    const perColumn = Math.max(1, Math.ceil(count / fit.columns));
    const boxH = BROKER_HEADER + perColumn * fit.rowH + BROKER_INNER_PAD;
    // A short last row is centred under the others.
    const rowLeft = left + ((columns - inRow.length) * (boxW + GAP)) / 2;
    inRow.forEach((rowsHere, i) => {
      const box = { x: rowLeft + i * (boxW + GAP), y, w: boxW, h: boxH };
      const columnW = (boxW - 2 * BROKER_INNER_PAD - (fit.columns - 1) * COLUMN_GAP_IN_BOX) / fit.columns;
      const rects: Rect[] = [];
      for (let r = 0; r < rowsHere; r++) {
        const column = Math.floor(r / perColumn);
        const within = r % perColumn;
        rects.push({ x: box.x + BROKER_INNER_PAD + column * (columnW + COLUMN_GAP_IN_BOX), y: box.y + BROKER_HEADER + within * fit.rowH, w: columnW, h: fit.rowH });
      }
      brokers.push({ box, header: { x: box.x, y: box.y, w: box.w, h: BROKER_HEADER }, rows: rects, mode: fit.mode, columns: fit.columns });
    });
    y += boxH + GAP;
  }
  return { brokers, bottom: y - GAP };
}

function layoutGroups(members: number[], column: Rect, top: number, bottom: number): { groups: GroupLayout[]; bottom: number } {
  const n = members.length;
  if (n === 0) return { groups: [], bottom: top };
  const heads = members.reduce((sum, m) => sum + GROUP_HEADER + GROUP_PAD + (m === 0 ? EMPTY_GROUP_H : 0), 0) + (n - 1) * GROUP_GAP;
  const rows = members.reduce((sum, m) => sum + m, 0);
  const room = bottom - top - heads;
  let memberH = MEMBER_H;
  let compact = false;
  if (rows * MEMBER_H > room) {
    compact = true;
    memberH = rows === 0 ? MEMBER_COMPACT_H : clamp(room / rows, MEMBER_MIN_H, MEMBER_COMPACT_H);
  }
  const groups: GroupLayout[] = [];
  let y = top;
  for (const m of members) {
    const h = GROUP_HEADER + (m === 0 ? EMPTY_GROUP_H : m * memberH) + GROUP_PAD;
    const box = { x: column.x, y, w: column.w, h };
    groups.push({
      box, header: { x: box.x, y: box.y, w: box.w, h: GROUP_HEADER }, compact,
      members: Array.from({ length: m }, (_, i) => ({ x: box.x + 4, y: box.y + GROUP_HEADER + i * memberH, w: box.w - 8, h: memberH })),
    });
    y += h + GROUP_GAP;
  }
  return { groups, bottom: y - GROUP_GAP };
}

/** Producers level with the brokers, compact when they do not fit beside them, below `limit` if need be. */
function layoutProducers(n: number, column: Rect, top: number, bottom: number, limit: number): { producers: Rect[]; bottom: number } {
  if (n === 0) return { producers: [], bottom: top };
  const fits = (h: number) => n * h + (n - 1) * PRODUCER_GAP;
  const h = fits(PRODUCER_H) <= Math.max(bottom, limit) - top ? PRODUCER_H : PRODUCER_COMPACT_H;
  const total = fits(h);
  const start = Math.max(top, top + (bottom - top - total) / 2);
  const producers = Array.from({ length: n }, (_, i) => ({ x: column.x, y: start + i * (h + PRODUCER_GAP), w: column.w, h }));
  return { producers, bottom: start + total };
}

export function layoutStage(input: StageLayoutInput): StageLayout {
  const width = Math.max(input.width, 640);
  const producersW = clamp(Math.round(width * 0.1), 108, 150);
  const groupsW = clamp(Math.round(width * 0.17), 180, 250);
  const middleX = PAD + producersW + COLUMN_GAP;
  const middleW = width - 2 * PAD - producersW - groupsW - 2 * COLUMN_GAP;
  const bottom = input.maxHeight - PAD;

  // The quorum: its header line, then the controllers side by side, centred.
  const nc = input.controllers;
  const quorumHeader = { x: middleX, y: PAD, w: middleW, h: QUORUM_HEADER };
  const controllerW = nc > 0 ? Math.min(CONTROLLER_MAX_W, (middleW - 16 - (nc - 1) * GAP) / nc) : 0;
  const controllersW = nc * controllerW + Math.max(0, nc - 1) * GAP;
  const controllersLeft = middleX + (middleW - controllersW) / 2;
  const controllersTop = PAD + QUORUM_HEADER + 4;
  const controllers = Array.from({ length: nc }, (_, i) => ({ x: controllersLeft + i * (controllerW + GAP), y: controllersTop, w: controllerW, h: CONTROLLER_H }));
  const quorum = { x: middleX, y: PAD, w: middleW, h: QUORUM_HEADER + 4 + (nc > 0 ? CONTROLLER_H : 0) + 6 };

  const metadataBand = { x: middleX, y: quorum.y + quorum.h, w: middleW, h: METADATA_BAND };
  const brokersTop = metadataBand.y + metadataBand.h;
  const notesH = input.notes ? input.notes * NOTE_LINE + 6 : 0;
  const laid = layoutBrokers(input.brokers, { x: middleX, y: brokersTop, w: middleW, h: 0 }, brokersTop, bottom - (notesH ? notesH + GAP : 0));
  const notes = { x: middleX, y: laid.bottom + (notesH ? GAP : 0), w: middleW, h: notesH };

  const producersColumn = { x: PAD, y: PAD, w: producersW, h: 0 };
  const brokersBottom = Math.max(laid.bottom, brokersTop + 60);
  const placed = layoutProducers(input.producers, producersColumn, brokersTop, brokersBottom, bottom);
  const groupsColumn = { x: width - PAD - groupsW, y: PAD, w: groupsW, h: 0 };
  const grouped = layoutGroups(input.groups, groupsColumn, PAD, bottom);

  const height = Math.ceil(Math.max(notes.y + notes.h, placed.bottom, grouped.bottom, brokersBottom) + PAD - 0.01);
  producersColumn.h = height - 2 * PAD;
  groupsColumn.h = height - 2 * PAD;
  return {
    width, height,
    columns: { producers: producersColumn, middle: { x: middleX, y: PAD, w: middleW, h: height - 2 * PAD }, groups: groupsColumn },
    quorum, quorumHeader, controllers, brokers: laid.brokers, metadataBand, producers: placed.producers, groups: grouped.groups, notes,
  };
}
