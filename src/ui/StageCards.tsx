/**
 * The stage's cards in HTML, over the SVG drawing: each node's name, state, facts and buttons,
 * the producers, the consumer groups with their members, the latest faults. They carry the
 * accessible structure (a region per node, lists of replicas and members); the SVG under them
 * draws the logs, votes and breaks.
 */
import type { NodeView } from '../store/clusterStore';
import type { BrokerModel, FaultNote, GroupModel, MemberModel, ProducerModel, ReplicaModel } from '../viz/model';
import type { GroupLayout } from '../viz/layout';
import type { Rect } from '../viz/geometry';
import type { TopicPartitions } from '../kafka/events';
import { useCluster } from './context';
import { formatTime } from './format';
import { IsolateButton, NodeSide, useSideClasses } from './NetworkControls';
import { KillRestartButton, Liveness } from './NodeButtons';

export const place = (r: Rect, origin: Rect | null = null) => ({ left: r.x - (origin?.x ?? 0), top: r.y - (origin?.y ?? 0), width: r.w, height: r.h });

/** A replica in words, for screen readers and tooltips. */
export function describeReplica(r: ReplicaModel, alive: boolean): string {
  const role = r.leader ? `leader at leader epoch ${r.leaderEpoch}` : r.role === 'follower' ? 'follower' : 'replica';
  const isr = r.inIsr ? 'in the ISR' : `out of the ISR${r.leftIsr ? ` since ${formatTime(r.leftIsr.time)}: ${r.leftIsr.reason}` : ''}`;
  const offsets = r.reported ? `log start offset ${r.logStartOffset}, high watermark ${r.highWatermark}, log end offset ${r.logEndOffset}` : 'no offsets reported yet';
  const cut = r.truncation ? `; truncated at ${formatTime(r.truncation.time)}, cutting offsets ${r.truncation.to} to ${r.truncation.from - 1} (${r.truncation.reason})` : '';
  const elected = r.elected ? `; elected at ${formatTime(r.elected.time)}${r.elected.previousLeader >= 0 ? `, replacing broker ${r.elected.previousLeader}` : ''}` : '';
  return `${r.topic}-${r.partition}: ${role}, ${isr}, ${offsets}${cut}${elected}${alive ? '' : ' (as last reported before the broker died)'}`;
}

export function BrokerCard({ broker, box, selected }: { broker: BrokerModel; box: Rect; selected: boolean }) {
  const node: NodeView | undefined = useCluster((s) => s.nodes[broker.address]);
  const sideClasses = useSideClasses(node ?? { address: broker.address, role: 'broker', id: broker.id, alive: broker.alive, since: broker.since });
  if (!node) return null;
  const registered = broker.fenced === null ? null : broker.fenced ? 'fenced' : 'unfenced';
  return (
    <section className={`node broker stage-card${broker.alive ? '' : ' is-dead'}${sideClasses}${selected ? ' is-selected' : ''}`}
      aria-label={`Broker ${broker.id}`} style={place(box)} data-node={broker.address}>
      <div className="card-head">
        <h3>Broker {broker.id}</h3>
        <span className={`state state-${broker.state.toLowerCase()}`}>{broker.state}</span>
        <span className="spacer" />
        <IsolateButton node={node} />
        <KillRestartButton node={node} compact />
      </div>
      <div className="card-facts card-facts-2">
        <Liveness node={node} />
        <NodeSide node={node} />
        {registered && <span title="The controller's view: a fenced broker may not lead or be in an ISR">{registered}{broker.brokerEpoch !== null ? `, broker epoch ${broker.brokerEpoch}` : ''}</span>}
        {broker.rack && <span title="broker.rack: replicas of a partition are spread over racks (KIP-392 rack-aware fetching)">rack <b>{broker.rack}</b></span>}
        {broker.coordinatorOf.length > 0 && (
          <span className="coordinator-badge" title="Group coordinator: it leads these groups' __consumer_offsets partitions">
            {broker.alive ? 'coordinator of' : 'was coordinator of'} {broker.coordinatorOf.join(', ')}
          </span>
        )}
        {broker.hiddenInternal > 0 && <span className="muted" title="Replicas of internal topics (__consumer_offsets), shown with “show internal topics”">+{broker.hiddenInternal} internal</span>}
      </div>
      {broker.replicas.length === 0
        ? <p className="card-empty">{broker.hiddenInternal > 0 ? 'Only internal topics here.' : 'No partition replicas yet.'}</p>
        : (
          <ul className="sr-only" aria-label={`Partition replicas on broker ${broker.id}`}>
            {broker.replicas.map((r) => <li key={`${r.topic}-${r.partition}`}>{describeReplica(r, broker.alive)}</li>)}
          </ul>
        )}
    </section>
  );
}

const PRODUCER_KIND: Record<ProducerModel['kind'], string> = {
  producer: 'producer on the page',
  app: 'producer application',
  clients: 'admin and metadata clients',
};

export function ProducerCard({ producer, box, selected, now }: { producer: ProducerModel; box: Rect; selected: boolean; now: number }) {
  const idle = producer.lastProduced !== null ? now - producer.lastProduced : null;
  const detail = producer.kind === 'app' ? `${PRODUCER_KIND.app} · ${producer.status}` : PRODUCER_KIND[producer.kind];
  return (
    <section className={`stage-client producer kind-${producer.kind}${producer.status && producer.status !== 'running' ? ' is-dead' : ''}${selected ? ' is-selected' : ''}`}
      aria-label={producer.kind === 'clients' ? 'Other page clients' : `Producer ${producer.label}`} style={place(box)}
      title={producer.kind === 'clients' ? `Page clients that produced nothing lately: ${producer.addresses.join(', ')}` : `${producer.label}: ${detail}${idle !== null ? `, last Produce ${Math.round(idle / 1000)} s ago` : ''}`}>
      <b className="client-name">{producer.label}</b>
      <span className="client-kind">{detail}</span>
    </section>
  );
}

