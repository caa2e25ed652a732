import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger';

describe('Ledger', () => {
  it('counts acknowledged, delivered, lost and duplicated from acks and a full read', () => {
    const ledger = new Ledger('run');
    for (let i = 0; i < 5; i++) ledger.ack(ledger.valueFor(i), { partition: 0, offset: i });
    ledger.fail('NOT_ENOUGH_REPLICAS');
    ledger.fail('NOT_ENOUGH_REPLICAS');
    // Before the read, lost is unknown.
    expect(ledger.counters()).toMatchObject({ acknowledged: 5, failed: 2, delivered: 0, lost: null });
    // The log as read: run-3 was lost, run-1 written twice (a retry), run-9 written but never acknowledged,
    // and a record of another run is ignored.
    ledger.readAll([
      { partition: 0, offset: 0, value: 'run-0' }, { partition: 0, offset: 1, value: 'run-1' }, { partition: 0, offset: 2, value: 'run-2' },
      { partition: 0, offset: 3, value: 'run-1' }, { partition: 0, offset: 4, value: 'run-4' }, { partition: 0, offset: 5, value: 'run-9' },
      { partition: 0, offset: 6, value: 'other-0' },
    ]);
    expect(ledger.counters()).toEqual({
      acknowledged: 5, failed: 2, delivered: 5, lost: 1, duplicated: 1, reprocessed: 0, lostValues: ['run-3'], duplicatedValues: ['run-1'],
    });
    expect(ledger.offsetsOf('run-1')).toEqual([{ partition: 0, offset: 1 }, { partition: 0, offset: 3 }]);
    expect(ledger.errors).toEqual({ NOT_ENOUGH_REPLICAS: 2 });
  });

  it('counts a consumer\'s deliveries by offset: reprocessing is the same offset twice, not a duplicate', () => {
    const ledger = new Ledger('c');
    for (let i = 0; i < 4; i++) ledger.ack(ledger.valueFor(i), { partition: 0, offset: i });
    for (const offset of [0, 1, 2, 1, 2, 3]) ledger.deliverOffset(0, offset);
    expect(ledger.counters({ lostKnown: true })).toMatchObject({ delivered: 4, lost: 0, duplicated: 0, reprocessed: 2 });
  });

  it('places a delivery whose value it learns later, and knows the end of what was acknowledged', () => {
    const ledger = new Ledger('x');
    ledger.deliverOffset(1, 7);
    expect(ledger.counters({ lostKnown: true }).delivered).toBe(0);
    ledger.ack('x-0', { partition: 1, offset: 7 });
    expect(ledger.counters({ lostKnown: true })).toMatchObject({ acknowledged: 1, delivered: 1, lost: 0 });
    expect(ledger.ackedEnd(1)).toBe(8);
    expect(ledger.ackedEnd(0)).toBe(0);
  });
});
