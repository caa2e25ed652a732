/**
 * What the stage shows, derived from the store alone (a pure function, tested without a
 * browser): each node with its state and side of any network cut, each broker's replicas with
 * their role, ISR membership and offsets, the quorum's votes, the producers seen, the consumer
 * groups with their members' assignments, and the faults of the last moments.
 */
import type { ClusterState } from '../store/clusterStore';
import { activeControllerOf, selectGroups } from '../store/selectors';
import { clientsReach, type NetworkCut } from '../cluster/networkCut';
import type { ElectionNote, IsrNote, TruncationNote } from '../store/flows';
import type { TopicPartitions } from '../kafka/events';

/** How long (cluster time, at 1×) a fault stays drawn as news: an ISR change, a truncation, a rebalance. */
export const NOTE_MS = 30_000;
/** A page client that sent no Produce for this long leaves the producers' column. */
const PRODUCER_IDLE_MS = 60_000;
/** Other page clients (admin, metadata) stay as long as this after their last message. */
const CLIENT_IDLE_MS = 20_000;
/** Producer boxes drawn one by one; the rest share one box. */
export const MAX_PRODUCERS = 6;
/** Broken links drawn across a cut at most (the shortest first). */
const MAX_BREAKS = 40;

export interface Side { index: number; isolated: boolean; clientsReach: boolean }

export interface NodeModel { id: number; address: string; alive: boolean; since: number; side: Side | null }

export interface ReplicaModel {
  topic: string; partition: number;
  /** The metadata's leader is this broker. */
  leader: boolean;
  /** The role this replica last reported ('none': never). */
  role: 'leader' | 'follower' | 'none';
  leaderEpoch: number;
  /** In the metadata's ISR. */
  inIsr: boolean;
  reported: boolean;
  logStartOffset: number; logEndOffset: number; highWatermark: number;
  /** How fresh its newest append is: 1 at once, fading to 0 over APPEND_FLASH_MS (the stage flashes that record). */
  appended: number;
  /** The span of offsets over all replicas of the partition, so strips of one partition line up. */
  span: { start: number; end: number };
  /** While it is out of the ISR: when and why it left (an ISR shrink by its leader, or an election that left it out). */
  leftIsr: { time: number; reason: string } | null;
  /** A recent truncation of this replica. */
  truncation: TruncationNote | null;
  /** A recent election that made this broker the leader. */
  elected: ElectionNote | null;
}

export interface BrokerModel extends NodeModel {
  state: string;
  /** As the controller registered it; null before it registered. */
  fenced: boolean | null;
  brokerEpoch: number | null;
  rack: string | null;
  replicas: ReplicaModel[];
  hiddenInternal: number;
  coordinatorOf: string[];
}

export interface ControllerModel extends NodeModel {
  state: string | null; epoch: number; votedFor: number | null; leaderId: number | null;
  active: boolean; logEndOffset: number; committedOffset: number; reason: string;
  lastFetchTo: number | null;
}

export interface QuorumModel {
  epoch: number; activeId: number | null; live: number; voters: number; majority: number;
  /** No leader in the newest epoch, or someone stands for election. */
  electing: boolean;
  /** Each live voter's vote in the newest epoch for another controller. */
  votes: { from: number; to: number; epoch: number }[];
  /** The votes are news: an election runs, or its leader was elected lately. */
  votesRecent: boolean;
}

export interface ProducerModel {
  /** The box's key: the client's address, or 'clients' for the shared box. */
  key: string;
  label: string;
  kind: 'producer' | 'app' | 'clients';
  /** Addresses drawn from this box. */
  addresses: string[];
  status: 'running' | 'stopped' | 'killed' | null;
  lastProduced: number | null;
}

export interface MemberModel {
  address: string; memberId: string | null; clientId: string; leader: boolean;
  /** stopped or killed: its application ended, while the group still counts it (a killed one until session.timeout.ms); left: no longer a member, shown while that is news. */
  status: 'member' | 'joining' | 'stopped' | 'killed' | 'left';
  assignment: TopicPartitions[];
  /** Given up in its latest rebalance, while that is news. */
  revoked: TopicPartitions[];
  /** 'topic\u0000partition' of what its latest rebalance newly gave it, while that is news. */
  fresh: string[];
}

export interface GroupModel {
  groupId: string; state: string; generationId: number; protocol: string | null;
  coordinator: number | null; coordinatorAlive: boolean; members: MemberModel[];
}

