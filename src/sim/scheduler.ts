import type { Clock, TimerHandle } from '../kafka/ports';

interface Task { time: number; seq: number; owner: string; run: () => void; cancelled: boolean }

/**
 * Simulated time for a whole cluster in one process. Tasks (timers, message deliveries) run
 * in (time, insertion) order; between tasks every pending promise settles, so async node code
 * runs to its next wait exactly as it would between real events. Same seed, same run.
 */
export class SimScheduler {
  private tasks: Task[] = [];
  private seq = 0;
  // Simulated time starts at a realistic epoch so record timestamps look like real ones.
  private _now = 1_700_000_000_000;
  /** Called after every task, for invariant checks. */
  afterEach: (() => void) | null = null;

  get now(): number {
    return this._now;
  }

  schedule(delayMs: number, owner: string, run: () => void): TimerHandle {
    const task: Task = { time: this._now + Math.max(0, delayMs), seq: this.seq++, owner, run, cancelled: false };
    // Insert keeping (time, seq) order; queues here are small.
    let i = this.tasks.length;
    while (i > 0 && this.tasks[i - 1].time > task.time) i--;
    this.tasks.splice(i, 0, task);
    return { cancel: () => { task.cancelled = true; } };
  }

  /** Cancels every pending task of an owner: a killed node's timers die with it. */
  cancelOwner(owner: string): void {
    for (const task of this.tasks) if (task.owner === owner) task.cancelled = true;
  }

  clockFor(owner: string): Clock {
    return { now: () => this._now, setTimer: (delayMs, callback) => this.schedule(delayMs, owner, callback) };
  }

  /** Runs tasks until simulated time reaches `time`. */
  async runUntil(time: number): Promise<void> {
    await settle();
    while (await this.step(time));
    this._now = Math.max(this._now, time);
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(this._now + ms);
  }

  /** Runs until `condition` holds, checking after every task; fails after `timeoutMs` of simulated time. */
  async runUntilTrue(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    const deadline = this._now + timeoutMs;
    await settle();
    while (!condition()) {
      if (!(await this.step(deadline))) throw new Error(`${what} not reached within ${timeoutMs} ms of simulated time (now ${this._now})`);
    }
  }

  /** Runs the next task due by `limit` (a cancelled one is skipped silently); false when none is. */
  private async step(limit: number): Promise<boolean> {
    const next = this.tasks[0];
    if (!next || next.time > limit) return false;
    this.tasks.shift();
    if (next.cancelled) return true;
    this._now = next.time;
    next.run();
    await settle();
    this.afterEach?.();
    return true;
  }

  /** Awaits a promise while advancing simulated time, for driving clients from a test. */
  async await<T>(promise: Promise<T>, timeoutMs = 120_000, what = 'operation'): Promise<T> {
    let done = false;
    let value: T | undefined;
    let failure: unknown;
    promise.then((v) => { done = true; value = v; }, (e) => { done = true; failure = e; });
    await this.runUntilTrue(() => done, timeoutMs, what);
    if (failure !== undefined) throw failure;
    return value as T;
  }
}

/** Lets every queued promise continuation run (a macrotask turn drains all microtasks). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
