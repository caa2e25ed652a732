import { ensureConsumers, ensureProducer, ensureTopic, stopClients } from '../actions';
import { eventsOf, groupOf, groupSettled, isAcknowledged, runningClients } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-groups';
const GROUP = 'tutorial-billing';
const AUDIT = 'tutorial-audit';

const addConsumer = (count: number) => ensureConsumersFor(GROUP, count);
function ensureConsumersFor(groupId: string, count: number, processingDelayMs = 0) {
  return (api: Parameters<typeof ensureConsumers>[0]) => ensureConsumers(api, { groupId, topics: [TOPIC], processingDelayMs, autoCommitInterval: 1000 }, count);
}

export const groupsTutorial: Tutorial = {
  id: 'consumer-groups',
  title: '7. Consumer groups',
  summary: 'Partitions shared among a group\'s consumers; rebalances when one joins or crashes; committed offsets and lag; several groups on one topic.',
  steps: [
    {
      id: 'setup',
      title: 'A topic with traffic',
      text: 'Create tutorial-groups with 3 partitions and start a producer sending 6 keyed records a second to it.',
      action: {
        kind: 'produce', label: 'Create tutorial-groups and start a producer',
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 3 });
          await ensureProducer(api, { topic: TOPIC, ratePerSec: 6, keys: 6 });
        },
      },
      waitingFor: 'records acknowledged on tutorial-groups',
      done: ({ events }) => events.some(isAcknowledged(TOPIC, -1)),
    },
    {
      id: 'one-consumer',
      title: 'One consumer gets every partition',
      text: 'Start a consumer in the group tutorial-billing. It finds the group\'s coordinator (the broker leading the group\'s partition of __consumer_offsets), joins (JoinGroup), and, being alone, gets all 3 partitions (SyncGroup). The group is Stable.',
      action: { kind: 'consume', label: 'Start a consumer in tutorial-billing', run: addConsumer(1) },
      waitingFor: 'tutorial-billing Stable, its member owning all 3 partitions',
      done: ({ cluster }) => groupSettled(cluster, GROUP, TOPIC, 1),
    },
    {
      id: 'add-consumer',
      title: 'Add a consumer: a rebalance',
      text: 'Start a second consumer in the same group. Its JoinGroup starts a rebalance: every member rejoins, the group leader (a consumer, not the broker) computes a new assignment with the agreed assignor, and the coordinator hands it out. The partitions are now shared: 2 and 1.',
      action: { kind: 'consume', label: 'Start a second consumer in tutorial-billing', run: addConsumer(2) },
      waitingFor: 'tutorial-billing Stable with 2 members sharing the 3 partitions',
      done: ({ cluster }) => groupSettled(cluster, GROUP, TOPIC, 2),
    },
    {
      id: 'third-consumer',
      title: 'One partition each',
      text: 'Start a third. With 3 members and 3 partitions each gets one. A fourth would get none: a partition is read by one member of a group at a time, so partitions cap a group\'s parallelism.',
      action: { kind: 'consume', label: 'Start a third consumer in tutorial-billing', run: addConsumer(3) },
      waitingFor: 'tutorial-billing Stable with 3 members, one partition each',
      done: ({ cluster }) => groupSettled(cluster, GROUP, TOPIC, 3) && (groupOf(cluster, GROUP)?.members.every((m) => m.assignment.flatMap((a) => a.partitions).length === 1) ?? false),
    },
    {
      id: 'crash',
      title: 'A consumer crashes',
      text: 'Crash one consumer: its worker is terminated, with no LeaveGroup. The coordinator notices only when it has had no heartbeat for session.timeout.ms (6000 here, scaled by the playground\'s speed), removes it, and rebalances: its partition goes to one of the two left. They start from the group\'s committed offsets, so what the crashed one processed but did not commit is processed again.',
      action: {
        kind: 'kill', label: 'Crash a consumer of tutorial-billing',
        run: async (api) => {
          const victim = runningClients(api.cluster.describe(), { kind: 'consumer', groupId: GROUP }).at(-1);
          if (!victim) throw new Error('no consumer of tutorial-billing is running');
          api.cluster.killClient(victim.id);
        },
      },
      waitingFor: 'tutorial-billing Stable again with the crashed member gone, its partition taken over',
      done: ({ cluster, events }) => {
        const killed = eventsOf(events, 'client-killed').map((e) => `/${e.client}`);
        const group = groupOf(cluster, GROUP);
        return killed.length > 0 && !!group && groupSettled(cluster, GROUP, TOPIC, 2)
          && group.members.every((m) => !killed.includes(m.clientHost));
      },
    },
    {
      id: 'second-group',
      title: 'Another group, its own offsets and lag',
      text: 'Start a consumer in a second group, tutorial-audit, that is slow: it spends a second on each record. Both groups read the same topic independently, each with its own committed offsets.\n\nLag is, per partition, the log end offset (the high watermark) minus the group\'s committed offset: tutorial-audit falls behind and its lag grows, while tutorial-billing keeps up. The groups table shows both, as kafka-consumer-groups.sh --describe does.',
      action: { kind: 'consume', label: 'Start a slow consumer in tutorial-audit', run: ensureConsumersFor(AUDIT, 1, 1000) },
      waitingFor: 'tutorial-audit with committed offsets and a growing lag',
      done: ({ cluster }) => {
        const audit = groupOf(cluster, AUDIT);
        const billing = groupOf(cluster, GROUP);
        const lag = (audit?.offsets ?? []).reduce((sum, o) => sum + (o.lag ?? 0), 0);
        return !!audit && !!billing && audit.state === 'Stable' && audit.offsets.some((o) => o.committed !== null)
          && billing.offsets.some((o) => o.committed !== null) && lag >= 10;
      },
    },
    {
      id: 'stop',
      title: 'Stop everything',
      text: 'Stop the consumers and the producer. Stopping cleanly, each consumer commits and sends LeaveGroup, and the groups end Empty with their offsets kept.',
      action: {
        kind: 'stop', label: 'Stop the consumers and the producer of tutorial-groups',
        run: async (api) => {
          await stopClients(api, { kind: 'consumer', topic: TOPIC });
          await stopClients(api, { kind: 'producer', topic: TOPIC });
        },
      },
      waitingFor: 'no client running on tutorial-groups',
      done: ({ cluster }) => runningClients(cluster, { topic: TOPIC }).length === 0,
    },
  ],
  realKafka: {
    text: 'The classic group protocol: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, with offsets in __consumer_offsets (OffsetCommit, OffsetFetch). Since Kafka 4.0 a new protocol (KIP-848) lets the coordinator compute assignments incrementally; the playground runs the classic one. Java\'s default assignors are RangeAssignor then CooperativeStickyAssignor; KafkaJS uses RoundRobinAssigner, as here.',
    configs: [
      { name: 'session.timeout.ms', default: '45000', note: 'Java consumer default since Kafka 3.0 (KIP-735); KafkaJS 30000; this tutorial uses 6000.' },
      { name: 'heartbeat.interval.ms', default: '3000', note: 'How often a member heartbeats (1000 in this tutorial).' },
      { name: 'max.poll.interval.ms', default: '300000', note: 'A Java consumer that does not poll for this long leaves the group (KafkaJS: rebalanceTimeout).' },
      { name: 'partition.assignment.strategy', default: '[RangeAssignor, CooperativeStickyAssignor]', note: 'Java\'s default list; KafkaJS: RoundRobinAssigner.' },
      { name: 'group.initial.rebalance.delay.ms', default: '3000', note: 'The first rebalance of an empty group waits this long for more members.' },
      { name: 'offsets.topic.num.partitions', default: '50', note: 'Partitions of __consumer_offsets (5 here); a group lives in one of them.' },
    ],
  },
};