const chipsOf = (list: TopicPartitions[], single: boolean) => list.flatMap((t) => [...t.partitions].sort((a, b) => a - b).map((p) => ({ topic: t.topic, partition: p, text: single ? String(p) : `${t.topic}-${p}` })));

function MemberRow({ member, box, origin, compact, single, selectedTopic }: { member: MemberModel; box: Rect; origin: Rect; compact: boolean; single: boolean; selectedTopic: string | null }) {
  const fresh = new Set(member.fresh);
  const assigned = chipsOf(member.assignment, single);
  const revoked = chipsOf(member.revoked, single);
  const status = member.status === 'member' ? null : member.status === 'joining' ? 'joining…' : member.status === 'killed' ? 'killed: the group learns at session.timeout.ms'
    : member.status === 'left' ? 'left the group; its partitions moved' : 'stopped';
  return (
    <li className={`stage-member status-${member.status}${compact ? ' compact' : ''}`} style={place(box, origin)} data-node={member.address}
      title={`${member.address}${member.memberId ? ` · member id ${member.memberId}` : ''}${member.leader ? ' · group leader (runs the assignor)' : ''}`}>
      <span className="member-line">
        <span className="member-name">{member.address}{member.leader && <span className="member-leader" title="Group leader: its consumer computes the assignment"> ★</span>}</span>
        {status && <span className="member-status"> {status}</span>}
        {assigned.length > 6 && <span className="member-count"> · {assigned.length} partitions</span>}
      </span>
      <span className="sr-only">
        {`assigned ${assigned.map((c) => `${c.topic}-${c.partition}`).join(', ') || 'nothing'}${revoked.length ? `; revoked ${revoked.map((c) => `${c.topic}-${c.partition}`).join(', ')}` : ''}`}
      </span>
      <span className="chips" aria-hidden="true">
        {assigned.map((c) => (
          <span key={`a${c.topic}-${c.partition}`} className={`chip${fresh.has(`${c.topic}\u0000${c.partition}`) ? ' fresh' : ''}${selectedTopic === c.topic ? ' is-selected' : ''}`}
            title={`${c.topic}-${c.partition}${fresh.has(`${c.topic}\u0000${c.partition}`) ? ': newly assigned' : ''}`}>{c.text}</span>
        ))}
        {revoked.map((c) => <span key={`r${c.topic}-${c.partition}`} className="chip revoked" title={`${c.topic}-${c.partition}: revoked in the last rebalance`}>{c.text}</span>)}
        {assigned.length === 0 && revoked.length === 0 && member.status === 'member' && <span className="muted">nothing assigned</span>}
      </span>
    </li>
  );
}

export function GroupCard({ group, layout, selected, selectedTopic }: { group: GroupModel; layout: GroupLayout; selected: boolean; selectedTopic: string | null }) {
  const topics = new Set(group.members.flatMap((m) => [...m.assignment, ...m.revoked].map((t) => t.topic)));
  const single = topics.size <= 1;
  const topic = single ? [...topics][0] : null;
  return (
    <section className={`stage-group gstate-${group.state.toLowerCase()}${selected ? ' is-selected' : ''}`} aria-label={`Consumer group ${group.groupId}`} style={place(layout.box)}>
      <div className="sg-head">
        <h3 title={group.groupId}>{group.groupId}</h3>
        <span className="gstate" title="The group's state at its coordinator">{group.state}</span>
      </div>
      <div className="sg-facts" title={`generation ${group.generationId}${group.protocol ? ` · assignor ${group.protocol}` : ''}${group.coordinator !== null ? ` · coordinator broker ${group.coordinator}` : ''}${topic ? ` · topic ${topic}` : ''}`}>
        generation <b>{group.generationId < 0 ? '–' : group.generationId}</b>
        {group.coordinator !== null && <> · coordinator <b className={group.coordinatorAlive ? '' : 'bad'}>broker {group.coordinator}</b></>}
        {topic && <> · {topic}</>}
        {group.protocol && <> · {group.protocol}</>}
      </div>
      {group.members.length === 0
        ? <p className="card-empty">No members</p>
        : (
          <ul aria-label={`Members of ${group.groupId}`}>
            {group.members.map((m, i) => layout.members[i] && (
              <MemberRow key={m.address} member={m} box={layout.members[i]} origin={layout.box} compact={layout.compact} single={single} selectedTopic={selectedTopic} />
            ))}
          </ul>
        )}
    </section>
  );
}

const NOTE_ICON: Record<FaultNote['kind'], string> = {
  death: '✝', election: '★', 'isr-shrink': '⊖', 'isr-expand': '⊕', truncation: '✂', rebalance: '⟳', quorum: '♛',
};

export const SHOWN_NOTES = 3;

export function NotesBand({ notes, box }: { notes: FaultNote[]; box: Rect }) {
  if (box.h === 0) return null;
  return (
    <section className="stage-notes" aria-label="Latest faults" style={place(box)}>
      {notes.length === 0
        ? <p className="muted">No faults lately. Kill a broker or a controller, isolate a node, or stop a consumer: what follows is drawn here and on the nodes.</p>
        : (
          <ol>
            {notes.slice(0, SHOWN_NOTES).map((n) => (
              <li key={`${n.kind}-${n.time}-${n.text}`} className={`note note-${n.kind}`} title={n.text}>
                <span className="note-icon" aria-hidden="true">{NOTE_ICON[n.kind]}</span>
                <span className="time">{formatTime(n.time)}</span> {n.text}
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}
