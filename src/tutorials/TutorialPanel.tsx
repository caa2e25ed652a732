import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { usePlayground } from '../ui/context';
import { TUTORIALS } from './content';
import {
  PROGRESS_KEY, StepRun, canGoNext, closeTutorial, goBack, goNext, isLastStep, openTutorial, parseProgress, resetProgress,
  restartTutorial, serializeProgress, tutorialStatus, type Progress,
} from './engine';
import type { ActionTools, Step, Tutorial, TutorialApi } from './types';
import './tutorials.css';

/** How often, in wall milliseconds, the step's condition is checked on the live cluster. */
const CHECK_INTERVAL_MS = 250;

function loadProgress(tutorials: readonly Tutorial[]): Progress {
  try {
    return parseProgress(localStorage.getItem(PROGRESS_KEY), tutorials);
  } catch {
    // No storage (a privacy mode): progress lives as long as the page.
    return parseProgress(null, tutorials);
  }
}

function saveProgress(progress: Progress): void {
  try {
    localStorage.setItem(PROGRESS_KEY, serializeProgress(progress));
  } catch {
    // As above: nothing to keep it in.
  }
}

const paragraphs = (text: string) => text.split(/\n\n+/).map((p, i) => <p key={i}>{p}</p>);

type ActionState = { kind: 'idle' } | { kind: 'running' } | { kind: 'ran' } | { kind: 'failed'; message: string };

/**
 * The guided tutorials: a list with each one's progress, and the open tutorial's current step,
 * its "do it for me" action (run through the playground's API on the real cluster), what it is
 * waiting for on the cluster, and Back / Next (unlocked once the step's condition has held).
 * Progress is kept in localStorage and restored on the next visit.
 */
