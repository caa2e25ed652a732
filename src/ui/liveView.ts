/**
 * What the React UI reads instead of the cluster store itself. The store folds events every
 * animation frame (the stage's canvas needs that); the cards, tables and logs need a human's
 * rate. A throttled view republishes the store at most every `intervalMs`, so one busy second
 * costs a handful of renders, not sixty; a gated view stops publishing while its part of the page
 * is off screen, so a panel nobody looks at costs nothing.
 *
 * Each view's state only changes when it tells its listeners, as useSyncExternalStore requires.
 */
export interface StateSource<S> {
  getState(): S;
  getInitialState(): S;
  subscribe(listener: () => void): () => void;
}

/** How often at most the UI follows the store: fast enough to read as live, rare enough to be cheap. */
export const UI_REFRESH_MS = 150;
/** The longest a busy page waits between refreshes. */
export const UI_REFRESH_MAX_MS = 1000;
/** A refresh may take this share of the page's time at most (with its layout and paint): a busier page refreshes less often. */
const UI_SHARE = 0.2;

export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Calls back once the page has drawn what the current task changed (its render, layout and paint). */
  afterPaint(callback: () => void): void;
}

const browserScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  // The frame after the change runs React's render and the browser's layout and paint; the task after it, once they are done.
  afterPaint: (callback) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(callback, 0)) : setTimeout(callback, 0)),
};

/**
 * What both views share: the state last published, their listeners, and the source followed
 * while anyone listens (unfollowed, the view reads the source itself, so a first render is
 * current). `schedule` decides when a change of the source is published; `pending` is its timer.
 */
function republisher<S>(source: StateSource<S>, schedule: (publish: () => boolean) => void, scheduler: Scheduler) {
  let state = source.getState();
  const listeners = new Set<() => void>();
  let unsubscribe: (() => void) | null = null;
  const pending = { timer: null as unknown };
  const cancel = () => {
    if (pending.timer !== null) scheduler.clearTimeout(pending.timer);
    pending.timer = null;
  };
  /** Publishes the source's state now; false when there was nothing new. */
  const publish = (): boolean => {
    cancel();
    const next = source.getState();
    if (next === state) return false;
    state = next;
    for (const listener of [...listeners]) listener();
    return true;
  };
  const view: StateSource<S> = {
    getState: () => (unsubscribe ? state : source.getState()),
    getInitialState: () => source.getInitialState(),
    subscribe(listener) {
      if (listeners.size === 0) {
        state = source.getState();
        unsubscribe = source.subscribe(() => schedule(publish));
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        unsubscribe?.();
        unsubscribe = null;
        cancel();
      };
    },
  };
  return { view, publish, pending, following: () => unsubscribe !== null };
}

/**
 * The store's state, republished at most every intervalMs: at once when the last publication is
 * older than that (a click shows without delay), else at the end of the interval (the newest
 * state then, never a stale one). Each refresh is timed until the page has drawn it; when that
 * takes more than UI_SHARE of the interval (a big cluster on a slow machine), the interval
 * grows, up to UI_REFRESH_MAX_MS, so the animation keeps its frames.
 */
export function throttledView<S>(source: StateSource<S>, intervalMs = UI_REFRESH_MS, scheduler: Scheduler = browserScheduler): StateSource<S> & { interval(): number } {
  let published = -Infinity;
  let interval = intervalMs;
  let timing = false;
  const timedPublish = (publish: () => boolean) => {
    const started = scheduler.now();
    published = started;
    if (!publish() || timing) return;
    timing = true;
    scheduler.afterPaint(() => {
      timing = false;
      const cost = scheduler.now() - started;
      // Smoothed, so one slow frame does not halve the refresh rate.
      interval = Math.min(UI_REFRESH_MAX_MS, Math.max(intervalMs, 0.7 * interval + 0.3 * (cost / UI_SHARE)));
    });
  };
  const { view, pending } = republisher(source, (publish) => {
    if (pending.timer !== null) return;
    const wait = published + interval - scheduler.now();
    if (wait <= 0) timedPublish(publish);
    else pending.timer = scheduler.setTimeout(() => timedPublish(publish), wait);
  }, scheduler);
  return { ...view, interval: () => interval };
}

/** How often a part of the page out of sight still follows the store: rarely, and its layout and paint are skipped. */
export const UI_HIDDEN_REFRESH_MS = 2000;

/**
 * A view that follows `source` at its pace while `open` (its part of the page is in sight), and
 * every hiddenMs only while closed; reopened, it catches up at once. Scrolled away, a panel
 * costs a render every two seconds, which the browser does not lay out or paint, and what it
 * says is never more than that stale.
 */
export function gatedView<S>(source: StateSource<S>, hiddenMs = UI_HIDDEN_REFRESH_MS, scheduler: Scheduler = browserScheduler): StateSource<S> & { setOpen(open: boolean): void } {
  let open = true;
  const { view, publish, pending, following } = republisher(source, (publishNow) => {
    if (open) publishNow();
    else if (pending.timer === null) pending.timer = scheduler.setTimeout(publishNow, hiddenMs);
  }, scheduler);
  return {
    ...view,
    setOpen(next) {
      if (next === open) return;
      open = next;
      if (open && following()) publish();
    },
  };
}
