import { useEffect, useState } from 'react';
import type { LoggedEvent } from '../store/clusterStore';
import { EVENT_KINDS, eventKind, eventTouches, type EventKind, type EventTouch } from '../store/selectors';
import { useCluster } from './context';
import { describeEvent, eventNode, failoverStep, formatTime, isTrouble } from './format';
import { setSelection, useSelection, type Highlight } from './selection';
import './panels.css';

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

/** Node addresses in a natural order: brokers, controllers, then clients, each by number. */
const byAddress = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

function highlightOf(event: LoggedEvent, touch: EventTouch, text: string): Highlight {
  const h: Highlight = { nodes: touch.nodes, label: `${formatTime(event.time)} ${text}` };
  if (touch.topic !== undefined) h.topic = touch.topic;
  if (touch.partition !== undefined) h.partition = touch.partition;
  if (touch.groupId !== undefined) h.groupId = touch.groupId;
  return h;
}

export function EventLog() {
  const recent = useCluster((s) => s.recent);
  const metadata = useCluster((s) => s.metadata);
  const selection = useSelection();
  const [paused, setPaused] = useState<LoggedEvent[] | null>(null);
  const [showChatty, setShowChatty] = useState(false);
  const [stepsOnly, setStepsOnly] = useState(false);
  const [nodeFilter, setNodeFilter] = useState('');
  const [partitionFilter, setPartitionFilter] = useState('');
  const [kindFilter, setKindFilter] = useState<EventKind | ''>('');
  /** The event whose row set the selection; marked while the selection is still the one it set. */
  const [picked, setPicked] = useState<{ event: LoggedEvent; highlight: Highlight } | null>(null);
  const nameOf = (topicId: string) => metadata.topicNamesById.get(topicId);
  const source = paused ?? recent;

  // Escape clears the selection, wherever the focus is.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setSelection(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // The filters offer what the log holds: every node it names, every partition of the cluster's topics.
  const nodes = new Set<string>();
  for (const event of source) for (const node of eventTouches(event, nameOf).nodes) nodes.add(node);
  if (nodeFilter) nodes.add(nodeFilter);
  const partitions: string[] = [];
  for (const topic of [...metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const p of topic.partitions) if (p) partitions.push(`${topic.name}-${p.partition}`);
  }
  if (partitionFilter && !partitions.includes(partitionFilter)) partitions.push(partitionFilter);

  const filtered = nodeFilter !== '' || partitionFilter !== '' || kindFilter !== '';
  const events: LoggedEvent[] = [];
  for (let i = source.length - 1; i >= 0 && events.length < SHOWN; i--) {
    const event = source[i];
    if (stepsOnly ? failoverStep(event) === null : !showChatty && CHATTY.has(event.type)) continue;
    if (kindFilter && eventKind(event) !== kindFilter) continue;
    if (nodeFilter || partitionFilter) {
      const touch = eventTouches(event, nameOf);
      if (nodeFilter && !touch.nodes.includes(nodeFilter)) continue;
      if (partitionFilter && (touch.topic === undefined || `${touch.topic}-${touch.partition}` !== partitionFilter)) continue;
    }
    events.push(event);
  }
  // Batches from different workers arrive interleaved; every node's clock is the same cluster clock.
  events.sort((a, b) => b.time - a.time);

  const selectedEvent = picked && picked.highlight === selection ? picked.event : null;
  const pick = (event: LoggedEvent, text: string) => {
    if (event === selectedEvent) {
      setSelection(null);
      setPicked(null);
      return;
    }
    const highlight = highlightOf(event, eventTouches(event, nameOf), text);
    setPicked({ event, highlight });
    setSelection(highlight);
  };

  return (
    <section className="panel" aria-labelledby="events-title">
      <div className="panel-head">
        <h2 id="events-title">Cluster events</h2>
        <span className="muted small">newest first, as the nodes report them; click one to highlight what it touched</span>
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
      <div className="event-filters small">
        <label>Node{' '}
          <select aria-label="Filter events by node" value={nodeFilter} onChange={(e) => setNodeFilter(e.target.value)}>
            <option value="">all nodes</option>
            {[...nodes].sort(byAddress).map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label>Partition{' '}
          <select aria-label="Filter events by partition" value={partitionFilter} onChange={(e) => setPartitionFilter(e.target.value)}>
            <option value="">all partitions</option>
            {partitions.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label>Kind{' '}
          <select aria-label="Filter events by kind" value={kindFilter} onChange={(e) => setKindFilter(e.target.value as EventKind | '')}>
            <option value="">all kinds</option>
            {(Object.entries(EVENT_KINDS) as [EventKind, string][]).map(([kind, label]) => <option key={kind} value={kind}>{label}</option>)}
          </select>
        </label>
        {filtered && (
          <button type="button" className="small-button" onClick={() => { setNodeFilter(''); setPartitionFilter(''); setKindFilter(''); }}>Clear filters</button>
        )}
        <span className="spacer" />
        {selection && (
          <span className="selection-note" role="status">
            <b>Selected:</b> <span className="selection-label" title={selection.label}>{selection.label}</span>
            {' '}<button type="button" className="small-button" onClick={() => setSelection(null)} title="Escape clears it too">Clear (Esc)</button>
          </span>
        )}
      </div>
      <div className="scroll event-scroll">
        <table className="events">
          <thead>
            <tr><th scope="col">Time</th><th scope="col">Node</th><th scope="col">Event</th></tr>
          </thead>
          <tbody>
            {events.length === 0 && <tr><td colSpan={3} className="muted">{filtered ? 'No events match the filters.' : 'No events yet.'}</td></tr>}
            {events.map((event) => {
              const step = failoverStep(event);
              const selected = event === selectedEvent;
              const text = describeEvent(event, nameOf);
              const classes = [isTrouble(event) ? 'trouble' : '', step ? `step step-${step.tone}` : '', selected ? 'is-selected' : ''].filter(Boolean).join(' ');
              return (
                <tr key={idOf(event)} className={classes || undefined} onClick={() => pick(event, text)}
                  data-nodes={eventTouches(event, nameOf).nodes.join(' ')} data-kind={eventKind(event)} aria-selected={selected}>
                  <td className="time">
                    <button type="button" className="event-pick" aria-pressed={selected} aria-label={`Select event at ${formatTime(event.time)}: ${text}`}>
                      {formatTime(event.time)}
                    </button>
                  </td>
                  <td className="node-col">{eventNode(event)}</td>
                  <td>{step && <span className={`step-tag step-tag-${step.tone}`}>{step.label}</span>}{text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