export interface FaultNote { time: number; kind: 'death' | 'election' | 'isr-shrink' | 'isr-expand' | 'truncation' | 'rebalance' | 'quorum'; text: string; nodes: string[] }

export interface StageModel {
  controllers: ControllerModel[];
  quorum: QuorumModel;
  brokers: BrokerModel[];
  producers: ProducerModel[];
  groups: GroupModel[];
  network: NetworkCut | null;
  /** Pairs of nodes (or 'clients' and a broker) the cut separates. */
  breaks: [string, string][];
  notes: FaultNote[];
  speed: number;
}

/** How long the stage flashes a replica's newest record after it is appended. */
export const APPEND_FLASH_MS = 1200;

export interface StageOptions { showInternal: boolean; now: number }

export function sideOf(cut: NetworkCut | null, id: number): Side | null {
  if (!cut) return null;
  const index = cut.groups.findIndex((g) => g.includes(id));
  if (index < 0) return null;
  return { index, isolated: cut.groups[index].length === 1, clientsReach: clientsReach(cut, id) };
}

const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
export const partitionsText = (list: TopicPartitions[]): string =>
  list.filter((t) => t.partitions.length > 0).map((t) => `${t.topic} ${[...t.partitions].sort((a, b) => a - b).join(',')}`).join('; ');

