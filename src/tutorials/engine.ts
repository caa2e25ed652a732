/**
 * The tutorials' engine, pure: which step the learner is on, which steps are unlocked, the
 * progress kept across reloads, and a step's condition evaluated on a cluster description and
 * the events seen since the step began. No DOM, no timers: the panel feeds it.
 */
import type { ClusterEvent } from '../cluster/events';
import type { ClusterDescription } from '../store/selectors';
import type { Step, StepContext, Tutorial } from './types';

// ---- Progress ---------------------------------------------------------------------------

/** localStorage key, under the project's prefix like every key and database it owns. */
export const PROGRESS_KEY = 'kafka-playground:tutorials';

export interface TutorialProgress {
  /** The step shown. */
  step: number;
  /** The furthest step reached: every step before it was done. */
  reached: number;
}

export interface Progress {
  /** The tutorial open in the panel; null shows the list. */
  current: string | null;
  tutorials: Record<string, TutorialProgress>;
  /** Tutorials finished at least once, in the order they were finished. */
  completed: string[];
}

export const emptyProgress = (): Progress => ({ current: null, tutorials: {}, completed: [] });

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Progress read back from storage, checked against the tutorials that exist now: unknown ids
 * are dropped, step indexes clamped to the tutorial's steps, anything malformed forgotten.
 */
export function parseProgress(raw: string | null, tutorials: readonly Tutorial[]): Progress {
  if (!raw) return emptyProgress();
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return emptyProgress();
  }
  if (typeof data !== 'object' || data === null) return emptyProgress();
  const o = data as Partial<Record<keyof Progress, unknown>>;
  const byId = new Map(tutorials.filter((t) => !t.unavailable).map((t) => [t.id, t]));
  const progress = emptyProgress();
  if (typeof o.tutorials === 'object' && o.tutorials !== null) {
    for (const [id, value] of Object.entries(o.tutorials as Record<string, unknown>)) {
      const tutorial = byId.get(id);
      const v = value as Partial<TutorialProgress> | null;
      if (!tutorial || !v || !isIndex(v.step) || !isIndex(v.reached)) continue;
      const last = tutorial.steps.length - 1;
      const reached = Math.min(v.reached, last);
      progress.tutorials[id] = { step: Math.min(v.step, reached), reached };
    }
  }
  if (Array.isArray(o.completed)) {
    progress.completed = [...new Set(o.completed.filter((id): id is string => typeof id === 'string' && byId.has(id)))];
  }
  if (typeof o.current === 'string' && byId.has(o.current)) progress.current = o.current;
  return progress;
}

export const serializeProgress = (progress: Progress): string => JSON.stringify(progress);

/** Where a tutorial stands, for the list. */
export type TutorialStatus =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'not-started' }
  /** `completed`: it was finished before, and is being walked again. */
  | { kind: 'in-progress'; step: number; of: number; completed: boolean }
  | { kind: 'completed' };

export function tutorialStatus(progress: Progress, tutorial: Tutorial): TutorialStatus {
  if (tutorial.unavailable) return { kind: 'unavailable', reason: tutorial.unavailable };
  const at = progress.tutorials[tutorial.id];
  const completed = progress.completed.includes(tutorial.id);
  if (at && (at.reached > 0 || progress.current === tutorial.id)) return { kind: 'in-progress', step: at.step, of: tutorial.steps.length, completed };
  return completed ? { kind: 'completed' } : { kind: 'not-started' };
}

/** Opens a tutorial where the learner left it (or at its first step). */
export function openTutorial(progress: Progress, tutorial: Tutorial): Progress {
  if (tutorial.unavailable) return progress;
  return {
    ...progress, current: tutorial.id,
    tutorials: { ...progress.tutorials, [tutorial.id]: progress.tutorials[tutorial.id] ?? { step: 0, reached: 0 } },
  };
}

/** Back to the list; the tutorial keeps its place. */
export const closeTutorial = (progress: Progress): Progress => ({ ...progress, current: null });

