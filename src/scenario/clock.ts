/**
 * The cluster clock as seen from a script. window.playground has no public `now()`: the page
 * (which holds the Playground) passes `playground.host.now()`; otherwise the clock is
 * estimated from the cluster time every ClusterEvent carries, run forward at the chosen speed
 * (stopped while paused). Fault schedules wait on this clock, so they slow down, speed up and
 * pause with the cluster.
 */
import type { ClusterEvent } from '../cluster/events';

/** The part of window.playground.cluster the clock needs. */
export interface ClockApi {
  cluster: {
    onEvents(listener: (events: readonly ClusterEvent[]) => void): () => void;
    speed(): number;
    isPaused(): boolean;
  };
}

export interface ClusterClock {
  now(): number;
  /** Resolves after `ms` of cluster time (rejects with an AbortError when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Polls `test` every `pollMs` of wall time until it holds (true) or `timeoutMs` of cluster time passed (false). */
  until(test: () => boolean, timeoutMs: number, signal?: AbortSignal, pollMs?: number): Promise<boolean>;
  dispose(): void;
}

const wallNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function abortError(): Error {
  const error = new Error('stopped');
  error.name = 'AbortError';
  return error;
}

/** A wall-clock wait, cut short by `signal`. */
export function wallSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function clusterClock(api: ClockApi, now?: () => number): ClusterClock {
  let dispose = () => {};
  let read = now;
  if (!read) {
    // Until an event says otherwise, the cluster clock starts at the epoch time, as the host's does.
    let anchor = { cluster: Date.now(), wall: wallNow() };
    const rate = () => (api.cluster.isPaused() ? 0 : api.cluster.speed());
    const estimate = () => anchor.cluster + (wallNow() - anchor.wall) * rate();
    dispose = api.cluster.onEvents((events) => {
      let latest = -Infinity;
      let retimed = false;
      for (const event of events) {
        if (typeof event.time === 'number' && event.time > latest) latest = event.time;
        if (event.type === 'speed-changed' || event.type === 'time-paused' || event.type === 'time-resumed' || event.type === 'time-stepped') retimed = true;
      }
      // The clock never runs backwards; a change of speed re-anchors at the time it was made.
      if (latest > -Infinity && (retimed || latest > estimate())) anchor = { cluster: latest, wall: wallNow() };
    });
    read = estimate;
  }
  const clock = read;
  return {
    now: clock,
    async sleep(ms, signal) {
      const until = clock() + ms;
      for (;;) {
        const left = until - clock();
        if (left <= 0) return;
        await wallSleep(Math.max(5, Math.min(50, left)), signal);
      }
    },
    async until(test, timeoutMs, signal, pollMs = 40) {
      const deadline = clock() + timeoutMs;
      for (;;) {
        if (test()) return true;
        if (clock() > deadline) return false;
        await wallSleep(pollMs, signal);
      }
    },
    dispose: () => dispose(),
  };
}
