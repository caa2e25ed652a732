import { useState } from 'react';
import { membersWithApps, selectClients, selectGroups, type ClientDescription, type GroupDescription, type GroupMemberDescription, type GroupOffsetRow } from '../store/selectors';
import { isCoordinatorStep, latestRebalance, type RebalanceStep } from '../store/groups';
import { DEFAULT_BROKER_CONFIG, PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import type { TopicPartitions } from '../kafka/events';
import { consumerAppsOf } from './client';
import { useCluster, useDerived, usePlayground, usePlaygroundStatus } from './context';
import { formatDuration, formatTime, kafkaDefaultOf, topicPartitionsText } from './format';
import { setSelection, useSelection } from './selection';
import './panels.css';

/** Twelve distinguishable hues; a topic's partitions take consecutive ones, so they differ. */
const PALETTE = ['#2f6fde', '#e0761f', '#2f9e58', '#c23b8e', '#7a55d6', '#0f9bb0', '#c9a200', '#d0463b', '#5a8f29', '#8c5a3c', '#4c5bd4', '#d45f9a'];
const topicHash = (topic: string): number => [...topic].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
/** One colour per topic-partition, the same wherever it is drawn. */
export const partitionColor = (topic: string, partition: number): string => PALETTE[(topicHash(topic) + partition) % PALETTE.length];

function PartitionChip({ topic, partition, showTopic }: { topic: string; partition: number; showTopic: boolean }) {
  return (
    <span className="pchip" style={{ background: partitionColor(topic, partition) }} title={`${topic}-${partition}`}>
      {showTopic ? `${topic}-${partition}` : partition}
    </span>
  );
}

function Chips({ list, showTopic }: { list: readonly TopicPartitions[]; showTopic: boolean }) {
  const chips = list.flatMap((t) => t.partitions.map((p) => <PartitionChip key={`${t.topic}-${p}`} topic={t.topic} partition={p} showTopic={showTopic} />));
  return chips.length > 0 ? <span className="pchips">{chips}</span> : <span className="muted small">no partitions</span>;
}

const STATE_MEANING: Record<GroupDescription['state'], string> = {
  Empty: 'No members; the committed offsets stay in __consumer_offsets',
  PreparingRebalance: 'A rebalance started: the coordinator waits for every member to (re)send JoinGroup',
  CompletingRebalance: 'Everyone joined; the coordinator waits for the leader\'s assignment in SyncGroup',
  Stable: 'Every member has its assignment and heartbeats',
  Dead: 'No coordinator holds the group: it was unloaded (its __consumer_offsets partition moved) or deleted',
  Unknown: 'No coordinator has reported this group yet',
};

const STEP_LABEL: Record<RebalanceStep['kind'], string> = {
  join: 'JoinGroup', prepare: 'PreparingRebalance', sync: 'SyncGroup', revoke: 'revoke', assign: 'assign', stable: 'Stable', empty: 'Empty', dead: 'Dead',
  unload: 'unloaded', load: 'loaded',
};

const who = (step: RebalanceStep): string => step.node.replace(/^broker-/, 'broker ');

function stepTitle(step: RebalanceStep): string {
  const parts = topicPartitionsText(step.partitions);
  switch (step.kind) {
    case 'join': return `${step.node} sent JoinGroup (${step.detail})`;
    case 'prepare': return `coordinator ${step.node}: PreparingRebalance. ${step.detail}`;
    case 'sync': return `coordinator ${step.node}: CompletingRebalance, generation ${step.generationId}: the leader computes the assignment and sends it in SyncGroup. ${step.detail}`;
    case 'revoke': return `${step.node} revoked ${parts || 'nothing'} (generation ${step.generationId})`;
    case 'assign': return `${step.node} was assigned ${parts || 'nothing'} in generation ${step.generationId} (${step.detail})`;
    case 'stable': return `coordinator ${step.node}: Stable in generation ${step.generationId}. ${step.detail}`;
    case 'empty': return `coordinator ${step.node}: Empty. ${step.detail}`;
    case 'dead': return `${step.node}: Dead. ${step.detail}`;
    case 'unload': return `${step.node} stopped coordinating the group: ${step.detail}`;
    case 'load': return `${step.node} coordinates the group now: ${step.detail}`;
  }
}

/**
 * The latest rebalance as it happens: each step appears when its event arrives (new chips
 * flash in), placed in order with its time since the round began.
 */
function StepStrip({ groupId, state }: { groupId: string; state: GroupDescription['state'] }) {
  const all = useCluster((s) => s.groups[groupId]?.steps);
  if (!all || all.length === 0) return null;
  const moves = all.filter((s) => isCoordinatorStep(s.kind));
  const moveLine = (since: number) => {
    const shown = moves.filter((m) => m.time >= since).slice(-2).sort((a, b) => a.time - b.time);
    return shown.length > 0 && (
      <div className="coordinator-move small" title={shown.map(stepTitle).join('\n')}>
        {shown.map((m) => (m.kind === 'load'
          ? `coordinator moved${m.from ? ` from ${who({ ...m, node: m.from })}` : ''} to ${who(m)}, which loaded the group from __consumer_offsets (${formatTime(m.time)})`
          : `${who(m)} stopped coordinating it (${formatTime(m.time)})`)).join(' · ')}
      </div>
    );
  };
  const latest = latestRebalance(all, state);
  if (!latest) return moveLine(-Infinity) || null;
  const { steps: current, start, end, settled, previousMs } = latest;
  return (
    <div className="rebalance" aria-label={`Rebalance steps of ${groupId}`}>
      <div className="rebalance-head small">
        <b>Last rebalance</b>
        <span className="muted">
          {settled ? `settled in ${formatDuration(end - start)}` : state === 'Empty' || state === 'Dead' ? '' : 'in progress…'}
          {previousMs !== null && ` · the one before took ${formatDuration(previousMs)}`}
        </span>
      </div>
      <ol className="rb-steps">
        {current.map((step) => (
          <li key={step.seq} className={`rb-step rb-step-${step.kind}`} title={stepTitle(step)}>
            <span className="rb-step-name">{STEP_LABEL[step.kind]}</span>
            <span className="rb-step-who">{step.kind === 'stable' || step.kind === 'sync' ? `gen ${step.generationId}` : who(step)}</span>
            {(step.kind === 'assign' || step.kind === 'revoke') && <Chips list={step.partitions} showTopic={false} />}
            <span className="rb-step-time">+{formatDuration(step.time - start)}</span>
          </li>
        ))}
      </ol>
      {moveLine(start)}
    </div>
  );
}

function AppButtons({ app }: { app: ClientDescription }) {
  const playground = usePlayground();
  const apps = consumerAppsOf(playground);
  const running = usePlaygroundStatus().kind === 'running';
  const [error, setError] = useState<string | null>(null);
  if (app.status !== 'running') return null;
  const act = (action: 'stop' | 'kill') => {
    setError(null);
    Promise.resolve()
      .then(() => (action === 'stop' ? apps.stopClient(app.id) : apps.killClient(app.id)))
      .catch((e: Error) => setError(e.message));
  };
  return (
    <span className="app-buttons">
      <button type="button" className="small-button" disabled={!running} onClick={() => act('stop')} aria-label={`Stop ${app.id}`}
        title="consumer.disconnect(): commits, sends LeaveGroup, and the group rebalances at once">Stop</button>
      <button type="button" className="small-button kill" disabled={!running} onClick={() => act('kill')} aria-label={`Kill ${app.id}`}
        title="Terminates its Web Worker: a crash. No LeaveGroup: the coordinator removes it only after session.timeout.ms without a heartbeat">Kill</button>
      {error && <span className="node-error" role="alert">{error}</span>}
    </span>
  );
}

const STATUS_TEXT: Record<ClientDescription['status'], string> = { running: 'running', stopped: 'stopped (left)', killed: 'killed' };

/** One consumer of the group: a member (with its application, when it is one of the page's) or an application not (or no longer) a member. */
function ConsumerRow({ member, app, leader, showTopic }: { member: GroupMemberDescription | null; app: ClientDescription | null; leader: boolean; showTopic: boolean }) {
  const name = app?.id ?? member?.clientId ?? '?';
  const status = app?.status ?? null;
  const title = member ? `member id ${member.memberId} · client id ${member.clientId} · host ${member.clientHost} · session.timeout.ms ${member.sessionTimeoutMs}` : 'Not a member of the group';
  return (
    <li className={`consumer${status && status !== 'running' ? ` is-${status}` : ''}${member ? '' : ' not-member'}`} data-client={name}>
      <div className="consumer-head">
        <b className="consumer-name" title={title}>{name}</b>
        {leader && <span className="leader-badge" title="The group leader: its consumer computes the assignment and sends it in SyncGroup">★ leader</span>}
        {status && <span className={`app-status app-${status}`}>{STATUS_TEXT[status]}</span>}
        {member
          ? <Chips list={member.assignment} showTopic={showTopic} />
          : <span className="muted small">{status === 'running' ? 'joining the group…' : 'not a member'}</span>}
        <span className="spacer" />
        {app && <span className="muted small processed" title="Records its eachMessage handler finished">{app.processed} processed</span>}
        {app && <AppButtons app={app} />}
      </div>
      {member && status === 'killed' && (
        <div className="killed-note small">
          Killed, but still a member: the coordinator removes it when <code>session.timeout.ms</code> ({member.sessionTimeoutMs} ms) passes without a heartbeat, then rebalances.
        </div>
      )}
    </li>
  );
}

const dash = (n: number | null) => (n === null ? '-' : n);

function OffsetsTable({ group }: { group: GroupDescription }) {
  if (group.offsets.length === 0) return <p className="muted small">No partitions assigned or committed yet.</p>;
  return (
    <div className="table-scroll">
      <table className="group-offsets" aria-label={`kafka-consumer-groups.sh --describe --group ${group.groupId}`}>
        <thead>
          <tr>
            <th scope="col">GROUP</th>
            <th scope="col">TOPIC</th>
            <th scope="col" className="num">PARTITION</th>
            <th scope="col" className="num" title="The group's committed offset: the next record it will read after a restart or rebalance">CURRENT-<wbr />OFFSET</th>
            <th scope="col" className="num" title="The partition leader's high watermark (what ListOffsets latest returns)">LOG-END-<wbr />OFFSET</th>
            <th scope="col" className="num" title="LOG-END-OFFSET - CURRENT-OFFSET: records not yet committed as consumed">LAG</th>
            <th scope="col">CONSUMER-ID</th>
          </tr>
        </thead>
        <tbody>
          {group.offsets.map((row: GroupOffsetRow) => (
            <tr key={`${row.topic}-${row.partition}`} data-partition={`${row.topic}-${row.partition}`}>
              <td className="mono ellipsis" title={group.groupId}>{group.groupId}</td>
              <td className="mono">{row.topic}</td>
              <td className="num"><PartitionChip topic={row.topic} partition={row.partition} showTopic={false} /></td>
              <td className="num mono">{dash(row.committed)}</td>
              <td className="num mono">{dash(row.logEndOffset)}</td>
              <td className={`num mono lag${row.lag === null ? '' : row.lag === 0 ? ' lag-zero' : ' lag-some'}`}>{dash(row.lag)}</td>
              <td className="mono ellipsis consumer-id" title={row.consumerId ? `${row.consumerId} (client id ${row.clientId})` : 'No member is assigned this partition'}>
                {row.consumerId ?? '-'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GroupCard({ group, apps }: { group: GroupDescription; apps: ClientDescription[] }) {
  const coordinatorDown = group.coordinator !== null && !group.coordinatorAlive;
  const topics = new Set(group.offsets.map((r) => r.topic));
  const showTopic = topics.size > 1;
  const { rows, others: shownOthers } = membersWithApps(group.members, apps);
  const selection = useSelection();
  const selected = selection?.groupId === group.groupId && selection.topic === undefined;
  // The group for the stage to highlight: its coordinator and its members' applications.
  const select = () => setSelection(selected ? null : {
    nodes: [...(group.coordinator !== null ? [`broker-${group.coordinator}`] : []), ...group.members.map((m) => m.clientHost.replace(/^\//, ''))],
    groupId: group.groupId,
    label: `group ${group.groupId}: ${group.state}, generation ${group.generationId}, coordinator ${group.coordinator ?? 'unknown'}, ${group.members.length} member${group.members.length === 1 ? '' : 's'}`,
  });
  return (
    <section className={`group-card group-${group.state.toLowerCase()}${selected ? ' is-selected' : ''}`} aria-label={`Consumer group ${group.groupId}`} data-group={group.groupId}>
      <div className="group-head">
        <h3 className="mono">
          <button type="button" className="link-button group-pick" onClick={select} aria-pressed={selected} title="Highlight the group's coordinator and members">{group.groupId}</button>
        </h3>
        <span className={`gstate gstate-${group.state.toLowerCase()}`} title={STATE_MEANING[group.state]} data-testid={`group-state-${group.groupId}`}>{group.state}</span>
        {group.generationId >= 0 && <span title="Each completed rebalance starts a new generation; a member of an older one gets ILLEGAL_GENERATION">generation <b>{group.generationId}</b></span>}
        {group.protocol && <span title="The assignor every member supports, chosen in JoinGroup (partition.assignment.strategy)">assignor <b className="mono">{group.protocol}</b></span>}
      </div>
      <div className="group-facts small">
        {group.coordinator !== null
          ? (
            <span className={coordinatorDown ? 'bad' : undefined}
              title={`The group coordinator is the leader of the group's __consumer_offsets partition${group.offsetsPartition !== null ? ` (${group.offsetsPartition}: abs(hash("${group.groupId}")) mod its partition count)` : ''}; clients find it with FindCoordinator`}>
              coordinator <b>broker {group.coordinator}</b>
              {group.offsetsPartition !== null && <span className="muted"> (leader of __consumer_offsets-{group.offsetsPartition})</span>}
              {coordinatorDown && ' is down: the next leader of that partition loads the group from the log'}
            </span>
          )
          : <span className="muted">no coordinator has reported it yet</span>}
        {group.reason && <span className="muted reason" title={`The coordinator's last change: ${group.reason}`}>{group.reason}</span>}
      </div>
      <StepStrip groupId={group.groupId} state={group.state} />
      <ul className="consumers" aria-label={`Members of ${group.groupId}`}>
        {rows.map(({ member, app }) => <ConsumerRow key={member.memberId} member={member} app={app} leader={member.memberId === group.leader} showTopic={showTopic} />)}
        {shownOthers.map((app) => <ConsumerRow key={app.id} member={null} app={app} leader={false} showTopic={showTopic} />)}
      </ul>
      <OffsetsTable group={group} />
    </section>
  );
}

/** Consumer groups beside the cluster: members and assignments, rebalances as they happen, offsets and lag. */
export function GroupsView() {
  const groups = useDerived((s) => [s.groups, s.committed, s.clients, s.replicas, s.metadata, s.nodes], selectGroups);
  const clients = useDerived((s) => [s.clients], selectClients);
  const offsetsPartitions = useCluster((s) => s.metadata.topics.get('__consumer_offsets')?.partitions.length ?? null);
  const configured = DEFAULT_BROKER_CONFIG['offsets.topic.num.partitions'];
  return (
    <section className="panel groups-panel" aria-labelledby="groups-title">
      <div className="panel-head">
        <h2 id="groups-title">Consumer groups</h2>
        <span className="muted small">like <code>kafka-consumer-groups.sh --describe</code></span>
      </div>
      <p className="intro">
        Each consumer is an application in its own Web Worker. A group&apos;s coordinator is the broker leading its
        partition of <code>__consumer_offsets</code>, where committed offsets are records.
        {' '}<span className="default-note" title={PLAYGROUND_DEFAULT_NOTES['offsets.topic.num.partitions']}>
          <code>offsets.topic.num.partitions</code> is <b>{offsetsPartitions ?? configured}</b> here; Kafka&apos;s default is {kafkaDefaultOf('offsets.topic.num.partitions') ?? '50'}.
        </span>
      </p>
      {groups.length === 0
        ? <p className="muted small">No consumer groups yet: start a consumer under Client applications.</p>
        : groups.map((g) => <GroupCard key={g.groupId} group={g} apps={clients.filter((c) => c.groupId === g.groupId)} />)}
      {groups.length > 0 && (
        <p className="legend small muted">
          A rebalance: members send <b>JoinGroup</b> (the coordinator is <b>PreparingRebalance</b>); the first to join leads and
          computes the assignment, sent in <b>SyncGroup</b> (<b>CompletingRebalance</b>); each member then <b>revokes</b> what it
          loses and is <b>assigned</b> its partitions (eager assignors revoke everything first; cooperative-sticky only what moves).
          A partition&apos;s colour is the same everywhere. Timeouts run on the cluster clock, at the speed chosen above.
        </p>
      )}
    </section>
  );
}