export function TutorialPanel({ tutorials = TUTORIALS }: { tutorials?: readonly Tutorial[] }) {
  const playground = usePlayground();
  const api: TutorialApi = useMemo(() => playground.api(), [playground]);
  const [progress, setProgress] = useState<Progress>(() => loadProgress(tutorials));
  const update = useCallback((change: (p: Progress) => Progress) => {
    setProgress((p) => {
      const next = change(p);
      if (next !== p) saveProgress(next);
      return next;
    });
  }, []);

  const tutorial = progress.current ? tutorials.find((t) => t.id === progress.current) ?? null : null;
  const stepIndex = tutorial ? progress.tutorials[tutorial.id]?.step ?? 0 : -1;
  const step: Step | null = tutorial ? tutorial.steps[stepIndex] ?? null : null;
  const stepKey = tutorial && step ? `${tutorial.id}/${step.id}` : null;

  // The step's run: the cluster when it began, the events since, and its condition checked.
  const [doneFor, setDoneFor] = useState<string | null>(null);
  const [conditionError, setConditionError] = useState<string | null>(null);
  const [action, setAction] = useState<ActionState>({ kind: 'idle' });
  const [announcement, setAnnouncement] = useState('');
  const [finished, setFinished] = useState<Tutorial | null>(null);
  const panelRef = useRef<HTMLElement>(null);
  const shownStep = useRef<string | null>(null);
  shownStep.current = stepKey;
  const stepHeadingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setAction({ kind: 'idle' });
    setConditionError(null);
    if (!tutorial || !step || !stepKey) return;
    // Keyboard users stay in the panel: a new step takes the focus the Next or Back button had.
    if (panelRef.current?.contains(document.activeElement) && document.activeElement !== document.body) stepHeadingRef.current?.focus();
    const run = new StepRun(tutorial.id, stepIndex, playground.describe());
    const unsubscribe = playground.onEvents((events) => run.observe(events));
    const check = () => {
      const done = run.check(step, playground.describe());
      setConditionError(run.error);
      if (done) {
        setDoneFor(stepKey);
        setAnnouncement(`Step ${stepIndex + 1} done: ${step.title}. ${isLastStep(progress, tutorial) ? 'Finish' : 'Next'} is unlocked.`);
        window.clearInterval(timer);
      }
    };
    const timer = window.setInterval(check, CHECK_INTERVAL_MS);
    check();
    return () => {
      window.clearInterval(timer);
      unsubscribe();
    };
    // A new run for each step shown (stepKey names it); progress is read for the announcement only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stepKey, playground]);

  const tools: ActionTools = useMemo(() => ({
    until: (what, check, timeoutMs = 60_000) => new Promise<void>((resolve, reject) => {
      // Cluster milliseconds become more wall time at slower speeds.
      const wallTimeout = timeoutMs / Math.min(1, Math.max(0.05, playground.host.speed));
      const started = Date.now();
      const poll = () => {
        try {
          if (check(playground.describe())) return resolve();
        } catch (error) {
          return reject(error);
        }
        if (Date.now() - started > wallTimeout) return reject(new Error(`timed out waiting for ${what}`));
        window.setTimeout(poll, 100);
      };
      poll();
    }),
  }), [playground]);

  const stepDone = stepKey !== null && doneFor === stepKey;
  // The button's name starts with what it shows, then says what it does.
  const actionText = action.kind === 'running' ? 'Working…' : action.kind === 'ran' ? 'Do it again' : 'Do it for me';

  const doIt = async () => {
    if (!step?.action?.run) return;
    const key = stepKey;
    // An action still running when the learner moves on reports to nobody.
    const report = (state: ActionState) => { if (shownStep.current === key) setAction(state); };
    report({ kind: 'running' });
    try {
      await step.action.run(api, tools);
      report({ kind: 'ran' });
    } catch (error) {
      report({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const next = () => {
    if (!tutorial) return;
    if (isLastStep(progress, tutorial) && canGoNext(progress, tutorial, stepDone)) {
      setFinished(tutorial);
      setAnnouncement(`Tutorial finished: ${tutorial.title}.`);
    }
    update((p) => goNext(p, tutorial, stepDone));
  };

  return (
    <section className="panel tutorials-panel" aria-labelledby="tutorials-title" ref={panelRef}>
      <div className="panel-head">
        <h2 id="tutorials-title">Tutorials</h2>
      </div>
      <div className="sr-only" aria-live="polite" role="status">{announcement}</div>
      {tutorial && step ? (
        <div className="tutorial">
          <h3 id="tutorial-title">{tutorial.title}</h3>
          <ol className="tutorial-steps" aria-label="Steps">
            {tutorial.steps.map((s, i) => {
              const reached = progress.tutorials[tutorial.id]?.reached ?? 0;
              const state = i === stepIndex ? 'current' : i < stepIndex || i < reached ? 'done' : 'locked';
              return <li key={s.id} className={`tutorial-dot is-${state}`} aria-current={i === stepIndex ? 'step' : undefined} title={s.title}><span className="sr-only">{`Step ${i + 1}: ${s.title} (${state})`}</span></li>;
            })}
          </ol>
          <h4 className="tutorial-step-title" ref={stepHeadingRef} tabIndex={-1}>{`Step ${stepIndex + 1} of ${tutorial.steps.length}: ${step.title}`}</h4>
          <div className="tutorial-text">{paragraphs(step.text)}</div>
          {step.action && (
            <div className="tutorial-action">
              <span className="tutorial-action-label"><span className="muted">Your move: </span>{step.action.label}</span>
              {step.action.run && (
                <button type="button" className={stepDone ? undefined : 'primary'} onClick={() => void doIt()} disabled={action.kind === 'running'}
                  aria-label={`${actionText}: ${step.action.label}`}>
                  {actionText}
                </button>
              )}
            </div>
          )}
          {action.kind === 'failed' && <p className="tutorial-error" role="alert">{`The action failed: ${action.message}`}</p>}
          <p className={`tutorial-status ${stepDone ? 'is-done' : 'is-waiting'}`} data-testid="tutorial-status">
            {stepDone ? <><strong>Done:</strong> {step.waitingFor}</> : <><strong>Waiting for:</strong> {step.waitingFor}</>}
          </p>
          {conditionError && <p className="tutorial-error" role="alert">{`This step's condition failed: ${conditionError}`}</p>}
          <div className="tutorial-nav">
            <button type="button" onClick={() => update((p) => goBack(p, tutorial))} disabled={stepIndex === 0}>Back</button>
            <button type="button" className="primary" onClick={next} disabled={!canGoNext(progress, tutorial, stepDone)}>
              {isLastStep(progress, tutorial) ? 'Finish' : 'Next'}
            </button>
            <span className="spacer" />
            <button type="button" onClick={() => update((p) => closeTutorial(p))}>All tutorials</button>
          </div>
          <details className="tutorial-real-details">
            <summary>In real Kafka</summary>
            <RealKafkaBody tutorial={tutorial} />
          </details>
        </div>
      ) : (
        <>
          {finished && <RealKafka tutorial={finished} onClose={() => setFinished(null)} />}
          <TutorialList tutorials={tutorials} progress={progress}
            onOpen={(t) => { setFinished(null); update((p) => openTutorial(p, t)); }}
            onRestart={(t) => { setFinished(null); update((p) => restartTutorial(p, t)); }} />
          <div className="tutorial-nav">
            <span className="spacer" />
            <button type="button" onClick={() => { setFinished(null); update(() => resetProgress()); }}>Reset progress</button>
          </div>
        </>
      )}
    </section>
  );
}

function TutorialList({ tutorials, progress, onOpen, onRestart }: {
  tutorials: readonly Tutorial[]; progress: Progress; onOpen: (t: Tutorial) => void; onRestart: (t: Tutorial) => void;
}) {
  return (
    <ul className="tutorial-list" aria-label="Tutorials">
      {tutorials.map((t) => {
        const status = tutorialStatus(progress, t);
        const label = status.kind === 'unavailable' ? 'Not available yet'
          : status.kind === 'completed' ? 'Completed'
            : status.kind === 'in-progress' ? `Step ${status.step + 1} of ${status.of}${status.completed ? ' (completed before)' : ''}`
              : 'Not started';
        const verb = status.kind === 'in-progress' ? 'Continue' : status.kind === 'completed' ? 'Open again' : 'Start';
        return (
          <li key={t.id} className={`tutorial-item is-${status.kind}`} aria-labelledby={`tutorial-${t.id}`}>
            <div className="tutorial-item-head">
              <h3 id={`tutorial-${t.id}`}>{t.title}</h3>
              <span className={`tutorial-badge is-${status.kind}`}>{label}</span>
              {status.kind !== 'unavailable' && (
                <>
                  {status.kind === 'in-progress' && status.step > 0 && (
                    <button type="button" className="small" onClick={() => onRestart(t)} aria-label={`Start over: ${t.title}`}>Start over</button>
                  )}
                  <button type="button" className="small" onClick={() => onOpen(t)} aria-label={`${verb}: ${t.title}`}>{verb}</button>
                </>
              )}
            </div>
            <p className="tutorial-summary">{t.summary}</p>
            {status.kind === 'unavailable' && (
              <>
                <p className="tutorial-unavailable muted">{status.reason}</p>
                <details className="tutorial-real-details">
                  <summary>In real Kafka</summary>
                  <RealKafkaBody tutorial={t} />
                </details>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** "What you just saw, in real Kafka", shown when a tutorial is finished. */
function RealKafka({ tutorial, onClose }: { tutorial: Tutorial; onClose: () => void }) {
  return (
    <div className="tutorial-real" role="region" aria-labelledby="tutorial-real-title">
      <h3 id="tutorial-real-title">{`${tutorial.title}: what you just saw, in real Kafka`}</h3>
      <RealKafkaBody tutorial={tutorial} />
      <button type="button" onClick={onClose}>Close</button>
    </div>
  );
}

function RealKafkaBody({ tutorial }: { tutorial: Tutorial }) {
  return (
    <>
      <p>{tutorial.realKafka.text}</p>
      <table className="tutorial-configs">
        <caption className="sr-only">Kafka configs and their defaults</caption>
        <thead><tr><th scope="col">Config</th><th scope="col">Kafka's default</th><th scope="col">Note</th></tr></thead>
        <tbody>
          {tutorial.realKafka.configs.map((c) => (
            <tr key={c.name}><th scope="row"><code>{c.name}</code></th><td><code>{c.default}</code></td><td>{c.note}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