/** Starts a tutorial over from its first step. */
export function restartTutorial(progress: Progress, tutorial: Tutorial): Progress {
  return { ...progress, current: tutorial.id, tutorials: { ...progress.tutorials, [tutorial.id]: { step: 0, reached: 0 } } };
}

export const resetProgress = (): Progress => emptyProgress();

const placeOf = (progress: Progress, tutorial: Tutorial): TutorialProgress => progress.tutorials[tutorial.id] ?? { step: 0, reached: 0 };

/** A step before the furthest reached was done already; the furthest needs its condition. */
export function canGoNext(progress: Progress, tutorial: Tutorial, stepDone: boolean): boolean {
  const { step, reached } = placeOf(progress, tutorial);
  return step < reached || stepDone;
}

export const isLastStep = (progress: Progress, tutorial: Tutorial): boolean => placeOf(progress, tutorial).step === tutorial.steps.length - 1;

/**
 * Next: the following step, unlocked once this one is done. Past the last step the tutorial is
 * completed, and starts over from the top the next time it is opened.
 */
export function goNext(progress: Progress, tutorial: Tutorial, stepDone: boolean): Progress {
  if (!canGoNext(progress, tutorial, stepDone)) return progress;
  const { step, reached } = placeOf(progress, tutorial);
  if (step >= tutorial.steps.length - 1) {
    return {
      current: null,
      tutorials: { ...progress.tutorials, [tutorial.id]: { step: 0, reached: 0 } },
      completed: progress.completed.includes(tutorial.id) ? progress.completed : [...progress.completed, tutorial.id],
    };
  }
  return { ...progress, tutorials: { ...progress.tutorials, [tutorial.id]: { step: step + 1, reached: Math.max(reached, step + 1) } } };
}

export function goBack(progress: Progress, tutorial: Tutorial): Progress {
  const { step, reached } = placeOf(progress, tutorial);
  if (step === 0) return progress;
  return { ...progress, tutorials: { ...progress.tutorials, [tutorial.id]: { step: step - 1, reached } } };
}

// ---- A step's run on the live cluster ----------------------------------------------------

/**
 * The events a condition may look at. The message traffic (every Fetch and its response), the
 * offsets each replica reports and the metadata each broker applies are left out: they come by
 * the thousand, and describe() already carries the state they build.
 */
export const KEPT_EVENTS: ReadonlySet<ClusterEvent['type']> = new Set<ClusterEvent['type']>([
  'node-spawned', 'node-killed', 'node-started', 'log-recovered', 'cluster-reset', 'network-changed',
  'log-append', 'log-truncated', 'isr-change', 'leader-election', 'request-rejected', 'producer-id',
  'metadata-record', 'quorum-state', 'group-state', 'consumer-rebalance', 'offset-commit',
  'client-started', 'client-stopped', 'client-killed', 'producer-sent', 'consumer-processed',
]);

/** The most events a step keeps; beyond, the oldest go. */
export const MAX_STEP_EVENTS = 10_000;

/**
 * One step being worked on: the cluster when it began, the events since, and whether its
 * condition has held. Once done it stays done (the cluster moves on: a group that was Stable may
 * rebalance again), so Next does not flicker.
 */
export class StepRun {
  readonly events: ClusterEvent[] = [];
  done = false;
  /** The condition threw: a bug in the tutorial, shown rather than hidden. */
  error: string | null = null;

  constructor(readonly tutorialId: string, readonly stepIndex: number, readonly start: ClusterDescription) {}

  observe(events: readonly ClusterEvent[]): void {
    for (const event of events) if (KEPT_EVENTS.has(event.type)) this.events.push(event);
    if (this.events.length > MAX_STEP_EVENTS) this.events.splice(0, this.events.length - MAX_STEP_EVENTS);
  }

  /** Evaluates the step's condition on `cluster` (now); returns whether the step is done. */
  check(step: Step, cluster: ClusterDescription): boolean {
    if (this.done) return true;
    const ctx: StepContext = { cluster, start: this.start, events: this.events };
    try {
      this.done = step.done(ctx);
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    return this.done;
  }
}
