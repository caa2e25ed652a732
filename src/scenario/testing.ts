/**
 * A fake window.playground for unit tests of scenarios and experiments: it records every call
 * and answers describe() from a description the test sets. Not used by the app.
 */
import type { ClusterEvent } from '../cluster/events';
import type { ClusterDescription, PartitionDescription } from '../store/selectors';
import type { ScenarioApi } from './apply';

export interface FakePartition { leader: number; isr: number[]; replicas?: number[]; leaderEpoch?: number; highWatermark?: number }

/** A cluster description with `brokers`, `controllers` (ids 1000+), the active one, and topics' partitions. */
export function fakeDescription(options: {
  brokers?: number; controllers?: number; active?: number | null; dead?: number[];
  topics?: Record<string, FakePartition[]>; quorumEpoch?: number;
}): ClusterDescription {
  const brokers = options.brokers ?? 3;
  const controllers = options.controllers ?? 1;
  const dead = new Set(options.dead ?? []);
  const active = options.active === undefined ? 1000 : options.active;
  const epoch = options.quorumEpoch ?? 1;
  return {
    brokers: Array.from({ length: brokers }, (_, i) => ({ id: i + 1, alive: !dead.has(i + 1), state: 'RUNNING', rack: null, fenced: dead.has(i + 1) })),
    controllers: Array.from({ length: controllers }, (_, i) => ({
      id: 1000 + i, alive: !dead.has(1000 + i), state: 1000 + i === active ? 'Leader' : 'Follower', epoch, votedFor: null, leaderId: active,
      logEndOffset: 0, committedOffset: 0, active: 1000 + i === active, leader: 1000 + i === active, reason: '',
    })) as ClusterDescription['controllers'],
    activeController: active,
    quorum: { epoch, leaderId: active, voters: controllers, live: controllers, majority: Math.floor(controllers / 2) + 1 },
    topics: Object.entries(options.topics ?? {}).map(([name, partitions]) => ({
      name, topicId: name, internal: false, configs: {},
      partitions: partitions.map((p, i): PartitionDescription => ({
        partition: i, leader: p.leader, leaderEpoch: p.leaderEpoch ?? 0, replicas: p.replicas ?? [1, 2, 3], isr: p.isr,
        highWatermark: p.highWatermark ?? 0, logEndOffset: p.highWatermark ?? 0, logStartOffset: 0,
        state: p.leader < 0 ? 'offline' : 'online', minInsyncReplicas: 1, pendingIsr: null, replicaDetails: [],
      })),
      underReplicatedPartitions: 0, offlinePartitions: 0,
    })),
    network: { cut: null, text: 'no partition' },
    groups: [],
    clients: [],
  };
}

export interface FakeApi extends ScenarioApi {
  calls: string[];
  description: ClusterDescription;
  emit(events: ClusterEvent[]): void;
  admin: { created: unknown[] };
  /** Partition 0 of each topic as an in-memory log of values: what producers append and readers read. */
  logs: Map<string, string[]>;
  cluster: ScenarioApi['cluster'] & { setVisualLatency(ms: number): void };
}

/** Records calls as 'killBroker 2', 'startProducer {"topic":"orders"}', ...; describe() returns `description`. */
export function fakeApi(description: ClusterDescription): FakeApi {
  const calls: string[] = [];
  const listeners = new Set<(events: readonly ClusterEvent[]) => void>();
  let producers = 0;
  let consumers = 0;
  const created: unknown[] = [];
  const logs = new Map<string, string[]>();
  const log = (topic: string): string[] => {
    if (!logs.has(topic)) logs.set(topic, []);
    return logs.get(topic)!;
  };
  const api: FakeApi = {
    calls,
    description,
    admin: { created },
    logs,
    emit: (events) => { for (const l of listeners) l(events); },
    kafka: (() => ({
      producer: () => ({
        connect: async () => {},
        disconnect: async () => {},
        send: async ({ topic, messages }: { topic: string; messages: { value: string }[] }) => {
          const offset = log(topic).push(...messages.map((m) => m.value)) - messages.length;
          return [{ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(offset) }];
        },
      }),
      partitionReader: () => ({
        offsets: async (topic: string) => ({ leader: 1, logStartOffset: 0, highWatermark: log(topic).length }),
        read: async (topic: string, _partition: number, offset: number) => ({
          records: log(topic).slice(offset).map((value, i) => ({ offset: offset + i, value: new TextEncoder().encode(value) })),
          nextOffset: log(topic).length,
        }),
      }),
      admin: () => ({
        connect: async () => { calls.push('admin.connect'); },
        disconnect: async () => { calls.push('admin.disconnect'); },
        createTopics: async (request: { topics: unknown[] }) => {
          calls.push(`createTopics ${JSON.stringify(request.topics)}`);
          created.push(...request.topics);
          return true;
        },
      }),
    })) as unknown as ScenarioApi['kafka'],
    cluster: {
      describe: () => api.description,
      reset: async (options) => { calls.push(`reset ${JSON.stringify(options)}`); },
      killBroker: (id) => { calls.push(`killBroker ${id}`); },
      restartBroker: async (id) => { calls.push(`restartBroker ${id}`); },
      killController: (id) => { calls.push(`killController ${id}`); },
      restartController: async (id) => { calls.push(`restartController ${id}`); },
      isolate: (id, options) => { calls.push(`isolate ${id}${options?.clientsWith !== undefined ? ` clientsWith ${options.clientsWith}` : ''}`); return null; },
      partition: (groups, options) => { calls.push(`partition ${JSON.stringify(groups)}${options?.clientsWith !== undefined ? ` clientsWith ${options.clientsWith}` : ''}`); return null; },
      heal: () => { calls.push('heal'); return null; },
      startProducer: async (options) => { calls.push(`startProducer ${JSON.stringify(options)}`); return `producer-${++producers}`; },
      startConsumer: async (options) => { calls.push(`startConsumer ${JSON.stringify(options)}`); return `consumer-${++consumers}`; },
      stopClient: async (id) => { calls.push(`stopClient ${id}`); },
      killClient: (id) => { calls.push(`killClient ${id}`); },
      electPreferredLeaders: async () => { calls.push('electPreferredLeaders'); return { error: null, elected: [], notNeeded: [], failed: [] }; },
      setSpeed: (speed) => { calls.push(`setSpeed ${speed}`); },
      setVisualLatency: (ms: number) => { calls.push(`setVisualLatency ${ms}`); },
      speed: () => 1,
      isPaused: () => false,
      onEvents: (listener) => { listeners.add(listener); return () => { listeners.delete(listener); }; },
    },
  };
  return api;
}
