import { describe, expect, it } from 'vitest';
import { FlowBuffer, type FlowMessage } from '../store/flows';
import type { Anchor } from './geometry';
import { DROP_AT, HOLD_AT, categoryOf, computeFrame, progressOf, rateWidth, type FrameOptions } from './particles';

const message = (extra: Partial<FlowMessage> = {}): FlowMessage => ({
  id: 'm', from: 'client-1', to: 'broker-1', api: 'Produce', kind: 'request', bytes: 300, sentAt: 1000, deliveredAt: NaN,
  error: false, records: true, dropped: null, droppedAt: NaN, ...extra,
});

const boxes: Record<string, Anchor> = {
  'client-1': { rect: { x: 0, y: 100, w: 100, h: 40 }, kind: 'client-left' },
  'broker-1': { rect: { x: 300, y: 100, w: 200, h: 100 }, kind: 'broker' },
  'broker-2': { rect: { x: 600, y: 100, w: 200, h: 100 }, kind: 'broker' },
};
const anchorOf = (address: string) => boxes[address] ?? null;
const options = (extra: Partial<FrameOptions> = {}): FrameOptions => ({ now: 1100, minVisibleMs: 400, threshold: 300, reducedMotion: false, rateWindowMs: 1000, ...extra });

function fill(messages: Partial<FlowMessage>[]): FlowBuffer {
  const buffer = new FlowBuffer(1000);
  messages.forEach((m, i) => {
    const full = message({ id: `m${i}`, ...m });
    const flow = buffer.send({ id: full.id, from: full.from, to: full.to, api: full.api, kind: full.kind, bytes: full.bytes, sentAt: full.sentAt, error: full.error }, full.dropped);
    if (!Number.isNaN(full.deliveredAt)) buffer.deliver(flow.id, full.deliveredAt);
  });
  return buffer;
}

describe('messages in flight', () => {
  it('interpolates between send and delivery time, on the cluster clock', () => {
    const m = message({ deliveredAt: 3000 });
    expect(progressOf(m, 1000, 400)).toEqual({ t: 0, alpha: 1 });
    expect(progressOf(m, 1500, 400)!.t).toBeCloseTo(0.25);
    expect(progressOf(m, 2000, 400)!.t).toBeCloseTo(0.5);
    expect(progressOf(m, 3000, 400)).toBeNull();
    // Paused: the same clock reading gives the same place.
    expect(progressOf(m, 2000, 400)).toEqual(progressOf(m, 2000, 400));
  });

  it('stretches a hop faster than the eye to the minimum visible time', () => {
    const fast = message({ deliveredAt: 1000.2 });
    expect(progressOf(fast, 1200, 400)!.t).toBeCloseTo(0.5);
    expect(progressOf(fast, 1400, 400)).toBeNull();
  });

  it('extrapolates one not yet delivered and holds it near its receiver', () => {
    const waiting = message();
    expect(progressOf(waiting, 1200, 400)!.t).toBeCloseTo(0.5);
    expect(progressOf(waiting, 5000, 400)!.t).toBe(HOLD_AT);
    expect(progressOf(waiting, 1000 + 400 * 41, 400)).toBeNull();
  });

  it('stops a dropped message at the break, fades it, then forgets it', () => {
    const lost = message({ dropped: 'cut', droppedAt: 1000 });
    expect(progressOf(lost, 1200, 400)!.t).toBeCloseTo(0.25);
    const there = progressOf(lost, 1400, 400)!;
    expect(there).toEqual({ t: DROP_AT, alpha: 1 });
    expect(progressOf(lost, 1800, 400)!.alpha).toBeCloseTo(0.5);
    expect(progressOf(lost, 2300, 400)).toBeNull();
  });

  it('ignores a send far in the future of the clock read', () => {
    expect(progressOf(message({ sentAt: 5000 }), 1000, 400)).toBeNull();
  });

  it('names traffic by what it carries', () => {
    expect(categoryOf({ api: 'Produce', from: 'client-1', to: 'broker-1' })).toBe('produce');
    expect(categoryOf({ api: 'Fetch', from: 'broker-2', to: 'broker-1' })).toBe('replication');
    expect(categoryOf({ api: 'Fetch', from: 'consumer-1', to: 'broker-1' })).toBe('consume');
    expect(categoryOf({ api: 'Fetch', from: 'broker-1', to: 'controller-1000' })).toBe('quorum');
    expect(categoryOf({ api: 'Vote', from: 'controller-1001', to: 'controller-1000' })).toBe('election');
    expect(categoryOf({ api: 'JoinGroup', from: 'consumer-1', to: 'broker-1' })).toBe('group');
  });
});

describe('a frame', () => {
  it("draws each message on its route from its sender's edge to its receiver's: batches for records, rings for responses", () => {
    const frame = computeFrame(fill([
      { sentAt: 1000, deliveredAt: 1400 },
      { api: 'Produce', kind: 'response', from: 'broker-1', to: 'client-1', bytes: 40, sentAt: 1050 },
      { from: 'nobody-9', to: 'broker-1' },
    ]), anchorOf, options());
    expect(frame.mode).toBe('dots');
    expect(frame.inFlight).toBe(2);
    const [batch, ring] = frame.dots;
    expect(batch.shape).toBe('batch');
    // A quarter of the way from client-1's right edge (x 100) towards broker-1's top (x 328, y 100).
    expect(batch.x).toBeGreaterThan(100);
    expect(batch.x).toBeLessThan(200);
    expect(batch.y).toBeLessThan(120);
    expect(ring.shape).toBe('ring');
    expect(ring.x).toBeGreaterThan(100);
    expect(ring.x).toBeLessThan(300);
  });

  it('sums the traffic into rates between pairs above the threshold', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ from: 'broker-2', to: 'broker-1', api: 'Fetch', kind: 'request' as const, sentAt: 1000 + i }));
    const frame = computeFrame(fill([...many, { sentAt: 1090 }]), anchorOf, options({ threshold: 20 }));
    expect(frame.mode).toBe('rates');
    expect(frame.dots).toEqual([]);
    expect(frame.inFlight).toBe(51);
    expect(frame.rates.map((r) => [r.fromAddress, r.toAddress, r.perSecond])).toEqual([['broker-1', 'broker-2', 50], ['broker-1', 'client-1', 1]]);
    expect(rateWidth(50)).toBeGreaterThan(rateWidth(1));
  });

  it('draws only rates, never moving dots, for a person who prefers reduced motion', () => {
    const frame = computeFrame(fill([{ sentAt: 1000 }]), anchorOf, options({ reducedMotion: true }));
    expect(frame.mode).toBe('rates');
    expect(frame.dots).toEqual([]);
    expect(frame.rates).toHaveLength(1);
  });
});
