import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { usePlayground, usePlaygroundStatus } from '../ui/context';
import { applyScenario, type ScenarioProgress } from './apply';
import { checkSharedScenario, scenarioFromJson, scenarioParam, scenarioToJson, type SharedScenarioCheck } from './codec';
import { copyScenarioLink } from './shareLink';
import type { Scenario } from './scenario';
import { scenarioFromCluster, summarizeScenario } from './summary';
import './scenario.css';

type BuildState =
  | { kind: 'idle' }
  | { kind: 'building'; lines: ScenarioProgress[] }
  | { kind: 'built'; lines: ScenarioProgress[] }
  | { kind: 'failed'; lines: ScenarioProgress[]; message: string };

/** Builds a scenario through window.playground's API, with its progress; one build at a time. */
function useScenarioBuild() {
  const playground = usePlayground();
  const api = useMemo(() => playground.api(), [playground]);
  const [state, setState] = useState<BuildState>({ kind: 'idle' });
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const build = useCallback(async (scenario: Scenario) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const lines: ScenarioProgress[] = [];
    setState({ kind: 'building', lines: [] });
    try {
      await applyScenario(api, scenario, {
        signal: abort.signal,
        now: () => playground.host.now(),
        onProgress: (p) => {
          lines.push(p);
          setState({ kind: 'building', lines: [...lines] });
        },
      });
      setState({ kind: 'built', lines: [...lines] });
    } catch (error) {
      setState({ kind: 'failed', lines: [...lines], message: (error as Error)?.name === 'AbortError' ? 'Stopped.' : String((error as Error)?.message ?? error) });
    }
  }, [api, playground]);
  const stop = useCallback(() => controller.current?.abort(), []);
  return { state, build, stop };
}

function Progress({ state, onStop }: { state: BuildState; onStop: () => void }) {
  if (state.kind === 'idle') return null;
  return (
    <div className="scenario-progress">
      <ol className="small" aria-label="Build progress">
        {state.lines.map((line, i) => (
          <li key={i} className={'error' in line && line.error ? 'error' : ''}>
            {line.phase === 'fault' ? `at ${(line.at / 1000).toFixed(1)} s: ${line.text}${line.error ? ` — could not: ${line.error}` : ''}` : line.text}
          </li>
        ))}
      </ol>
      {state.kind === 'building' && <button type="button" className="small-button kill" onClick={onStop}>Stop the schedule</button>}
      {state.kind === 'built' && <p className="result ok" role="status">Scenario built.</p>}
      {state.kind === 'failed' && <p className="result error" role="alert">Could not build it: {state.message}</p>}
    </div>
  );
}

/** What a scenario will build, before anything is built. */
export function ScenarioSummary({ scenario }: { scenario: Scenario }) {
  const summary = summarizeScenario(scenario);
  return (
    <div className="scenario-summary">
      {scenario.name && <p className="scenario-name">{scenario.name}</p>}
      <p><span className="muted">Cluster: </span>{summary.cluster}</p>
      <p className="muted">Topics</p>
      {summary.topics.length > 0 ? <ul>{summary.topics.map((t, i) => <li key={i}>{t}</li>)}</ul> : <p className="small">none</p>}
      <p className="muted">Client applications</p>
      {summary.clients.length > 0 ? <ul>{summary.clients.map((c, i) => <li key={i}>{c}</li>)}</ul> : <p className="small">none</p>}
      <p className="muted">Faults, on the cluster clock after the clients start</p>
      {summary.faults.length > 0 ? <ol>{summary.faults.map((f, i) => <li key={i}>{f}</li>)}</ol> : <p className="small">none</p>}
    </div>
  );
}

