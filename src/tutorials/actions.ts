/**
 * The "do it for me" actions the tutorials share, each a few calls to the playground's API:
 * the same calls a script in the console makes, on the real cluster. Each is safe to run again
 * (a second click does not start a second set of clients).
 */
import type { StartConsumerOptions } from '../runtime/clientRuntime';
import type { StartProducerOptions } from '../runtime/producerApp';
import type { ClusterDescription } from '../store/selectors';
import { CONFIG_RESOURCE_TYPES } from '../kafka/config';
import { groupOf, partitionOf, runningClients, topicOf } from './conditions';
import type { ActionTools, TutorialApi } from './types';
import { withAdmin } from '../scenario/apply';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Default 3, and min.insync.replicas 2 with it: Kafka's recommended durability. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/** Each tutorial's consumers: quick to notice a crash (group.min.session.timeout.ms), as the playground's speed scales it. */
export const TUTORIAL_CONSUMER: Pick<StartConsumerOptions, 'sessionTimeout' | 'heartbeatInterval'> = { sessionTimeout: 6000, heartbeatInterval: 1000 };

/** Runs `work` with a connected admin client of the page, then disconnects it. */
export function withTutorialAdmin<T>(api: TutorialApi, work: (admin: ReturnType<ReturnType<TutorialApi['kafka']>['admin']>) => Promise<T>): Promise<T> {
  return withAdmin(api.kafka({ clientId: 'tutorial-admin' }).admin(), work);
}

/** kafka-topics.sh --create, unless the topic is there already; then waits for its leaders. */
export async function ensureTopic(api: TutorialApi, tools: ActionTools, spec: TopicSpec): Promise<void> {
  const replicationFactor = spec.replicationFactor ?? 3;
  const configs = spec.configs ?? (replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {});
  if (!topicOf(api.cluster.describe(), spec.topic)) {
    await withTutorialAdmin(api, (admin) => admin.createTopics({
      topics: [{ topic: spec.topic, numPartitions: spec.partitions, replicationFactor, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
    }));
  }
  await tools.until(`topic ${spec.topic} with a leader for each partition`, (cluster) => {
    const topic = topicOf(cluster, spec.topic);
    return !!topic && topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0);
  });
}

/** Sends records with a producer of the page (acks=all unless told), one send() call. */
export async function produce(api: TutorialApi, topic: string, messages: { key?: string | null; value: string }[], acks: -1 | 0 | 1 = -1): Promise<void> {
  const producer = api.kafka({ clientId: 'tutorial-producer' }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks, messages });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Sets (or, with null, deletes) topic configs: kafka-configs.sh --alter --entity-type topics (IncrementalAlterConfigs). */
export async function setTopicConfigs(api: TutorialApi, topic: string, configs: Record<string, string | null>): Promise<void> {
  await withTutorialAdmin(api, (admin) => admin.incrementalAlterConfigs({
    resources: [{
      type: CONFIG_RESOURCE_TYPES.TOPIC, name: topic,
      configEntries: Object.entries(configs).map(([name, value]) => ({ name, value, operation: value === null ? 'DELETE' : 'SET' })),
    }],
  }));
}

/** Starts consumers in the group until `count` of them run. */
export async function ensureConsumers(api: TutorialApi, options: StartConsumerOptions, count: number): Promise<void> {
  const running = runningClients(api.cluster.describe(), { kind: 'consumer', groupId: options.groupId }).length;
  for (let i = running; i < count; i++) await api.cluster.startConsumer({ ...TUTORIAL_CONSUMER, ...options });
}

/** Starts a producer application on the topic unless one runs there. */
export async function ensureProducer(api: TutorialApi, options: StartProducerOptions): Promise<void> {
  if (runningClients(api.cluster.describe(), { kind: 'producer', topic: options.topic }).length > 0) return;
  await api.cluster.startProducer(options);
}

/** Stops (cleanly) every client application that matches. */
export async function stopClients(api: TutorialApi, filter: Parameters<typeof runningClients>[1]): Promise<void> {
  for (const client of runningClients(api.cluster.describe(), filter)) await api.cluster.stopClient(client.id);
}

/** Stops the group's consumers, then waits until the coordinator has no members left (offsets can be reset only then). */
export async function emptyGroup(api: TutorialApi, tools: ActionTools, groupId: string): Promise<void> {
  await stopClients(api, { kind: 'consumer', groupId });
  await tools.until(`group ${groupId} without members`, (cluster) => (groupOf(cluster, groupId)?.members.length ?? 0) === 0);
}

/** kafka-consumer-groups.sh --reset-offsets for one partition (the group must have no members). */
export async function setGroupOffset(api: TutorialApi, groupId: string, topic: string, partition: number, offset: number): Promise<void> {
  await withTutorialAdmin(api, (admin) => admin.setOffsets({ groupId, topic, partitions: [{ partition, offset: String(offset) }] }));
}

/** The partition's current leader; throws when it has none (a condition should have said so first). */
export function leaderOf(cluster: ClusterDescription, topic: string, partition: number): number {
  const p = partitionOf(cluster, topic, partition);
  if (!p || p.leader < 0) throw new Error(`${topic}-${partition} has no leader right now`);
  return p.leader;
}

/** A follower of the partition that is alive and in the ISR (the last such in the replica list). */
export function liveFollowerOf(cluster: ClusterDescription, topic: string, partition: number): number {
  const p = partitionOf(cluster, topic, partition);
  const follower = p?.replicaDetails.filter((r) => !r.leader && r.alive && r.inIsr).at(-1);
  if (!follower) throw new Error(`${topic}-${partition} has no live in-sync follower right now`);
  return follower.broker;
}

/** Restarts every broker and controller that is down. */
export async function restartDeadNodes(api: TutorialApi): Promise<void> {
  const cluster = api.cluster.describe();
  for (const b of cluster.brokers) if (!b.alive) await api.cluster.restartBroker(b.id);
  for (const c of cluster.controllers) if (!c.alive) await api.cluster.restartController(c.id);
}
