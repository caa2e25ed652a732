import { useEffect, useMemo, useRef, useState } from 'react';
import { usePlayground, usePlaygroundStatus } from '../ui/context';
import { copyScenarioLink } from '../scenario/shareLink';
import { EXPERIMENTS } from './experiments';
import type { Experiment, Outcome, Variant } from './model';
import { runExperiment, type RunProgress } from './runner';
import { experimentScenario } from './share';
import type { Counters } from './ledger';
import './experiments.css';

const OUTCOME_TEXT: Record<Outcome, string> = { proved: 'Proved', refuted: 'Refuted', 'not-reproduced': 'Not reproduced this time' };

const STATUS_MARK: Record<string, string> = { pending: '○', running: '◔', done: '●', 'not-met': '◌', failed: '✕' };
const STATUS_TEXT: Record<string, string> = { pending: 'to do', running: 'running', done: 'done', 'not-met': 'did not happen', failed: 'failed' };

function CounterList({ counters, label, consumer }: { counters: Counters | null; label: string; consumer: boolean }) {
  const show = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));
  const rows: [string, string, number | null | undefined, string][] = [
    ['acknowledged', 'Acknowledged', counters?.acknowledged, 'Records the producer was told are written'],
    // Read experiments deliver when the log is read at the end; until then there is nothing to show.
    ['delivered', 'Delivered', !consumer && counters?.lost === null ? null : counters?.delivered, consumer ? 'Distinct records the consumers processed' : 'Distinct records read back from the log at the end'],
    ['lost', 'Lost', counters?.lost, 'Acknowledged and never delivered (known once the log has been read)'],
    ['duplicated', 'Duplicated', counters?.duplicated, 'Records delivered at two offsets or more: written twice'],
  ];
  if (consumer) rows.push(['reprocessed', 'Reprocessed', counters?.reprocessed, 'Offsets processed more than once']);
  rows.push(['failed', 'Failed sends', counters?.failed, 'Sends that failed for good (by Kafka error below)']);
  return (
    <dl className="experiment-counters" aria-label={`Counters: ${label}`}>
      {rows.map(([key, name, value, title]) => (
        <div key={key} className={`counter counter-${key}${key === 'lost' && (value ?? 0) > 0 ? ' counter-bad' : ''}${key === 'duplicated' && (value ?? 0) > 0 ? ' counter-warn' : ''}`} title={title}>
          <dt>{name}</dt>
          <dd data-counter={key}>{show(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ShareButton({ experiment, variant }: { experiment: Experiment; variant: Variant }) {
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const share = async () => {
    setNote(null);
    try {
      const { url, copied } = await copyScenarioLink(experimentScenario(experiment, variant));
      setLink(url);
      setNote(copied ? 'Link copied.' : 'Copy the link below.');
    } catch (error) {
      setNote(`Could not make a link: ${(error as Error).message}`);
    }
  };
  const label = experiment.variants.length > 1 ? `Share (${variant.label})` : 'Share this scenario';
  return (
    <span className="experiment-share">
      <button type="button" className="small-button" onClick={share} aria-label={`Share ${experiment.title}${experiment.variants.length > 1 ? ` (${variant.label})` : ''}`}
        title="A link that rebuilds this experiment's cluster, topic, clients and faults (the one who opens it clicks to build)">
        {label}
      </button>
      {note && <span className="small muted" role="status">{note}</span>}
      {link && <input className="share-link" readOnly value={link} aria-label={`Link to ${experiment.title}${experiment.variants.length > 1 ? ` (${variant.label})` : ''}`} onFocus={(e) => e.currentTarget.select()} />}
    </span>
  );
}

function ExperimentCard({ experiment, busy, onRun, progress, onStop }: {
  experiment: Experiment; busy: boolean; progress: RunProgress | null; onRun: () => void; onStop: () => void;
}) {
  const running = progress !== null && progress.verdict === null;
  const verdict = progress?.verdict ?? null;
  const consumer = experiment.delivery === 'consumer';
  return (
    <article className={`experiment${running ? ' experiment-running' : ''}`} aria-label={experiment.title}>
      <header className="experiment-head">
        <h3>{experiment.title}</h3>
        {running
          ? <button type="button" className="kill" onClick={onStop} aria-label={`Stop ${experiment.title}`}>Stop</button>
          : <button type="button" onClick={onRun} disabled={busy} aria-label={`Run ${experiment.title}`} title="Resets the cluster and runs the experiment on it">Run</button>}
      </header>
      <p className="experiment-claim"><span className="muted">Claim: </span>{experiment.claim}</p>
      {verdict && (
        <p className={`experiment-verdict verdict-${verdict.outcome}`} role="status" aria-label={`Verdict: ${experiment.title}`} data-outcome={verdict.outcome}>
          <strong>{OUTCOME_TEXT[verdict.outcome]}.</strong> {verdict.why}
        </p>
      )}
      {progress && (
        <div className="experiment-run">
          {running && <p className="experiment-now small" aria-live="polite">{progress.now}</p>}
          {experiment.variants.map((variant, v) => (
            <div key={variant.id} className="experiment-variant">
              {experiment.variants.length > 1 && <h4>{variant.label}</h4>}
              <CounterList counters={progress.counters[v] ?? null} label={variant.label} consumer={consumer} />
              {(() => {
                const r = progress.results[v];
                const errors = r ? Object.entries(r.errors) : [];
                return errors.length > 0 && <p className="small muted">Failed sends: {errors.map(([k, n]) => <span key={k}><code>{k}</code> × {n} </span>)}</p>;
              })()}
              <details open={running && progress.variant === v}>
                <summary className="small">Steps</summary>
                <ol className="experiment-steps">
                  {experiment.steps.map((step, i) => {
                    const status = progress.steps[v]?.[i] ?? 'pending';
                    return (
                      <li key={i} className={`step step-${status}`}>
                        <span className="step-mark" aria-label={STATUS_TEXT[status]}>{STATUS_MARK[status]}</span> {step.say}
                      </li>
                    );
                  })}
                </ol>
              </details>
              {progress.results[v]?.error && <p className="result error small">{progress.results[v].error}</p>}
            </div>
          ))}
        </div>
      )}
      <details className="experiment-kafka">
        <summary className="small">In real Kafka</summary>
        <p className="small">{experiment.inKafka}</p>
      </details>
      <div className="experiment-actions">
        {experiment.variants.map((variant) => <ShareButton key={variant.id} experiment={experiment} variant={variant} />)}
      </div>
    </article>
  );
}

/**
 * Ready-made failure experiments: each resets the cluster, runs a real failure through the
 * public API, counts what the producer was told against what consumers got, and judges its claim.
 */
export function ExperimentsPanel() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const api = useMemo(() => playground.api(), [playground]);
  const [active, setActive] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, RunProgress>>({});
  const stopper = useRef<AbortController | null>(null);
  useEffect(() => () => stopper.current?.abort(), []);

  const run = async (experiment: Experiment) => {
    const controller = new AbortController();
    stopper.current = controller;
    setActive(experiment.id);
    try {
      await runExperiment(api, experiment, {
        signal: controller.signal,
        now: () => playground.host.now(),
        onProgress: (p) => setProgress((all) => ({ ...all, [experiment.id]: p })),
      });
    } catch (error) {
      const stopped = (error as Error)?.name === 'AbortError';
      setProgress((all) => {
        const p = all[experiment.id];
        if (!p) return all;
        return { ...all, [experiment.id]: { ...p, verdict: { outcome: 'not-reproduced', why: stopped ? 'Stopped before the end.' : `The run failed: ${(error as Error).message}` } } };
      });
    } finally {
      setActive(null);
      stopper.current = null;
    }
  };

  return (
    <section className="panel experiments-panel" aria-labelledby="experiments-title">
      <h2 id="experiments-title">Experiments</h2>
      <p className="intro">
        Kafka&apos;s failure stories, run for real. Each resets the cluster, produces with the page&apos;s producer, breaks something,
        then reads the log back: <em>acknowledged</em> is what the producer was told, <em>lost</em> what it was told and no consumer ever got.
        Timeouts run on the cluster clock, sped up during a run.
      </p>
      <div className="experiment-list">
        {EXPERIMENTS.map((experiment) => (
          <ExperimentCard key={experiment.id} experiment={experiment} busy={active !== null || !running}
            progress={progress[experiment.id] ?? null}
            onRun={() => void run(experiment)}
            onStop={() => stopper.current?.abort()} />
        ))}
      </div>
    </section>
  );
}
