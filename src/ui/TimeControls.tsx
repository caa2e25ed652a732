import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { DEFAULT_VISUAL_LATENCY_MS, MAX_VISUAL_LATENCY_MS, type StepResult } from '../cluster/clusterHost';
import type { Playground } from '../playground';
import { usePlayground } from './context';
import { plural } from './format';
import './time.css';

/** The speeds the slider stops at. */
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4, 10];

interface TimeState { paused: boolean; speed: number; latency: number }

const TIME_EVENTS = new Set(['time-paused', 'time-resumed', 'time-stepped', 'speed-changed', 'latency-changed', 'cluster-reset']);

/** The host's time settings, re-read whenever it reports a change of them. */
function useTimeState(playground: Playground): TimeState {
  const store = useMemo(() => {
    let snapshot: TimeState = { paused: playground.host.isPaused(), speed: playground.host.speed, latency: playground.host.visualLatency };
    return {
      subscribe: (onChange: () => void) => playground.onEvents((events) => {
        if (!events.some((e) => TIME_EVENTS.has(e.type))) return;
        const host = playground.host;
        const next = { paused: host.isPaused(), speed: host.speed, latency: host.visualLatency };
        if (next.paused === snapshot.paused && next.speed === snapshot.speed && next.latency === snapshot.latency) return;
        snapshot = next;
        onChange();
      }),
      get: () => snapshot,
    };
  }, [playground]);
  return useSyncExternalStore(store.subscribe, store.get);
}

/** The cluster clock (host.now()): it runs at the speed and stands still while paused. */
function ClusterClock({ playground }: { playground: Playground }) {
  const [now, setNow] = useState(() => playground.host.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(playground.host.now()), 100);
    return () => clearInterval(timer);
  }, [playground]);
  const d = new Date(now);
  const text = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}.${Math.floor(d.getMilliseconds() / 100)}`;
  return <span className="time-clock" title="The cluster clock: every node's timers and timestamps run on it">cluster time <span className="time-clock-value">{text}</span></span>;
}

/** While paused, how many messages wait where they arrived (asked of every worker now and then). */
function useHeld(playground: Playground, paused: boolean): number | null {
  const [held, setHeld] = useState<number | null>(null);
  useEffect(() => {
    if (!paused) {
      setHeld(null);
      return undefined;
    }
    let live = true;
    const ask = () => void playground.host.heldMessages().then((n) => { if (live) setHeld(n); }, () => undefined);
    ask();
    const timer = setInterval(ask, 500);
    const off = playground.onEvents((events) => {
      if (events.some((e) => e.type === 'time-stepped')) ask();
    });
    return () => { live = false; clearInterval(timer); off(); };
  }, [playground, paused]);
  return held;
}

/** "0.25×: Kafka's timeouts take 4× longer in wall time". */
export function speedMeaning(speed: number): string {
  if (speed === 1) return 'Kafka\'s timeouts take as long as they say';
  if (speed < 1) return `Kafka's timeouts take ${Number((1 / speed).toFixed(2))}× longer in wall time`;
  return `Kafka's timeouts pass ${speed}× faster than wall time`;
}

/**
 * Play and pause, step one message, the clock's speed and the visual mode. Nothing here is
 * animation: pause stops every node's clock and holds each message where it arrives, a step
 * delivers the oldest held message in the whole cluster, and the speed scales every timeout.
 */
export function TimeControls() {
  const playground = usePlayground();
  const { paused, speed, latency } = useTimeState(playground);
  const held = useHeld(playground, paused);
  const [lastLatency, setLastLatency] = useState(latency > 0 ? latency : DEFAULT_VISUAL_LATENCY_MS);
  const [latencyText, setLatencyText] = useState(String(lastLatency));
  const [stepping, setStepping] = useState(false);
  const [lastStep, setLastStep] = useState<StepResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const index = SPEEDS.reduce((best, s, i) => (Math.abs(s - speed) < Math.abs(SPEEDS[best] - speed) ? i : best), 0);

  const attempt = (action: () => unknown) => {
    setError(null);
    try {
      const result = action();
      if (result instanceof Promise) result.catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const step = () => {
    setStepping(true);
    setError(null);
    playground.host.step().then(setLastStep, (e: unknown) => setError(String(e))).finally(() => setStepping(false));
  };
  const visual = latency > 0;
  const applyLatency = (text: string) => {
    setLatencyText(text);
    const ms = Number(text);
    if (text.trim() === '' || !Number.isFinite(ms) || ms <= 0) return;
    setLastLatency(ms);
    if (visual) attempt(() => playground.host.setVisualLatency(ms));
  };

  return (
    <div className="time-controls" role="group" aria-label="Time">
      <div className="time-row">
        <button type="button" className={paused ? 'time-play' : 'time-pause'} aria-label={paused ? 'Play' : 'Pause'} onClick={() => attempt(() => (paused ? playground.host.resume() : playground.host.pause()))}
          title={paused ? 'Run the cluster clock again and deliver what was held' : 'Stop the cluster clock and hold every message where it arrives'}>
          <span aria-hidden="true">{paused ? '▶' : '❚❚'}</span> {paused ? 'Play' : 'Pause'}
        </button>
        <button type="button" onClick={step} disabled={!paused || stepping}
          title="Deliver the oldest message held anywhere in the cluster (by the time it was sent); with none held, move the clock 50 ms so the timers due run">
          Step one message
        </button>
        <label className="time-speed">
          <span>Speed</span>
          <input type="range" aria-label="Speed" min={0} max={SPEEDS.length - 1} step={1} value={index}
            aria-valuetext={`${SPEEDS[index]}×`}
            onChange={(e) => attempt(() => playground.host.setSpeed(SPEEDS[Number(e.target.value)]))} />
          <span className="time-speed-value">{speed}×</span>
        </label>
        <span className="time-visual" title="Adds network latency to every hop, on the cluster clock, so a single record can be followed by eye (order on each link is kept)">
          <label>
            <input type="checkbox" checked={visual}
              onChange={(e) => attempt(() => playground.host.setVisualLatency(e.target.checked ? lastLatency : 0))} />
            <span>Visual mode</span>
          </label>
          <input type="number" className="time-latency" aria-label="Latency per hop (ms)" title={`1 to ${MAX_VISUAL_LATENCY_MS} ms of cluster time per hop; for slower flows lower the speed`} min={1} max={MAX_VISUAL_LATENCY_MS} step={50}
            value={latencyText} onChange={(e) => applyLatency(e.target.value)} />
          <span className="muted">ms per hop</span>
        </span>
        <ClusterClock playground={playground} />
        <span className="time-state" role="status">
          {paused
            ? `Paused${held === null ? '' : ` · ${plural(held, 'message')} held`}`
            : `Playing at ${speed}×${visual ? ` · ${latency} ms per hop` : ''}`}
        </span>
        {paused && lastStep && (
          <span className="time-last-step muted">
            last step: {lastStep.delivered ? `delivered ${lastStep.delivered.from} → ${lastStep.delivered.to}` : `nothing held, clock +${lastStep.advancedMs} ms`}
          </span>
        )}
      </div>
      <p className="time-note">
        All Kafka timeouts (<code>session.timeout.ms</code>, <code>replica.lag.time.max.ms</code>, <code>request.timeout.ms</code>,
        {' '}<code>heartbeat.interval.ms</code>, <code>linger.ms</code>, …) run on the cluster clock: at 0.25× they take 4× longer in wall time.
        {' '}Now {speed}×: {speedMeaning(speed)}.
      </p>
      {error && <p className="result error" role="alert">{error}</p>}
    </div>
  );
}
