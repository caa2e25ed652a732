import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../cluster/events';
import { fakeDescription } from '../scenario/testing';
import { holds, type ConditionState } from './conditions';
import { Ledger } from './ledger';
import { EventTracker } from './tracker';

function state(description = fakeDescription({ topics: { t: [{ leader: 2, isr: [1, 2, 3] }] } })): ConditionState {
  return { topic: 't', description, refs: new Map<string, number | string>([['old', 2], ['f', 3], ['c', 'consumer-1'], ['ctl', 1000]]), ledger: new Ledger('r'), tracker: new EventTracker('t'), marks: new Map() };
}

const append = (node: string, lastOffset: number, replicated = false): ClusterEvent =>
  ({ type: 'log-append', time: 0, node, topic: 't', partition: 0, baseOffset: lastOffset, lastOffset, records: 1, bytes: 10, leaderEpoch: 0, compression: 'none', ...(replicated ? { replicated } : {}) });

describe('conditions', () => {
  it('reads leaders, offline partitions and the ISR from the description, against remembered brokers', () => {
    const s = state();
    expect(holds({ kind: 'leader-elected' }, s)).toBe(true);
    expect(holds({ kind: 'leader-elected', not: 'old' }, s)).toBe(false);
    expect(holds({ kind: 'offline' }, s)).toBe(false);
    expect(holds({ kind: 'isr-size', size: 3 }, s)).toBe(true);
    expect(holds({ kind: 'isr-excludes', ref: 'f' }, s)).toBe(false);
    s.description = fakeDescription({ topics: { t: [{ leader: -1, isr: [2] }] } });
    expect(holds({ kind: 'offline' }, s)).toBe(true);
    expect(holds({ kind: 'leader-elected' }, s)).toBe(false);
    expect(holds({ kind: 'isr-excludes', ref: 'f' }, s)).toBe(true);
    expect(holds({ kind: 'isr-includes', ref: 'old' }, s)).toBe(true);
  });

  it('holds a full ISR as replicated only once the high watermark covers every acknowledged record', () => {
    const s = state(fakeDescription({ topics: { t: [{ leader: 2, isr: [1, 2, 3], highWatermark: 9 }] } }));
    for (let i = 0; i < 10; i++) s.ledger.ack(`r-${i}`, { partition: 0, offset: i });
    // The ISR is full, but offset 9 is not below the high watermark: a follower lacks it.
    expect(holds({ kind: 'isr-size', size: 3 }, s)).toBe(true);
    expect(holds({ kind: 'acknowledged-replicated' }, s)).toBe(false);
    s.description = fakeDescription({ topics: { t: [{ leader: 2, isr: [1, 2, 3], highWatermark: 10 }] } });
    expect(holds({ kind: 'acknowledged-replicated' }, s)).toBe(true);
    s.description = fakeDescription({ topics: { t: [{ leader: 2, isr: [2, 3], highWatermark: 10 }] } });
    expect(holds({ kind: 'acknowledged-replicated' }, s)).toBe(false);
  });

  it('counts acknowledgements and failures from a mark', () => {
    const s = state();
    for (let i = 0; i < 3; i++) s.ledger.ack(`r-${i}`, { partition: 0, offset: i });
    s.marks.set('m', { acknowledged: 2, errors: { NOT_ENOUGH_REPLICAS: 1 } });
    expect(holds({ kind: 'acknowledged', count: 3 }, s)).toBe(true);
    expect(holds({ kind: 'acknowledged', count: 2, since: 'm' }, s)).toBe(false);
    s.ledger.fail('NOT_ENOUGH_REPLICAS');
    expect(holds({ kind: 'send-failed', error: 'NOT_ENOUGH_REPLICAS' }, s)).toBe(true);
    expect(holds({ kind: 'send-failed', error: 'NOT_ENOUGH_REPLICAS', since: 'm' }, s)).toBe(false);
    s.ledger.fail('NOT_ENOUGH_REPLICAS');
    expect(holds({ kind: 'send-failed', error: 'NOT_ENOUGH_REPLICAS', since: 'm' }, s)).toBe(true);
  });

  it('sees a new active controller, one that stepped down, and one that follows', () => {
    const s = state(fakeDescription({ controllers: 3, active: 1000 }));
    expect(holds({ kind: 'new-active-controller', not: 'ctl' }, s)).toBe(false);
    expect(holds({ kind: 'controller-not-leader', ref: 'ctl' }, s)).toBe(false);
    s.description = fakeDescription({ controllers: 3, active: 1001 });
    expect(holds({ kind: 'new-active-controller', not: 'ctl' }, s)).toBe(true);
    expect(holds({ kind: 'controller-not-leader', ref: 'ctl' }, s)).toBe(true);
    expect(holds({ kind: 'controller-follows', ref: 'ctl' }, s)).toBe(true);
    s.description = fakeDescription({ controllers: 3, active: null });
    expect(holds({ kind: 'new-active-controller', not: 'ctl' }, s)).toBe(false);
  });

  it('knows when a record not yet acknowledged is on every follower', () => {
    const s = state();
    s.ledger.ack('r-0', { partition: 0, offset: 0 });
    s.tracker.apply([append('broker-2', 0), append('broker-1', 0, true), append('broker-3', 0, true)]);
    // Everything on the followers is acknowledged already.
    expect(holds({ kind: 'unacknowledged-on-followers' }, s)).toBe(false);
    s.tracker.apply([append('broker-2', 1), append('broker-1', 1, true)]);
    expect(holds({ kind: 'unacknowledged-on-followers' }, s)).toBe(false);
    s.tracker.apply([append('broker-3', 1, true)]);
    expect(holds({ kind: 'unacknowledged-on-followers' }, s)).toBe(true);
  });

  it('sees a consumer past its group\'s last commit, and every acknowledged record delivered', () => {
    const s = state();
    const processed = (first: number, last: number): ClusterEvent => ({ type: 'consumer-processed', time: 0, node: 'consumer-1', groupId: 'g', topic: 't', partition: 0, firstOffset: first, lastOffset: last, count: last - first + 1 });
    s.tracker.apply([processed(0, 9)]);
    // No commit yet: not past a commit.
    expect(holds({ kind: 'processed-past-commit', ref: 'c', group: 'g', count: 5 }, s)).toBe(false);
    s.tracker.apply([{ type: 'offset-commit', time: 0, node: 'broker-1', groupId: 'g', topic: 't', partition: 0, offset: 8 }]);
    expect(holds({ kind: 'processed-past-commit', ref: 'c', group: 'g', count: 5 }, s)).toBe(false);
    s.tracker.apply([processed(10, 12)]);
    expect(holds({ kind: 'processed-past-commit', ref: 'c', group: 'g', count: 5 }, s)).toBe(true);
    expect(holds({ kind: 'all-delivered' }, s)).toBe(false);
    s.ledger.ack('r-0', { partition: 0, offset: 0 });
    expect(holds({ kind: 'all-delivered' }, s)).toBe(false);
    s.ledger.deliverOffset(0, 0);
    expect(holds({ kind: 'all-delivered' }, s)).toBe(true);
  });
});
