import type { NodeView, QuorumState } from '../store/clusterStore';
import type { ControllerModel, QuorumModel } from '../viz/model';
import type { Rect } from '../viz/geometry';
import { DEFAULT_CONTROLLER_CONFIG, PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import { useCluster } from './context';
import { formatDuration } from './format';
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

const place = (r: Rect, origin: Rect) => ({ left: r.x - origin.x, top: r.y - origin.y, width: r.w, height: r.h });

/** What a controller is doing, in a few words: "follows 1000", "voted for 1001", "stands for election". */
function roleLine(c: ControllerModel): string {
  switch (c.state) {
    case 'Follower': return c.lastFetchTo !== null ? `follows ${c.leaderId ?? '?'}, fetching from ${c.lastFetchTo}` : `follows ${c.leaderId ?? '?'}`;
    case 'Candidate': return `stands for election in epoch ${c.epoch}`;
    case 'Prospective': return 'asks for pre-votes (KIP-996)';
    case 'Unattached': return c.votedFor !== null ? `voted for ${c.votedFor} in epoch ${c.epoch}` : 'knows no leader';
    case 'Resigned': return 'resigned the leadership';
    case 'Leader': return 'Raft leader, not active yet';
    default: return c.alive ? 'starting' : '';
  }
}

/** A controller's card on the stage: its KRaft state, votes, offsets and its buttons. */
function ControllerCard({ controller, box, origin, selected }: { controller: ControllerModel; box: Rect; origin: Rect; selected: boolean }) {
  const node: NodeView | undefined = useCluster((s) => s.nodes[controller.address]);
  const sideClasses = useSideClasses(node ?? { address: controller.address, role: 'controller', id: controller.id, alive: controller.alive, since: controller.since });
  if (!node) return null;
  const stateLabel = !controller.alive ? 'down' : controller.state ?? 'starting';
  const state = controller.state as QuorumState | null;
  // Five controllers side by side leave no room for the state beside the name: it goes first on the next line.
  const narrow = box.w < 200;
  const badge = (
    <span className={`qstate qstate-${stateLabel.toLowerCase()}`} data-testid={`quorum-state-${controller.id}`}
      title={state ? STATE_MEANING[state] : controller.alive ? 'Started; has not reported its quorum state yet' : 'The worker is terminated; its log and vote stay on disk'}>
      {stateLabel}
    </span>
  );
  return (
    <section className={`node controller stage-card${controller.alive ? '' : ' is-dead'}${controller.active ? ' is-active' : ''}${sideClasses}${selected ? ' is-selected' : ''}`}
      aria-label={`Controller ${controller.id}`} style={place(box, origin)} data-node={controller.address}>
      <div className="card-head">
        <h3>Controller {controller.id}</h3>
        {!narrow && badge}
      </div>
      {controller.active
        ? <div className="active-badge" data-testid="active-controller" title="The Raft leader with its epoch's first record committed: it handles broker registrations and heartbeats, CreateTopics, AlterPartition and elections">{narrow && badge} ★ active controller</div>
        : <div className="card-line" title={controller.reason}>{narrow && badge} {controller.alive ? roleLine(controller) : <Liveness node={node} />}</div>}
      <div className="card-line card-facts">
        <span title="The quorum epoch this controller is in: each election raises it">epoch <b>{controller.epoch}</b></span>
        <span title="Whom it voted for in this epoch (one vote per epoch, on disk before it answers)">voted <b>{controller.votedFor ?? '–'}</b></span>
        <span title={`Its __cluster_metadata log: log end offset ${controller.logEndOffset} (the next record's offset); committed up to ${controller.committedOffset} (on a majority)`}>log <b>{controller.logEndOffset}</b></span>
        <NodeSide node={node} />
      </div>
      <div className="card-buttons">
        <IsolateButton node={node} />
        <KillRestartButton node={node} compact />
      </div>
    </section>
  );
}

/** The KRaft quorum above the brokers: its epoch, active controller, majority, and each voter's card. */
export function QuorumBand({ quorum, controllers, boxes, band, header, selected }: {
  quorum: QuorumModel; controllers: ControllerModel[]; boxes: Rect[]; band: Rect; header: Rect; selected: ReadonlySet<string>;
}) {
  if (controllers.length === 0) return null;
  const noMajority = quorum.live < quorum.majority;
  return (
    <section className={`stage-quorum${quorum.electing ? ' is-electing' : ''}`} aria-label="Controller quorum" style={place(band, { x: 0, y: 0, w: 0, h: 0 })}>
      <div className="quorum-head" style={place(header, band)}>
        <h3>KRaft controller quorum</h3>
        <span>epoch <b>{quorum.epoch}</b></span>
        <span>active controller <b data-testid="active-controller-id">{quorum.activeId ?? 'none'}</b></span>
        <span className="muted">{quorum.live} of {quorum.voters} voters alive · majority {quorum.majority}</span>
        {quorum.electing && !noMajority && <span className="electing">election in progress</span>}
        {noMajority && (
          <span className="quorum-warning" role="status"
            title="The quorum cannot elect a leader or commit metadata: CreateTopics fails and no partition leader can change, while the current partition leaders keep serving produce and fetch.">
            No majority ({quorum.live} of {quorum.voters} alive): no metadata changes
          </span>
        )}
        {quorum.voters === 1 && <span className="muted">one controller: no quorum to fail over to</span>}
      </div>
      {controllers.map((c, i) => <ControllerCard key={c.address} controller={c} box={boxes[i]} origin={band} selected={selected.has(c.address)} />)}
    </section>
  );
}

/** Which timeouts govern a controller failover, at this playground's values (Kafka's defaults). */
export function QuorumNote() {
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
