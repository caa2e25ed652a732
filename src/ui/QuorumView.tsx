import type { ControllerView, NodeView, QuorumMessage, QuorumState } from '../store/clusterStore';
import { activeControllerOf } from '../store/selectors';
import { DEFAULT_CONTROLLER_CONFIG, PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import { useCluster, useDerived } from './context';
import { describeEvent, formatDuration, formatTime } from './format';
import { IsolateButton, NodeSide, useSideClasses } from './NetworkControls';
import { KillRestartButton, Liveness } from './NodeButtons';

/** What each KRaft state means, for the state badge's tooltip. */
const STATE_MEANING: Record<QuorumState, string> = {
  Leader: 'Raft leader of this epoch: it alone appends to __cluster_metadata; it is the active controller once its LeaderChangeMessage is committed',
  Follower: 'Knows the leader of this epoch and fetches the metadata log from it',
  Candidate: 'Voted for itself in a new epoch and asks the others for their votes (Vote)',
  Prospective: 'Heard from no leader: asks whether the others would vote for it (pre-vote, KIP-996) before bumping the epoch',
  Unattached: 'Knows no leader in this epoch; it may grant one vote in it',
  Resigned: 'Gave up the leadership (check-quorum, or shutting down) and told the others with EndQuorumEpoch',
};

function ControllerBox({ node, maxLogEnd, activeId }: { node: NodeView; maxLogEnd: number; activeId: number | null }) {
  const controller: ControllerView | undefined = useCluster((s) => s.controllers[node.address]);
  const sideClasses = useSideClasses(node);
  const state = node.alive ? controller?.state ?? null : null;
  const active = node.alive && activeId === node.id;
  const stateLabel = !node.alive ? 'down' : state ?? 'starting';
  const committed = Math.max(0, (controller?.committedOffset ?? -1) + 1);
  const logEnd = controller?.logEndOffset ?? 0;
  const width = (n: number) => `${maxLogEnd > 0 ? Math.min(100, (n / maxLogEnd) * 100) : 0}%`;
  return (
    <section className={`node controller${node.alive ? '' : ' is-dead'}${active ? ' is-active' : ''}${sideClasses}`} aria-label={`Controller ${node.id}`}>
      <div className="node-head">
        <h3>Controller {node.id}</h3>
        <span className={`qstate qstate-${stateLabel.toLowerCase()}`} data-testid={`quorum-state-${node.id}`}
          title={state ? STATE_MEANING[state] : node.alive ? 'Started; has not reported its quorum state yet' : 'The worker is terminated; its log and vote stay on disk'}>
          {stateLabel}
        </span>
      </div>
      {active && <div className="active-badge" data-testid="active-controller" title="The Raft leader with its epoch's first record committed: it handles broker registrations and heartbeats, CreateTopics, AlterPartition and elections">★ active controller</div>}
      {controller && (
        <dl className="qfacts">
          <div title="The quorum epoch this controller is in: each election raises it"><dt>epoch</dt><dd>{controller.epoch}</dd></div>
          <div title="Whom it voted for in this epoch (one vote per epoch, written to disk before answering)"><dt>voted for</dt><dd>{controller.votedFor ?? '–'}</dd></div>
          <div title="The quorum leader it knows in this epoch"><dt>leader</dt><dd>{controller.leaderId ?? '–'}</dd></div>
          <div title="Offset of the next record in its __cluster_metadata log"><dt>log end</dt><dd>{controller.logEndOffset}</dd></div>
          <div title="The last offset it knows committed: on a majority of the voters"><dt>committed</dt><dd>{controller.committedOffset}</dd></div>
        </dl>
      )}
      {controller && (
        <div className="log-bar qlog" title={`__cluster_metadata: committed below ${committed}, log end ${logEnd}`}>
          <div className="log-committed" style={{ width: width(committed) }} />
          {logEnd > committed && <div className="log-uncommitted" style={{ left: width(committed), width: `calc(${width(logEnd)} - ${width(committed)})` }} />}
        </div>
      )}
      {node.alive && controller?.reason && <div className="qreason" title={controller.reason}>{controller.reason}</div>}
      <div className="node-facts">
        <Liveness node={node} />
        <NodeSide node={node} />
        {node.alive && state === 'Follower' && controller?.lastFetch && <span>fetches from <b>{controller.lastFetch.to}</b></span>}
      </div>
      <div className="node-buttons qbuttons">
        <IsolateButton node={node} />
        <KillRestartButton node={node} />
      </div>
    </section>
  );
}

const SHOWN_MESSAGES = 6;

/** The last election messages between controllers, newest first; each new one flashes in. */
function QuorumTraffic() {
  const messages = useDerived((s) => [s.recent], (s) => {
    const found: QuorumMessage[] = [];
    for (let i = s.recent.length - 1; i >= 0 && found.length < SHOWN_MESSAGES; i--) {
      const e = s.recent[i];
      if (e.type === 'quorum-message' && e.kind === 'request') found.push(e);
    }
    return found;
  });
  return (
    <div className="qtraffic" aria-label="Latest quorum requests">
      <span className="muted small">Latest election requests:</span>
      {messages.length === 0
        ? <span className="muted small"> none yet</span>
        : (
          <ul>
            {messages.map((m) => (
              <li key={m.id} className={`qmsg qmsg-${m.api === 'Vote' ? m.vote : m.api.toLowerCase()}${m.dropped ? ' qmsg-dropped' : ''}`} title={describeEvent(m)}>
                <span className="time">{formatTime(m.time)}</span>{' '}
                <b>{m.api === 'Vote' ? (m.vote === 'vote' ? 'Vote' : 'Pre-vote') : m.api}</b>{' '}
                {m.from.replace('controller-', '')} → {m.to.replace('controller-', '')}
                {m.dropped && <span className="bad"> dropped</span>}
                {m.repeats && <span className="muted"> ×{m.repeats.count}</span>}
              </li>
            ))}
          </ul>
        )}
    </div>
  );
}

/** Which timeouts govern a controller failover, at this playground's values (Kafka's defaults). */
function QuorumNote() {
  const speed = useCluster((s) => s.speed);
  const fetch = DEFAULT_CONTROLLER_CONFIG['controller.quorum.fetch.timeout.ms'];
  const election = DEFAULT_CONTROLLER_CONFIG['controller.quorum.election.timeout.ms'];
  const wall = (ms: number) => (speed > 0 && speed !== 1 ? ` (${formatDuration(ms / speed)} at ${speed}×)` : '');
  const snapshotNote = PLAYGROUND_DEFAULT_NOTES['metadata.log.max.record.bytes.between.snapshots'];
  return (
    <div className="failover-note quorum-note" role="note" aria-label="What governs a controller failover">
      <div>
        <b>Kill the active controller:</b> a follower that gets no Fetch response from the leader for <code>controller.quorum.fetch.timeout.ms</code> = <b>{fetch} ms</b>{wall(fetch)} asks
        for pre-votes, then votes for itself in a new epoch; a vote that gets no majority is retried after <code>controller.quorum.election.timeout.ms</code> = <b>{election} ms</b>{wall(election)} plus
        a random part up to as much again, so two candidates rarely collide twice. Both are Kafka&apos;s defaults.
        The winner writes a LeaderChangeMessage, sends BeginQuorumEpoch, and becomes the active controller once a majority has that record; brokers then send it their heartbeats.
      </div>
      <div>
        <b>Cut off the leader:</b> if no majority fetches from it within 1.5 × the fetch timeout ({formatDuration(fetch * 1.5)}) it resigns (check-quorum).
        With only one of three controllers alive there is no majority: no metadata changes (CreateTopics, partition leader elections, fencing), while partition leaders keep serving produce and fetch.
      </div>
      {snapshotNote && <div className="muted"><code>metadata.log.max.record.bytes.between.snapshots</code>: {snapshotNote}.</div>}
    </div>
  );
}

/** The KRaft controller quorum above the brokers: each voter's Raft state, votes and offsets. */
export function ControllerQuorum({ controllers }: { controllers: NodeView[] }) {
  const controllerStates = useCluster((s) => s.controllers);
  const active = useDerived((s) => [s.controllers, s.nodes], (s) => activeControllerOf(s));
  const maxLogEnd = Math.max(1, ...Object.values(controllerStates).map((c) => c.logEndOffset));
  const live = controllers.filter((n) => n.alive);
  const majority = Math.floor(controllers.length / 2) + 1;
  const epoch = Math.max(0, ...live.map((n) => controllerStates[n.address]?.epoch ?? 0));
  if (controllers.length === 0) return null;
  return (
    <section className="quorum" aria-label="Controller quorum">
      <div className="quorum-head">
        <h3>KRaft controller quorum</h3>
        <span className="small">epoch <b>{epoch}</b></span>
        <span className="small">active controller <b data-testid="active-controller-id">{active ? active.id : 'none'}</b></span>
        <span className="small muted">{live.length} of {controllers.length} voters alive · a majority is {majority}</span>
      </div>
      {live.length < majority && (
        <p className="quorum-warning" role="status">
          No majority ({live.length} of {controllers.length} alive): the quorum cannot elect a leader or commit metadata. CreateTopics fails and no partition
          leader can change, while the current partition leaders keep serving produce and fetch.
        </p>
      )}
      {controllers.length === 1 && (
        <p className="muted small">One controller: no quorum to fail over to. <code>cluster.reset()</code> starts the default three.</p>
      )}
      <div className="controllers">
        {controllers.map((n) => <ControllerBox key={n.address} node={n} maxLogEnd={maxLogEnd} activeId={active?.id ?? null} />)}
      </div>
      {controllers.length > 1 && <QuorumTraffic />}
      {controllers.length > 1 && <QuorumNote />}
    </section>
  );
}
