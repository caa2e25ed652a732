import { ensureTopic, liveFollowerOf, restartDeadNodes, setTopicConfigs, stopClients } from '../actions';
import { eventsOf, fullyInSync, indexAfter, isAcknowledged, killedBrokers, partitionOf, runningClients, topicOf } from '../conditions';
import type { ClusterEvent } from '../../cluster/events';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-acks';
const ACKS = [0, 1, -1] as const;

/** The index of the first metadata record that took broker `id` out of the partition's ISR. */
const isrShrunkAt = (events: readonly ClusterEvent[], topicId: string, id: number): number =>
  events.findIndex((e) => e.type === 'metadata-record' && e.record.type === 'PartitionChangeRecord'
    && e.record.topicId === topicId && e.record.partitionId === 0 && e.record.isr !== undefined && !e.record.isr.includes(id));

export const acksTutorial: Tutorial = {
  id: 'acks-and-durability',
  title: '4. acks and durability',
  summary: 'acks=0, 1 and all side by side; min.insync.replicas; NOT_ENOUGH_REPLICAS when too few replicas are in sync.',
  steps: [
    {
      id: 'producers',
      title: 'Three producers, three acks',
      text: 'Start three producers, each sending 2 records a second to tutorial-acks (replication factor 3, min.insync.replicas=2):\n\nacks=0: no reply at all; the producer never learns whether a record arrived.\nacks=1: the leader replies once the record is in its own log.\nacks=all (-1): the leader replies once every in-sync replica has it.\n\nThe clients panel counts what each got acknowledged.',
      action: {
        kind: 'produce', label: 'Start producers with acks=0, acks=1 and acks=all',
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 1 });
          // One of each: start over from none, so a second click does not double them.
          await stopClients(api, { kind: 'producer', topic: TOPIC });
          for (const acks of ACKS) await api.cluster.startProducer({ topic: TOPIC, acks, ratePerSec: 2 });
        },
      },
      waitingFor: 'records acknowledged for acks=0, acks=1 and acks=all',
      done: ({ events }) => ACKS.every((acks) => events.some(isAcknowledged(TOPIC, acks))),
    },
    {
      id: 'one-down',
      title: 'One follower down: writes go on',
      text: 'Kill one follower. Until the controller fences it (broker.session.timeout.ms without a heartbeat) acks=all writes wait for it; then it leaves the ISR, and with two replicas still in sync, min.insync.replicas=2 is met and acks=all writes succeed again.',
      action: {
        kind: 'kill', label: 'Kill a follower of tutorial-acks-0',
        run: async (api) => api.cluster.killBroker(liveFollowerOf(api.cluster.describe(), TOPIC, 0)),
      },
      waitingFor: 'the follower out of the ISR, then acks=all records acknowledged again',
      done: ({ events, cluster }) => {
        const topicId = topicOf(cluster, TOPIC)?.topicId;
        if (!topicId) return false;
        return killedBrokers(events).some((id) => {
          const shrunk = isrShrunkAt(events, topicId, id);
          return shrunk >= 0 && indexAfter(events, shrunk, isAcknowledged(TOPIC, -1)) >= 0;
        });
      },
    },
    {
      id: 'two-down',
      title: 'Two down: NOT_ENOUGH_REPLICAS',
      text: 'Kill the other follower. Once it leaves the ISR, only the leader is in sync: fewer than min.insync.replicas=2. The leader now refuses acks=all writes with NOT_ENOUGH_REPLICAS, without writing them, and the producer retries. acks=1 and acks=0 writes go on: they are on one broker only, and lost if it dies.',
      action: {
        kind: 'kill', label: 'Kill the other follower of tutorial-acks-0',
        run: async (api) => api.cluster.killBroker(liveFollowerOf(api.cluster.describe(), TOPIC, 0)),
      },
      waitingFor: 'NOT_ENOUGH_REPLICAS for acks=all, while acks=1 records are still acknowledged',
      done: ({ events }) => {
        const refused = events.findIndex((e) => e.type === 'request-rejected' && e.topic === TOPIC && e.error === 'NOT_ENOUGH_REPLICAS');
        return refused >= 0 && indexAfter(events, refused, isAcknowledged(TOPIC, 1)) >= 0;
      },
    },
    {
      id: 'lower-min-isr',
      title: 'Change a setting: min.insync.replicas=1',
      text: 'Set the topic\'s min.insync.replicas to 1. acks=all writes are accepted again: "all" means all in-sync replicas, and that is the leader alone now. If it dies, those acknowledged records are gone.\n\nThat is the trade-off min.insync.replicas sets: with 2, a write is refused rather than kept on a single broker.',
      action: {
        kind: 'setting', label: 'Set min.insync.replicas=1 on tutorial-acks',
        run: (api) => setTopicConfigs(api, TOPIC, { 'min.insync.replicas': '1' }),
      },
      waitingFor: 'min.insync.replicas=1 in the metadata, then acks=all records acknowledged again',
      done: ({ events }) => {
        const changed = events.findIndex((e) => e.type === 'metadata-record' && e.record.type === 'ConfigRecord'
          && e.record.resourceName === TOPIC && e.record.name === 'min.insync.replicas' && e.record.value === '1');
        return changed >= 0 && indexAfter(events, changed, isAcknowledged(TOPIC, -1)) >= 0;
      },
    },
    {
      id: 'restore',
      title: 'Back to safety',
      text: 'Restart both followers. They recover their logs, fetch what they missed, and rejoin the ISR; then set min.insync.replicas back to 2.',
      action: {
        kind: 'restart', label: 'Restart the dead brokers and set min.insync.replicas=2',
        run: async (api, tools) => {
          await restartDeadNodes(api);
          // Raised only once both are back in sync, or acks=all writes would be refused meanwhile.
          await tools.until('all 3 replicas of tutorial-acks-0 in the ISR', (cluster) => fullyInSync(cluster, TOPIC, 0));
          await setTopicConfigs(api, TOPIC, { 'min.insync.replicas': '2' });
        },
      },
      waitingFor: 'all 3 replicas in the ISR and min.insync.replicas=2',
      done: ({ cluster }) => fullyInSync(cluster, TOPIC, 0) && partitionOf(cluster, TOPIC, 0)?.minInsyncReplicas === 2,
    },
    {
      id: 'stop',
      title: 'Stop the producers',
      text: 'Stop the three producers. Each waits for the replies to what it has in flight, then disconnects. Compare their counts in the clients panel: acks=0 "acknowledged" everything it sent, knowing nothing; acks=all had failures it knew about.',
      action: {
        kind: 'stop', label: 'Stop the producers of tutorial-acks',
        run: (api) => stopClients(api, { kind: 'producer', topic: TOPIC }),
      },
      waitingFor: 'no producer running on tutorial-acks',
      done: ({ cluster, events }) => runningClients(cluster, { kind: 'producer', topic: TOPIC }).length === 0 && eventsOf(events, 'client-stopped').length > 0,
    },
  ],
  realKafka: {
    text: 'acks=all with min.insync.replicas=2 and replication factor 3 is the usual durable setup: one broker can be lost without stopping writes or losing acknowledged records. The leader checks the ISR size before appending (NOT_ENOUGH_REPLICAS) and again before answering (NOT_ENOUGH_REPLICAS_AFTER_APPEND); the producer retries both until delivery.timeout.ms.',
    configs: [
      { name: 'acks', default: 'all', note: 'Java producer default since Kafka 3.0 (KIP-679); it was 1 before. KafkaJS: -1.' },
      { name: 'min.insync.replicas', default: '1', note: 'A topic (or broker) config, read by the leader on each acks=all write.' },
      { name: 'delivery.timeout.ms', default: '120000', note: 'How long the Java producer keeps retrying a record before reporting it failed.' },
      { name: 'retries', default: '2147483647', note: 'Java producer; bounded in practice by delivery.timeout.ms. KafkaJS retries 5 times by default.' },
      { name: 'request.timeout.ms', default: '30000', note: 'How long the producer waits for one Produce reply.' },
    ],
  },
};
