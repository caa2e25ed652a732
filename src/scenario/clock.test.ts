import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../cluster/events';
import { clusterClock, type ClockApi } from './clock';

function fakeClockApi() {
  const listeners = new Set<(events: readonly ClusterEvent[]) => void>();
  const state = { speed: 1, paused: false };
  const api: ClockApi = {
    cluster: {
      onEvents: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
      speed: () => state.speed,
      isPaused: () => state.paused,
    },
  };
  return { api, state, emit: (events: ClusterEvent[]) => { for (const l of listeners) l(events); }, listeners };
}

describe('clusterClock without a now()', () => {
  it('follows the cluster time events carry, never runs backwards, and stands still while paused', () => {
    const { api, state, emit, listeners } = fakeClockApi();
    const clock = clusterClock(api);
    emit([{ type: 'speed-changed', time: 5_000_000, speed: 1 }]);
    const first = clock.now();
    expect(first).toBeGreaterThanOrEqual(5_000_000);
    // An older event (a report stamped when its work was done) does not move the clock back.
    emit([{ type: 'node-killed', time: 4_000_000, node: 'broker-1', role: 'broker' }]);
    expect(clock.now()).toBeGreaterThanOrEqual(first);
    // A newer one moves it forward.
    emit([{ type: 'node-killed', time: 6_000_000, node: 'broker-1', role: 'broker' }]);
    expect(clock.now()).toBeGreaterThanOrEqual(6_000_000);
    state.paused = true;
    emit([{ type: 'time-paused', time: 7_000_000 }]);
    const paused = clock.now();
    expect(paused).toBe(7_000_000);
    expect(clock.now()).toBe(paused);
    clock.dispose();
    expect(listeners.size).toBe(0);
  });

  it('uses the page\'s clock when given one', async () => {
    let t = 100;
    const { api, listeners } = fakeClockApi();
    const clock = clusterClock(api, () => t);
    expect(listeners.size).toBe(0);
    const slept = clock.sleep(50).then(() => t);
    t = 160;
    expect(await slept).toBe(160);
  });

  it('waits until a test holds, or gives up once the timeout has passed on the cluster clock', async () => {
    let t = 0;
    const { api } = fakeClockApi();
    const clock = clusterClock(api, () => t);
    let ready = false;
    const met = clock.until(() => ready, 1000, undefined, 5);
    ready = true;
    expect(await met).toBe(true);
    const missed = clock.until(() => false, 1000, undefined, 5);
    t = 1001;
    expect(await missed).toBe(false);
  });
});