/** The page's hash, re-read when it changes. */
function useSharedScenario(): [SharedScenarioCheck, () => void] {
  const [check, setCheck] = useState<SharedScenarioCheck>({ kind: 'none' });
  useEffect(() => {
    let live = true;
    const read = () => void checkSharedScenario(window.location).then((result) => { if (live) setCheck(result); });
    read();
    window.addEventListener('hashchange', read);
    return () => { live = false; window.removeEventListener('hashchange', read); };
  }, []);
  const dismiss = useCallback(() => {
    // Drop the scenario from the address without reloading or adding a history entry.
    const hash = window.location.hash;
    const param = scenarioParam(hash);
    const rest = param === null ? hash : hash.replace(/^#/, '').split('&').filter((part) => !part.startsWith('s=')).join('&');
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest ? `#${rest.replace(/^#/, '')}` : ''}`);
    setCheck({ kind: 'none' });
  }, []);
  return [check, dismiss];
}

/**
 * The offer a shared link makes: what the scenario in the URL hash would build, and a button
 * to build it. Nothing is built until that click. Renders nothing without a scenario in the hash.
 */
export function SharedScenarioBanner() {
  const [check, dismiss] = useSharedScenario();
  const running = usePlaygroundStatus().kind === 'running';
  const { state, build, stop } = useScenarioBuild();
  if (check.kind === 'none') return null;
  if (check.kind === 'error') {
    return (
      <section className="panel scenario-banner scenario-banner-error" role="region" aria-label="Shared scenario">
        <h2>This link&apos;s scenario cannot be opened</h2>
        <p className="result error" role="alert">{check.message}</p>
        <button type="button" onClick={dismiss}>Dismiss</button>
      </section>
    );
  }
  return (
    <section className="panel scenario-banner" role="region" aria-label="Shared scenario">
      <h2>A shared scenario</h2>
      <p className="intro">Someone sent you this scenario. Building it replaces the current cluster with a fresh one; nothing happens until you click.</p>
      <ScenarioSummary scenario={check.scenario} />
      <div className="row">
        <button type="button" className="primary" onClick={() => void build(check.scenario)} disabled={!running || state.kind === 'building'}>Build this scenario</button>
        <button type="button" onClick={dismiss} disabled={state.kind === 'building'}>Dismiss</button>
      </div>
      <Progress state={state} onStop={stop} />
    </section>
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Scenarios as files and links: export the cluster as it stands (shape, topics and configs,
 * client applications) as JSON or a link, and import a .json scenario, shown first and built on a click.
 */
export function ScenarioPanel() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const ids = useId();
  const { state, build, stop } = useScenarioBuild();
  const [imported, setImported] = useState<Scenario | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [link, setLink] = useState<string | null>(null);

  const current = () => scenarioFromCluster(playground.describe(), 'Exported from the playground');

  const exportJson = () => {
    setMessage(null);
    try {
      download('kafka-playground-scenario.json', scenarioToJson(current()));
      setMessage({ ok: true, text: 'Exported the cluster as kafka-playground-scenario.json.' });
    } catch (error) {
      setMessage({ ok: false, text: `Could not export: ${(error as Error).message}` });
    }
  };

  const copyLink = async () => {
    setMessage(null);
    try {
      const { url, copied } = await copyScenarioLink(current());
      setLink(url);
      setMessage({ ok: true, text: copied ? 'Link copied.' : 'Copy the link below.' });
    } catch (error) {
      setMessage({ ok: false, text: `Could not make a link: ${(error as Error).message}` });
    }
  };

  const importFile = async (file: File | undefined) => {
    setMessage(null);
    setImported(null);
    if (!file) return;
    try {
      setImported(scenarioFromJson(await file.text(), file.name));
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
    }
  };

  return (
    <section className="panel scenario-panel" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Scenarios</h2>
      <p className="intro">A scenario is a cluster&apos;s shape, its topics and configs, its client applications and a schedule of faults. Save one as JSON, or share it as a link.</p>
      <div className="row">
        <button type="button" onClick={exportJson} disabled={!running} title="The cluster's shape, topics with their configs and running client applications, as a .json file">Export as JSON</button>
        <button type="button" onClick={() => void copyLink()} disabled={!running} title="A link that rebuilds this cluster's shape, topics and client applications">Copy a link</button>
        <label className="scenario-import">
          <span>Import a scenario (.json)</span>
          <input type="file" accept=".json,application/json" onChange={(e) => { void importFile(e.currentTarget.files?.[0]); e.currentTarget.value = ''; }} />
        </label>
      </div>
      {message && <p className={`result ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {link && <input className="share-link" readOnly value={link} aria-label="Link to this scenario" onFocus={(e) => e.currentTarget.select()} />}
      {imported && (
        <div className="scenario-imported" role="region" aria-label="Imported scenario">
          <ScenarioSummary scenario={imported} />
          <div className="row">
            <button type="button" className="primary" onClick={() => void build(imported)} disabled={!running || state.kind === 'building'}>Build this scenario</button>
            <button type="button" onClick={() => setImported(null)} disabled={state.kind === 'building'}>Discard</button>
          </div>
        </div>
      )}
      <Progress state={state} onStop={stop} />
    </section>
  );
}