function brokersOf(state: ClusterState, options: StageOptions, newsMs: number): BrokerModel[] {
  const metadata = state.metadata;
  const notes = state.stageNotes;
  const recent = (time: number) => options.now - time <= newsMs;
  const groups = selectGroupsCoordinated(state);
  // Partition spans, from every replica that reported (and the offsets a recent truncation cut).
  const spans = new Map<string, { start: number; end: number }>();
  for (const r of Object.values(state.replicas)) {
    const key = tp(r.topic, r.partition);
    const span = spans.get(key) ?? { start: Infinity, end: -Infinity };
    spans.set(key, { start: Math.min(span.start, r.logStartOffset), end: Math.max(span.end, r.logEndOffset) });
  }
  for (const t of notes.truncations) {
    if (!recent(t.time)) continue;
    const key = tp(t.topic, t.partition);
    const span = spans.get(key) ?? { start: t.to, end: t.from };
    spans.set(key, { start: Math.min(span.start, t.to), end: Math.max(span.end, t.from) });
  }
  const topics = [...metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  return Object.values(state.nodes).filter((n) => n.role === 'broker').sort((a, b) => a.id - b.id).map((node): BrokerModel => {
    const registration = metadata.brokers.get(node.id);
    const replicas: ReplicaModel[] = [];
    let hiddenInternal = 0;
    for (const topic of topics) {
      for (const p of topic.partitions) {
        if (!p || !p.replicas.includes(node.id)) continue;
        if (topic.name.startsWith('__') && !options.showInternal) {
          hiddenInternal++;
          continue;
        }
        const own = state.replicas[`${node.address}/${topic.name}-${p.partition}`];
        const inIsr = p.isr.includes(node.id);
        const span = spans.get(tp(topic.name, p.partition));
        const leftIsr = inIsr ? null : whyOut(notes.isr, notes.elections, topic.name, p.partition, node.id);
        const truncation = notes.truncations.findLast((t) => t.node === node.address && t.topic === topic.name && t.partition === p.partition && recent(t.time)) ?? null;
        const elected = notes.elections.findLast((e) => e.topic === topic.name && e.partition === p.partition && recent(e.time)) ?? null;
        replicas.push({
          topic: topic.name, partition: p.partition, leader: p.leader === node.id, role: own?.role ?? 'none',
          leaderEpoch: p.leader === node.id ? p.leaderEpoch : own?.leaderEpoch ?? p.leaderEpoch, inIsr, reported: !!own,
          logStartOffset: own?.logStartOffset ?? 0, logEndOffset: own?.logEndOffset ?? 0, highWatermark: own?.highWatermark ?? 0,
          appended: own?.appendedAt === undefined ? 0 : Math.max(0, Math.min(1, 1 - (options.now - own.appendedAt) / APPEND_FLASH_MS)),
          span: span && Number.isFinite(span.start) ? span : { start: 0, end: 0 },
          leftIsr, truncation,
          elected: elected && elected.leader === node.id ? elected : null,
        });
      }
    }
    return {
      id: node.id, address: node.address, alive: node.alive, since: node.since, side: sideOf(state.network, node.id),
      state: node.alive ? node.state ?? 'STARTING' : 'DEAD', fenced: registration ? registration.fenced : null,
      brokerEpoch: registration?.epoch ?? null, rack: registration?.rack ?? node.rack ?? null,
      replicas, hiddenInternal, coordinatorOf: groups.get(node.id) ?? [],
    };
  });
}

/** The newest change that left `id` out of a partition's ISR: its leader's shrink, or the controller's election. */
function whyOut(isr: IsrNote[], elections: ElectionNote[], topic: string, partition: number, id: number): { time: number; reason: string } | null {
  const shrink = isr.findLast((n) => n.topic === topic && n.partition === partition && n.left.includes(id));
  const election = elections.findLast((e) => e.topic === topic && e.partition === partition && !e.isr.includes(id));
  const newest = shrink && (!election || shrink.time >= election.time) ? shrink : election;
  return newest ? { time: newest.time, reason: newest.reason } : null;
}

/** The groups each broker coordinates, by the coordinators' latest reports. */
function selectGroupsCoordinated(state: ClusterState): Map<number, string[]> {
  const byBroker = new Map<number, string[]>();
  for (const g of selectGroups(state)) {
    if (g.coordinator === null || g.state === 'Dead') continue;
    byBroker.set(g.coordinator, [...(byBroker.get(g.coordinator) ?? []), g.groupId]);
  }
  return byBroker;
}

function controllersOf(state: ClusterState, options: StageOptions, newsMs: number): { controllers: ControllerModel[]; quorum: QuorumModel } {
  const active = activeControllerOf(state);
  const controllers = Object.values(state.nodes).filter((n) => n.role === 'controller').sort((a, b) => a.id - b.id).map((node): ControllerModel => {
    const c = state.controllers[node.address];
    return {
      id: node.id, address: node.address, alive: node.alive, since: node.since, side: sideOf(state.network, node.id),
      state: node.alive ? c?.state ?? null : null, epoch: c?.epoch ?? 0, votedFor: c?.votedFor ?? null, leaderId: c?.leaderId ?? null,
      active: node.alive && active?.id === node.id, logEndOffset: c?.logEndOffset ?? 0, committedOffset: c?.committedOffset ?? -1,
      reason: c?.reason ?? '', lastFetchTo: node.alive && c?.state === 'Follower' ? c.lastFetch?.to ?? null : null,
    };
  });
  const live = controllers.filter((c) => c.alive);
  const epoch = Math.max(0, ...live.map((c) => c.epoch));
  const leader = live.find((c) => c.state === 'Leader' && c.epoch === epoch);
  const votes = live.filter((c) => c.epoch === epoch && c.votedFor !== null && c.votedFor !== c.id).map((c) => ({ from: c.id, to: c.votedFor!, epoch }));
  const electing = controllers.length > 0 && (!leader || live.some((c) => c.state === 'Candidate' || c.state === 'Prospective'));
  const leaderSince = leader ? state.controllers[leader.address]?.stateSince ?? -Infinity : -Infinity;
  return {
    controllers,
    quorum: {
      epoch, activeId: active?.id ?? null, live: live.length, voters: controllers.length, majority: Math.floor(controllers.length / 2) + 1,
      electing, votes, votesRecent: electing || options.now - leaderSince <= newsMs,
    },
  };
}

function producersOf(state: ClusterState, options: StageOptions, inGroups: Set<string>): ProducerModel[] {
  const apps: ProducerModel[] = [];
  for (const app of Object.values(state.clients) as { id: string; kind: string; status: 'running' | 'stopped' | 'killed' }[]) {
    if (app.kind === 'consumer') continue;
    apps.push({ key: app.id, label: app.id, kind: 'app', addresses: [app.id], status: app.status, lastProduced: state.stageNotes.clients[app.id]?.lastProduced ?? null });
  }
  const appIds = new Set(apps.map((a) => a.key));
  const producers: ProducerModel[] = [];
  const others: string[] = [];
  const seen = Object.values(state.stageNotes.clients).sort((a, b) => a.firstSeen - b.firstSeen || a.address.localeCompare(b.address, undefined, { numeric: true }));
  for (const client of seen) {
    if (appIds.has(client.address) || inGroups.has(client.address) || client.address.startsWith('consumer-')) continue;
    if (client.produced && options.now - client.lastProduced <= PRODUCER_IDLE_MS) {
      producers.push({ key: client.address, label: client.address, kind: 'producer', addresses: [client.address], status: null, lastProduced: client.lastProduced });
    } else if (options.now - client.lastSeen <= CLIENT_IDLE_MS) others.push(client.address);
  }
  const individual = [...apps.filter((a) => a.status === 'running'), ...producers, ...apps.filter((a) => a.status !== 'running')];
  const shown = individual.slice(0, MAX_PRODUCERS);
  for (const extra of individual.slice(MAX_PRODUCERS)) others.push(...extra.addresses);
  if (others.length > 0) shown.push({ key: 'clients', label: others.length === 1 ? others[0] : `${others.length} page clients`, kind: 'clients', addresses: others, status: null, lastProduced: null });
  return shown;
}

function groupsOf(state: ClusterState, options: StageOptions, newsMs: number): GroupModel[] {
  const recent = (time: number) => options.now - time <= newsMs;
  return selectGroups(state).filter((g) => g.state !== 'Dead').map((g): GroupModel => {
    const members: MemberModel[] = g.members.map((m) => {
      const address = m.clientHost.replace(/^\//, '');
      const app = state.clients[address];
      const rebalance = state.stageNotes.rebalances[address];
      const fresh = new Set<string>();
      if (rebalance && rebalance.groupId === g.groupId && recent(rebalance.assignedAt)) {
        const before = new Set(rebalance.previous.flatMap((t) => t.partitions.map((p) => tp(t.topic, p))));
        for (const t of rebalance.assigned) for (const p of t.partitions) if (!before.has(tp(t.topic, p))) fresh.add(tp(t.topic, p));
      }
      const revoked = rebalance && rebalance.groupId === g.groupId && recent(rebalance.revokedAt) ? rebalance.revoked : [];
      return {
        address, memberId: m.memberId, clientId: m.clientId, leader: m.memberId === g.leader,
        status: app && app.status !== 'running' ? app.status : 'member', assignment: m.assignment,
        // What it gave up and did not get back.
        revoked: revoked.map((t) => ({ topic: t.topic, partitions: t.partitions.filter((p) => !m.assignment.some((a) => a.topic === t.topic && a.partitions.includes(p))) })).filter((t) => t.partitions.length > 0),
        fresh: [...fresh],
      };
    });
    const memberAddresses = new Set(members.map((m) => m.address));
    for (const app of Object.values(state.clients)) {
      if (app.groupId !== g.groupId || memberAddresses.has(app.id)) continue;
      if (app.status === 'running') members.push({ address: app.id, memberId: null, clientId: app.id, leader: false, status: 'joining', assignment: [], revoked: [], fresh: [] });
      else if (app.endedAt !== null && recent(app.endedAt)) {
        // Gone from the group: what it held is what the others took over.
        const last = state.stageNotes.rebalances[app.id];
        members.push({ address: app.id, memberId: app.memberId, clientId: app.id, leader: false, status: 'left', assignment: [], revoked: last && last.groupId === g.groupId ? last.assigned : [], fresh: [] });
      }
    }
    members.sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }));
    return {
      groupId: g.groupId, state: g.state, generationId: g.generationId, protocol: g.protocol,
      coordinator: g.coordinator, coordinatorAlive: g.coordinatorAlive, members,
    };
  });
}

