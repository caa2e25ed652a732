import { useState } from 'react';
import { DEFAULT_BROKER_CONFIG, DEFAULT_CONTROLLER_CONFIG, PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import { useCluster, useDerived, usePlaygroundStatus } from './context';
import { formatDuration, kafkaDefaultOf } from './format';
import { NetworkBanner } from './NetworkControls';
import { QuorumNote } from './QuorumView';
import { Stage } from './Stage';

/** Which timeouts govern a failover, at this playground's values and Kafka's, and at the chosen speed. */
function FailoverNote() {
  const speed = useCluster((s) => s.speed);
  const session = DEFAULT_CONTROLLER_CONFIG['broker.session.timeout.ms'];
  const heartbeat = DEFAULT_BROKER_CONFIG['broker.heartbeat.interval.ms'];
  const lag = DEFAULT_BROKER_CONFIG['replica.lag.time.max.ms'];
  const wall = (ms: number) => (speed > 0 && speed !== 1 ? ` (${formatDuration(ms / speed)} of wall time at ${speed}×)` : speed === 0 ? ' (paused: the clock is stopped)' : '');
  return (
    <div className="failover-note" role="note" aria-label="What governs a failover">
      <div>
        <b>Kill a leader:</b> the controller waits <code>broker.session.timeout.ms</code> = <b>{session} ms</b>{wall(session)} without
        a heartbeat (brokers send one every {heartbeat} ms), then fences the broker and elects a new leader from the ISR for
        each partition it led, with a higher leader epoch. Kafka&apos;s default is {kafkaDefaultOf('broker.session.timeout.ms') ?? '9000'} ms.
      </div>
      <div>
        <b>A slow or dead follower</b> leaves the ISR once it has not caught up with the leader for <code>replica.lag.time.max.ms</code> = <b>{lag} ms</b>{wall(lag)};
        Kafka&apos;s default is {kafkaDefaultOf('replica.lag.time.max.ms') ?? '30000'} ms. It rejoins when it catches up.
      </div>
      <div className="muted">All timeouts run on the cluster clock, at the speed chosen above.</div>
    </div>
  );
}

/**
 * The cluster panel: the network's state, the stage (every node, replica, group and message,
 * drawn live), and how to read it.
 */
export function ClusterView() {
  const [showInternal, setShowInternal] = useState(false);
  const takenOver = usePlaygroundStatus().kind === 'taken-over';
  const count = useDerived((s) => [s.nodes], (s) => Object.keys(s.nodes).length);
  return (
    <section className={`panel cluster${takenOver ? ' frozen' : ''}`} aria-labelledby="cluster-title">
      <div className="panel-head">
        <h2 id="cluster-title">Cluster</h2>
        <span className="intro-inline muted small">
          Every box is a real node in its own Web Worker, its log in IndexedDB; every dot a real request or response between them.
        </span>
        <label className="checkbox">
          <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} />
          show internal topics
        </label>
      </div>
      {takenOver && <p className="frozen-note" role="status">Another tab took this cluster over and this tab&apos;s nodes were stopped: what you see is their last report.</p>}
      {count === 0 && <p className="muted">Starting nodes…</p>}
      {count > 0 && <NetworkBanner />}
      <Stage showInternal={showInternal} />
      <details className="stage-help">
        <summary>How to read the stage, and what governs a failover</summary>
        <p className="legend small muted">
          Each replica row is that replica&apos;s log: the newest offsets, one cell each, solid below the <b>high watermark</b> (the tick: on every
          in-sync replica, readable by consumers), lighter up to the <b>log end offset</b> (the next offset to write). <b>★ eN</b> marks the
          leader and its leader epoch; <b>in ISR</b> followers keep up with it, <b>out of ISR</b> ones (red outline) do not, and the latest faults
          under the brokers say who left and why. Red cells marked ✂ are offsets a truncation cut. Click a row to highlight its partition everywhere.
          {showInternal && Object.entries(PLAYGROUND_DEFAULT_NOTES).map(([name, note]) => <span key={name}> · <code>{name}</code>: {note}</span>)}
        </p>
        <FailoverNote />
        <QuorumNote />
      </details>
    </section>
  );
}
