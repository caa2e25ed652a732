import type { Clock, TimerHandle } from '../kafka/ports';

/** Wall time anchors shared by every node, so events from different workers line up on one timeline. */
export interface TimeAnchor { wallMs: number; clusterMs: number; speed: number }

const wallNow = (): number => performance.timeOrigin + performance.now();

interface ScaledTimer { dueCluster: number; callback: () => void; handle: ReturnType<typeof setTimeout> | null; done: boolean }

/**
 * The cluster's clock in the browser: wall time scaled by the playground's speed. Timers are
 * in cluster milliseconds, so at 0.5× a 9 s session timeout takes 18 real seconds: slowing down
 * changes how fast things happen, never what happens. Speed 0 pauses every timer; while paused
 * the host may move the cluster time forward (a step with nothing to deliver), and the timers
 * due by then run, in the order of their times.
 */
export class ScaledClock implements Clock {
  private anchor: TimeAnchor;
  private readonly timers = new Set<ScaledTimer>();

  constructor(anchor: TimeAnchor) {
    this.anchor = anchor;
  }

  now(): number {
    return this.anchor.clusterMs + (wallNow() - this.anchor.wallMs) * this.anchor.speed;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: ScaledTimer = { dueCluster: this.now() + Math.max(0, delayMs), callback, handle: null, done: false };
    this.timers.add(timer);
    this.arm(timer);
    return { cancel: () => this.finish(timer) };
  }

  /** Changes speed (0 = paused) or moves cluster time forward; re-arms every timer, earliest first. */
  setAnchor(anchor: TimeAnchor): void {
    this.anchor = anchor;
    for (const timer of [...this.timers].sort((a, b) => a.dueCluster - b.dueCluster)) {
      if (timer.handle !== null) clearTimeout(timer.handle);
      this.arm(timer);
    }
  }

  private arm(timer: ScaledTimer): void {
    timer.handle = null;
    const paused = this.anchor.speed <= 0;
    // Paused, only a timer whose time has come runs (the clock stepped past it, or a delay of 0).
    if (paused && timer.dueCluster > this.now()) return;
    const wallDelay = paused ? 0 : Math.max(0, (timer.dueCluster - this.now()) / this.anchor.speed);
    timer.handle = setTimeout(() => {
      if (timer.done) return;
      // setTimeout may fire a hair early in scaled terms; never run a timer before its time.
      if (this.now() + 0.5 < timer.dueCluster) return this.arm(timer);
      this.finish(timer);
      timer.callback();
    }, wallDelay);
  }

  private finish(timer: ScaledTimer): void {
    timer.done = true;
    if (timer.handle !== null) clearTimeout(timer.handle);
    this.timers.delete(timer);
  }
}