function breaksOf(cut: NetworkCut | null, nodes: NodeModel[]): [string, string][] {
  if (!cut) return [];
  const breaks: [string, string][] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i].side;
      const b = nodes[j].side;
      if (a && b && a.index !== b.index) breaks.push([nodes[i].address, nodes[j].address]);
    }
  }
  for (const n of nodes) if (n.address.startsWith('broker-') && n.side && !n.side.clientsReach) breaks.push(['clients', n.address]);
  return breaks.slice(0, MAX_BREAKS);
}

function notesOf(state: ClusterState, model: Omit<StageModel, 'notes' | 'breaks' | 'speed'>, options: StageOptions, newsMs: number): FaultNote[] {
  const recent = (time: number) => options.now - time <= newsMs && time <= options.now + 1000;
  const notes: FaultNote[] = [];
  for (const n of [...model.brokers, ...model.controllers]) {
    if (!n.alive && recent(n.since)) notes.push({ time: n.since, kind: 'death', text: `${n.address} killed`, nodes: [n.address] });
  }
  const s = state.stageNotes;
  // A failover elects many leaders at once, for one reason: one note.
  const rounds: ElectionNote[][] = [];
  for (const e of s.elections) {
    if (!recent(e.time)) continue;
    const round = rounds.find((r) => r[0].reason === e.reason && r[0].kind === e.kind && Math.abs(r[0].time - e.time) < 2000);
    if (round) round.push(e);
    else rounds.push([e]);
  }
  for (const round of rounds) {
    const e = round[0];
    const each = round.map((x) => (x.leader < 0 ? `${x.topic}-${x.partition} offline` : `${x.topic}-${x.partition} → broker ${x.leader} (epoch ${x.leaderEpoch}${x.previousLeader >= 0 && x.previousLeader !== x.leader ? `, was ${x.previousLeader}` : ''})`));
    const what = e.kind === 'unclean' ? 'unclean election' : e.kind === 'preferred' ? 'preferred leader election' : e.leader < 0 ? 'no leader' : 'new leader';
    const nodes = round.flatMap((x) => [x.leader, x.previousLeader]).filter((id) => id >= 0).map((id) => `broker-${id}`);
    notes.push({ time: Math.max(...round.map((x) => x.time)), kind: 'election', text: `${what}${round.length > 1 ? 's' : ''}: ${each.join(', ')}; ${e.reason}`, nodes: [...new Set(nodes)] });
  }
  for (const n of s.isr) {
    if (!recent(n.time)) continue;
    if (n.left.length > 0) notes.push({ time: n.time, kind: 'isr-shrink', text: `ISR shrink ${n.topic}-${n.partition}: ${n.left.map((id) => `broker ${id}`).join(', ')} left (${n.reason})`, nodes: n.left.map((id) => `broker-${id}`) });
    if (n.joined.length > 0) notes.push({ time: n.time, kind: 'isr-expand', text: `ISR expand ${n.topic}-${n.partition}: ${n.joined.map((id) => `broker ${id}`).join(', ')} rejoined (${n.reason})`, nodes: n.joined.map((id) => `broker-${id}`) });
  }
  for (const t of s.truncations) {
    if (!recent(t.time)) continue;
    const cut = t.from - 1 === t.to ? `offset ${t.to}` : `offsets ${t.to}–${t.from - 1}`;
    notes.push({ time: t.time, kind: 'truncation', text: `${t.node} truncated ${t.topic}-${t.partition} to ${t.to}, cutting ${cut} (${t.reason})`, nodes: [t.node] });
  }
  for (const [address, r] of Object.entries(s.rebalances)) {
    const revoked = recent(r.revokedAt) && r.revoked.some((t) => t.partitions.length > 0);
    const assigned = recent(r.assignedAt);
    if (!revoked && !assigned) continue;
    const parts = [revoked ? `revoked ${partitionsText(r.revoked)}` : '', assigned ? `assigned ${partitionsText(r.assigned) || 'nothing'}` : ''].filter(Boolean);
    notes.push({ time: Math.max(revoked ? r.revokedAt : -Infinity, assigned ? r.assignedAt : -Infinity), kind: 'rebalance', text: `group ${r.groupId} generation ${r.generationId}: ${address} ${parts.join(', ')}`, nodes: [address] });
  }
  const leader = model.controllers.find((c) => c.alive && c.state === 'Leader' && c.epoch === model.quorum.epoch);
  const leaderSince = leader ? state.controllers[leader.address]?.stateSince ?? -Infinity : -Infinity;
  if (leader && recent(leaderSince) && model.controllers.length > 1) {
    const voters = model.quorum.votes.filter((v) => v.to === leader.id).map((v) => v.from);
    notes.push({ time: leaderSince, kind: 'quorum', text: `controller ${leader.id} leads the quorum in epoch ${leader.epoch}, with the votes of ${[leader.id, ...voters].join(', ')}`, nodes: [leader.address] });
  }
  return notes.sort((a, b) => b.time - a.time);
}

export function stageModel(state: ClusterState, options: StageOptions): StageModel {
  const newsMs = NOTE_MS * Math.max(1, state.speed);
  const { controllers, quorum } = controllersOf(state, options, newsMs);
  const brokers = brokersOf(state, options, newsMs);
  const groups = groupsOf(state, options, newsMs);
  const inGroups = new Set(groups.flatMap((g) => g.members.map((m) => m.address)));
  const producers = producersOf(state, options, inGroups);
  const base = { controllers, quorum, brokers, producers, groups, network: state.network };
  return {
    ...base,
    breaks: breaksOf(state.network, [...controllers, ...brokers]),
    notes: notesOf(state, base, options, newsMs),
    speed: state.speed,
  };
}
