import { useMemo, useState } from 'react';
import type { NodeView, ReplicaView } from '../store/clusterStore';
import { DEFAULT_BROKER_CONFIG, DEFAULT_CONTROLLER_CONFIG, PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import { useCluster, useDerived, usePlaygroundStatus } from './context';
import { formatDuration, kafkaDefaultOf } from './format';
import { IsolateButton, NetworkBanner, NodeSide, useSideClasses } from './NetworkControls';
import { KillRestartButton, Liveness } from './NodeButtons';
import { ControllerQuorum } from './QuorumView';
import { currentReport, isDeletion } from '../store/groups';

const byId = (a: NodeView, b: NodeView) => a.id - b.id;

function ReplicaChip({ replica, inIsr, dead }: { replica: ReplicaView; inIsr: boolean | null; dead: boolean }) {
  const leader = replica.role === 'leader';
  const label = `${replica.topic}-${replica.partition}`;
  return (
    <li className={`replica${leader ? ' leader' : ''}${inIsr === false ? ' out-of-isr' : ''}`}
      title={`${label} on this broker: ${replica.role}, leader epoch ${replica.leaderEpoch}, log start offset ${replica.logStartOffset}${dead ? ' (last reported before the broker died; the log is still on its disk)' : ''}`}>
      <span className="tp">{label}</span>
      {leader
        ? <span className="role role-leader" title={`leader epoch ${replica.leaderEpoch}`}>★ leader <span className="epoch">e{replica.leaderEpoch}</span></span>
        : (
          <span className="role">
            {replica.role === 'follower' ? 'follower' : 'no role'}
            {inIsr === false && <span className="isr-note">not in ISR</span>}
            {inIsr === true && replica.role === 'follower' && <span className="isr-ok"> · in ISR</span>}
          </span>
        )}
      <span className="replica-offsets">
        <span title="Log end offset: the offset the next record appended here gets">LEO <b>{replica.logEndOffset}</b></span>
        <span title="High watermark: records below it are on every in-sync replica, and consumers may read them">HW <b>{replica.highWatermark}</b></span>
      </span>
    </li>
  );
}

function BrokerBox({ node, showInternal }: { node: NodeView; showInternal: boolean }) {
  const replicas = useDerived(
    (s) => [s.replicas],
    (s) => Object.values(s.replicas)
      .filter((r) => r.node === node.address)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
  );
  const metadata = useCluster((s) => s.metadata);
  const registration = metadata.brokers.get(node.id);
  const shown = useMemo(() => replicas.filter((r) => showInternal || !r.topic.startsWith('__')), [replicas, showInternal]);
  const hidden = replicas.length - shown.length;
  const state = node.alive ? (node.state ?? 'STARTING') : 'DEAD';
  const rack = registration?.rack ?? node.rack ?? null;
  const sideClasses = useSideClasses(node);
  // The consumer groups this broker coordinates, by its latest report of each.
  const coordinated = useDerived((s) => [s.groups], (s) => Object.values(s.groups)
    .filter((g) => {
      const report = currentReport(g);
      return report?.node === node.address && report.state !== 'Dead' && !isDeletion(report);
    })
    .map((g) => g.groupId).sort());
  return (
    <section className={`node broker${node.alive ? '' : ' is-dead'}${sideClasses}`} aria-label={`Broker ${node.id}`}>
      <div className="node-head">
        <h3>Broker {node.id}</h3>
        <div className="node-buttons">
          <IsolateButton node={node} />
          <KillRestartButton node={node} />
        </div>
      </div>
      <div className="node-facts">
        <span className={`state state-${state.toLowerCase()}`}>{state}</span>
        <Liveness node={node} />
        <NodeSide node={node} />
        {rack && <span className="rack" title="broker.rack: replicas of a partition are spread over racks, and a consumer with client.rack fetches from its own rack (KIP-392)">rack <b>{rack}</b></span>}
        {registration && <span title="The controller's view: a fenced broker may not lead or be in an ISR">{registration.fenced ? 'fenced' : 'unfenced'}, broker epoch {registration.epoch}</span>}
        {coordinated.length > 0 && (node.alive
          ? (
            <span className="coordinator-badge" title="Group coordinator: it leads these groups' __consumer_offsets partitions">
              coordinator of {coordinated.join(', ')}
            </span>
          )
          : <span title="The groups' __consumer_offsets partitions get new leaders, which load the groups from the log">was coordinator of {coordinated.join(', ')}</span>)}
      </div>
      {shown.length === 0
        ? <p className="muted small">{replicas.length === 0 ? 'No partition replicas yet.' : 'Only internal topics here.'}</p>
        : (
          <ul className="replicas" aria-label={`Partition replicas on broker ${node.id}`}>
            {shown.map((r) => {
              const partition = metadata.partition(r.topic, r.partition);
              return <ReplicaChip key={`${r.topic}-${r.partition}`} replica={r} dead={!node.alive}
                inIsr={partition ? partition.isr.includes(node.id) : null} />;
            })}
          </ul>
        )}
      {!node.alive && replicas.length > 0 && <p className="muted small">As last reported; the log stays on its disk (IndexedDB) for the restart.</p>}
      {hidden > 0 && <p className="muted small">+ {hidden} internal topic replica{hidden === 1 ? '' : 's'} hidden</p>}
    </section>
  );
}

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

export function ClusterView() {
  const [showInternal, setShowInternal] = useState(false);
  const takenOver = usePlaygroundStatus().kind === 'taken-over';
  const nodes = useDerived((s) => [s.nodes], (s) => Object.values(s.nodes).sort(byId));
  const controllers = nodes.filter((n) => n.role === 'controller');
  const brokers = nodes.filter((n) => n.role === 'broker');
  return (
    <section className={`panel cluster${takenOver ? ' frozen' : ''}`} aria-labelledby="cluster-title">
      <div className="panel-head">
        <h2 id="cluster-title">Cluster</h2>
        <label className="checkbox">
          <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} />
          show internal topics
        </label>
      </div>
      <p className="intro">
        Every box is a real node running in its own Web Worker, with its log in IndexedDB. The controllers elect a leader
        among themselves by Raft (KRaft): kill the active controller and watch the others vote in a new one. Kill a broker and
        watch the controller fence it and move the leadership of its partitions to in-sync followers; restart it and it
        recovers its log from disk, truncates what the new leader does not have, catches up and rejoins the ISR.
      </p>
      {takenOver && <p className="frozen-note" role="status">Another tab took this cluster over and this tab&apos;s nodes were stopped: what you see is their last report.</p>}
      {nodes.length === 0 && <p className="muted">Starting nodes…</p>}
      {nodes.length > 0 && <NetworkBanner />}
      <ControllerQuorum controllers={controllers} />
      {controllers.length > 0 && brokers.length > 0 && <div className="quorum-link" aria-hidden="true">the active controller&apos;s metadata (__cluster_metadata) flows down ↓ · broker registrations and heartbeats flow up ↑</div>}
      <div className="brokers">
        {brokers.map((n) => <BrokerBox key={n.address} node={n} showInternal={showInternal} />)}
      </div>
      {brokers.length > 0 && <FailoverNote />}
      <p className="legend small muted">
        <b>LEO</b> log end offset (next offset to write) · <b>HW</b> high watermark (readable by consumers) · <b>★ leader</b> serves produce and fetch requests, <b>e</b>N is its leader epoch.
        Followers fetch from their leader (Fetch with their replica id) and append to their own log; a replica that keeps up is in the ISR (in-sync replicas), and a dashed one is not.
        The high watermark is the smallest log end offset in the ISR.
        {showInternal && Object.entries(PLAYGROUND_DEFAULT_NOTES).map(([name, note]) => <span key={name}> · <code>{name}</code>: {note}</span>)}
      </p>
    </section>
  );
}
