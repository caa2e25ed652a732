/**
 * KafkaJS's retry policy: exponential backoff with jitter. The first wait is initialRetryTime
 * ± factor, each next one multiplier times the previous (± factor again), capped at maxRetryTime;
 * after `retries` retries the last error is thrown. Jitter comes from the Random port and the
 * waiting from the Clock port, so a seeded simulation replays the same waits.
 */
import type { Clock, Random } from '../ports';
import { isRetriableError } from './errors';

export interface RetryOptions {
  retries?: number;
  initialRetryTime?: number;
  maxRetryTime?: number;
  factor?: number;
  multiplier?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 };

export function retryPolicy(...layers: (RetryOptions | undefined)[]): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(DEFAULT_RETRY) as (keyof RetryPolicy)[]) {
      const value = layer[key];
      if (typeof value === 'number' && Number.isFinite(value)) policy[key] = value;
    }
  }
  return policy;
}

/** Successive backoff times of one retried operation. */
export class Backoff {
  private last: number | null = null;
  constructor(private readonly policy: RetryPolicy, private readonly random: Random) {}

  private jitter(time: number): number {
    const delta = this.policy.factor * time;
    return Math.ceil(time - delta + this.random.next() * 2 * delta);
  }

  next(): number {
    const base = this.last === null ? this.policy.initialRetryTime : this.last * this.policy.multiplier;
    this.last = Math.min(this.jitter(base), this.policy.maxRetryTime);
    return this.last;
  }

  reset(): void {
    this.last = null;
  }
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(Math.max(0, ms), resolve));
}

export interface RetryContext {
  clock: Clock;
  random: Random;
  policy: RetryPolicy;
  /** Which errors to retry; defaults to isRetriableError. */
  shouldRetry?: (error: unknown) => boolean;
  /** Runs after the backoff wait and before the next attempt (a metadata refresh, a new coordinator). */
  beforeRetry?: (error: unknown, attempt: number) => Promise<void> | void;
  /** Checked before each retry: a stopped client gives up at once. */
  cancelled?: () => boolean;
}

/** Runs `operation` until it succeeds, retrying retriable errors per the policy. */
export async function withRetry<T>(context: RetryContext, operation: (attempt: number) => Promise<T>): Promise<T> {
  const backoff = new Backoff(context.policy, context.random);
  const shouldRetry = context.shouldRetry ?? isRetriableError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= context.policy.retries || !shouldRetry(error) || context.cancelled?.()) {
        if (error && typeof error === 'object' && attempt > 0) Object.assign(error, { retryCount: attempt });
        throw error;
      }
      await sleep(context.clock, backoff.next());
      if (context.cancelled?.()) throw error;
      await context.beforeRetry?.(error, attempt + 1);
    }
  }
}
