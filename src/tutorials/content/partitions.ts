import { partitionForKey } from '../../kafka/client/partitioner';
import { ensureTopic, produce } from '../actions';
import { leaderAppends, topicReady } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-keys';
const TOPIC_4 = 'tutorial-keys-4';
const KEYS = ['alice', 'bob', 'carol', 'dave'];

/** How many of `keys` go to each partition of a topic with `partitions` partitions. */
function expectedCounts(keys: readonly string[], partitions: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const key of keys) {
    const p = partitionForKey(key, partitions);
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return counts;
}

/** Each expected partition got at least its records. */
const appendedAsExpected = (appended: Map<number, number>, expected: Map<number, number>): boolean =>
  [...expected].every(([p, n]) => (appended.get(p) ?? 0) >= n);

// Computed with the producers' own partitioner (murmur2), so the text says what will happen.
const placement = (partitions: number) => KEYS.map((k) => `${k} → ${partitionForKey(k, partitions)}`).join(', ');
const moved = KEYS.filter((k) => partitionForKey(k, 3) !== partitionForKey(k, 4));
const ALICE = partitionForKey('alice', 3);

export const partitionsTutorial: Tutorial = {
  id: 'topics-and-partitions',
  title: '2. Topics and partitions',
  summary: 'Keys pick partitions with murmur2; one key keeps its order; null keys spread out; more partitions move keys.',
  steps: [
    {
      id: 'create',
      title: 'A topic with three partitions',
      text: 'Partitions are how a topic grows beyond one machine: each is a separate log, with its own leader, and different partitions can be written and read in parallel.\n\nCreate tutorial-keys with 3 partitions.',
      action: {
        kind: 'create', label: 'Create topic tutorial-keys with 3 partitions',
        run: (api, tools) => ensureTopic(api, tools, { topic: TOPIC, partitions: 3 }),
      },
      waitingFor: 'topic tutorial-keys with a leader for each of its 3 partitions',
      done: ({ cluster }) => topicReady(cluster, TOPIC, 3),
    },
    {
      id: 'keys',
      title: 'A key picks the partition',
      text: `The producer, not the broker, chooses the partition. For a record with a key, Kafka's default partitioner takes murmur2(key) mod the number of partitions, the same in the Java client and KafkaJS. With 3 partitions: ${placement(3)}.\n\nProduce one record for each of these keys.`,
      action: {
        kind: 'produce', label: `Produce records with keys ${KEYS.join(', ')}`,
        run: (api) => produce(api, TOPIC, KEYS.map((key) => ({ key, value: `hello from ${key}` }))),
      },
      waitingFor: `each key's record in its partition (${placement(3)})`,
      done: ({ events }) => appendedAsExpected(leaderAppends(events, TOPIC), expectedCounts(KEYS, 3)),
    },
    {
      id: 'order',
      title: 'One key, one partition, in order',
      text: `Produce five records with the key alice. All of them go to partition ${ALICE}, one after the other, so whoever reads partition ${ALICE} sees alice's records in the order they were sent. Kafka orders records within a partition, never across partitions: give related records the same key.`,
      action: {
        kind: 'produce', label: 'Produce 5 records with key alice',
        run: (api) => produce(api, TOPIC, [1, 2, 3, 4, 5].map((n) => ({ key: 'alice', value: `alice #${n}` }))),
      },
      waitingFor: `5 records appended to partition ${ALICE}, none elsewhere`,
      done: ({ events }) => {
        const appended = leaderAppends(events, TOPIC);
        return (appended.get(ALICE) ?? 0) >= 5 && [...appended.keys()].every((p) => p === ALICE);
      },
    },
    {
      id: 'null-keys',
      title: 'No key: spread out',
      text: 'Produce six records without a key. KafkaJS\'s default partitioner sends them round-robin over the partitions that have a leader: two each here.\n\nThe Java client does otherwise: it sticks to one partition until the batch is full or sent, then moves on (the sticky partitioner, KIP-480; since Kafka 3.3 the uniform sticky partitioner, KIP-794), so batches are bigger. The playground\'s clients behave as KafkaJS.',
      action: {
        kind: 'produce', label: 'Produce 6 records without a key',
        run: (api) => produce(api, TOPIC, [1, 2, 3, 4, 5, 6].map((n) => ({ key: null, value: `no key #${n}` }))),
      },
      waitingFor: 'records without a key appended to all 3 partitions',
      done: ({ events }) => [0, 1, 2].every((p) => (leaderAppends(events, TOPIC).get(p) ?? 0) > 0),
    },
    {
      id: 'more-partitions',
      title: 'More partitions move keys',
      text: `Adding partitions changes the modulus, so keys move: with 4 partitions, ${placement(4)}${moved.length > 0 ? ` (${moved.join(', ')} moved)` : ''}. Records already written stay where they are, so a key's old records and new records end up in different partitions, and its order is broken across the change.\n\nThe playground has no CreatePartitions yet (kafka-topics.sh --alter --partitions 4), so compare with a second topic, tutorial-keys-4, with 4 partitions, and the same keys.`,
      action: {
        kind: 'produce', label: 'Create tutorial-keys-4 (4 partitions) and produce the same keys',
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC_4, partitions: 4 });
          await produce(api, TOPIC_4, KEYS.map((key) => ({ key, value: `hello again from ${key}` })));
        },
      },
      waitingFor: `each key's record in its partition of tutorial-keys-4 (${placement(4)})`,
      done: ({ events, cluster }) => topicReady(cluster, TOPIC_4, 4) && appendedAsExpected(leaderAppends(events, TOPIC_4), expectedCounts(KEYS, 4)),
    },
  ],
  realKafka: {
    text: 'The Java producer\'s built-in partitioner hashes a key with murmur2 (Utils.murmur2, toPositive, mod partitions), as here; records without a key are spread by the uniform sticky partitioner (KIP-794). kafka-topics.sh --alter --partitions N adds partitions (never removes them): keys then move, which is why topics that rely on key order are created with enough partitions from the start.',
    configs: [
      { name: 'num.partitions', default: '1', note: 'Partitions of a topic created without a count (auto-created topics).' },
      { name: 'partitioner.class', default: 'null', note: 'null: the built-in partitioner (murmur2 for keys, uniform sticky without a key).' },
      { name: 'partitioner.ignore.keys', default: 'false', note: 'true spreads even keyed records as if they had no key.' },
      { name: 'linger.ms', default: '5', note: 'How long the Java producer waits to fill a batch (0 before Kafka 4.0, KIP-1030). KafkaJS has no linger.' },
      { name: 'batch.size', default: '16384', note: 'The most bytes of one batch per partition.' },
    ],
  },
};
