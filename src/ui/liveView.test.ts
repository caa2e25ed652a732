import { describe, expect, it } from 'vitest';
import { gatedView, throttledView, type Scheduler, type StateSource } from './liveView';

function source(initial: number) {
  let state = initial;
  const listeners = new Set<() => void>();
  const store: StateSource<number> & { set(n: number): void; listeners: number } = {
    getState: () => state,
    getInitialState: () => initial,
    subscribe: (l) => { listeners.add(l); return () => listeners.delete(l); },
    set(n) { state = n; for (const l of listeners) l(); },
    get listeners() { return listeners.size; },
  };
  return store;
}

function fakeClock() {
  let now = 0;
  const timers: { at: number; callback: () => void; handle: number }[] = [];
  let next = 0;
  /** How long the page takes to draw a refresh. */
  let paintMs = 0;
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (callback, ms) => { timers.push({ at: now + ms, callback, handle: ++next }); return next; },
    clearTimeout: (handle) => { const i = timers.findIndex((t) => t.handle === handle); if (i >= 0) timers.splice(i, 1); },
    afterPaint: (callback) => { now += paintMs; callback(); },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) { timers.splice(timers.indexOf(t), 1); t.callback(); }
  };
  return { scheduler, advance, pending: () => timers.length, setPaint: (ms: number) => { paintMs = ms; } };
}

describe('throttledView', () => {
  it('publishes the first change at once, then at most once per interval, with the newest state', () => {
    const store = source(0);
    const clock = fakeClock();
    const view = throttledView(store, 100, clock.scheduler);
    const seen: number[] = [];
    view.subscribe(() => seen.push(view.getState()));
    store.set(1);
    expect(seen).toEqual([1]);
    store.set(2);
    store.set(3);
    expect(view.getState()).toBe(1);
    clock.advance(99);
    expect(seen).toEqual([1]);
    clock.advance(1);
    expect(seen).toEqual([1, 3]);
    clock.advance(500);
    store.set(4);
    expect(seen).toEqual([1, 3, 4]);
  });

  it('refreshes less often while each refresh takes long to draw, and as often as allowed again once it is cheap', () => {
    const store = source(0);
    const clock = fakeClock();
    const view = throttledView(store, 100, clock.scheduler);
    view.subscribe(() => undefined);
    clock.setPaint(150);
    for (let i = 1; i <= 30; i++) {
      store.set(i);
      clock.advance(50);
    }
    // 150 ms to draw is more than a fifth of anything below 750 ms.
    expect(view.interval()).toBeGreaterThan(600);
    expect(view.interval()).toBeLessThanOrEqual(1000);
    clock.setPaint(2);
    for (let i = 31; i <= 300; i++) {
      store.set(i);
      clock.advance(50);
    }
    expect(view.interval()).toBe(100);
  });

  it('stops following the store when its last listener goes, and reads the store until someone listens', () => {
    const store = source(0);
    const clock = fakeClock();
    const view = throttledView(store, 100, clock.scheduler);
    const off = view.subscribe(() => undefined);
    store.set(1);
    store.set(2);
    off();
    expect(store.listeners).toBe(0);
    expect(clock.pending()).toBe(0);
    store.set(3);
    expect(view.getState()).toBe(3);
  });
});

describe('gatedView', () => {
  it('follows the store while open, every hiddenMs while closed, and catches up at once when reopened', () => {
    const store = source(0);
    const clock = fakeClock();
    const view = gatedView(store, 2000, clock.scheduler);
    const seen: number[] = [];
    view.subscribe(() => seen.push(view.getState()));
    store.set(1);
    expect(seen).toEqual([1]);
    view.setOpen(false);
    store.set(2);
    store.set(3);
    expect(view.getState()).toBe(1);
    clock.advance(2000);
    expect(seen).toEqual([1, 3]);
    store.set(4);
    clock.advance(500);
    view.setOpen(true);
    expect(seen).toEqual([1, 3, 4]);
    // The hidden refresh that was due is cancelled by the catch-up.
    clock.advance(2000);
    expect(seen).toEqual([1, 3, 4]);
    store.set(5);
    expect(seen).toEqual([1, 3, 4, 5]);
  });
});
