import { useState } from 'react';
import type { LoggedEvent } from '../store/clusterStore';
import { useCluster } from './context';
import { describeEvent, eventNode, failoverStep, formatTime, isTrouble } from './format';

const SHOWN = 100;
/** Events are kept by reference from batch to batch: number each once, for stable row keys. */
const ids = new WeakMap<LoggedEvent, number>();
let nextId = 0;
const idOf = (event: LoggedEvent): number => {
  let id = ids.get(event);
  if (id === undefined) ids.set(event, (id = nextId++));
  return id;
};
/** Reported on every offset change of every replica, every commit and every processed batch: on by choice, or they drown the rest. */
const CHATTY = new Set<LoggedEvent['type']>(['partition-offsets', 'metadata-applied', 'consumer-processed', 'offset-commit']);

export function EventLog() {
  const recent = useCluster((s) => s.recent);
  const metadata = useCluster((s) => s.metadata);
  const [paused, setPaused] = useState<LoggedEvent[] | null>(null);
  const [showChatty, setShowChatty] = useState(false);
  const [stepsOnly, setStepsOnly] = useState(false);
  const source = paused ?? recent;
  const events: LoggedEvent[] = [];
  for (let i = source.length - 1; i >= 0 && events.length < SHOWN; i--) {
    const event = source[i];
    if (stepsOnly ? failoverStep(event) !== null : showChatty || !CHATTY.has(event.type)) events.push(event);
  }
  // Batches from different workers arrive interleaved; every node's clock is the same cluster clock.
  events.sort((a, b) => b.time - a.time);
  const nameOf = (topicId: string) => metadata.topicNamesById.get(topicId);
  return (
    <section className="panel" aria-labelledby="events-title">
      <div className="panel-head">
        <h2 id="events-title">Cluster events</h2>
        <span className="muted small">newest first, as the nodes report them</span>
        <span className="spacer" />
        <label className="checkbox small" title="Only the steps of a failover: kills, fencing, ISR changes, partition leader elections, truncations, rejected requests, the controller quorum's elections (pre-votes, votes, BeginQuorumEpoch, resignations), and consumer group rebalances (JoinGroup, sync, revoke, assign, stable) and consumer kills">
          <input type="checkbox" checked={stepsOnly} onChange={(e) => setStepsOnly(e.target.checked)} />
          failover steps only
        </label>
        <label className="checkbox small">
          <input type="checkbox" checked={showChatty} disabled={stepsOnly} onChange={(e) => setShowChatty(e.target.checked)} />
          offset reports, commits, records processed
        </label>
        <button type="button" className="small-button" onClick={() => setPaused(paused ? null : recent)} aria-pressed={paused !== null}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <div className="scroll event-scroll">
        <table className="events">
          <thead>
            <tr><th scope="col">Time</th><th scope="col">Node</th><th scope="col">Event</th></tr>
          </thead>
          <tbody>
            {events.length === 0 && <tr><td colSpan={3} className="muted">No events yet.</td></tr>}
            {events.map((event) => {
              const step = failoverStep(event);
              const classes = [isTrouble(event) ? 'trouble' : '', step ? `step step-${step.tone}` : ''].filter(Boolean).join(' ');
              return (
                <tr key={idOf(event)} className={classes || undefined}>
                  <td className="time">{formatTime(event.time)}</td>
                  <td className="node-col">{eventNode(event)}</td>
                  <td>{step && <span className={`step-tag step-tag-${step.tone}`}>{step.label}</span>}{describeEvent(event, nameOf)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
