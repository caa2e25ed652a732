/**
 * Metrics under Kafka's JMX names, folded from events: per second of cluster time (event times,
 * so pause and speed change nothing), over the last WINDOW_SECONDS. Rates (…PerSec,
 * LeaderElectionRateAndTimeMs) count the events of each second; gauges (UnderReplicatedPartitions,
 * OfflinePartitionsCount, ActiveControllerCount, consumer lag) are sampled from the state at the
 * start of each second. Memory is bounded: WINDOW_SECONDS values per series.
 */
import type { ClusterEvent } from '../cluster/events';
import type { ClusterState } from './clusterStore';
import { partitionEndOffset } from './selectors';

export const WINDOW_SECONDS = 60;

export type MetricKind = 'gauge' | 'rate';

export interface MetricInfo {
  /** Kafka's metric name, the MBean's `name=`. */
  name: string;
  mbean: string;
  kind: MetricKind;
  unit: string;
  /** What it counts here, in a sentence. */
  help: string;
}

/** The cluster-wide metrics, in the order the panel shows them. */
export const METRICS = [
  { name: 'MessagesInPerSec', mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', kind: 'rate', unit: 'msg/s', help: 'Records appended by partition leaders (replication excluded), summed over brokers' },
  { name: 'BytesInPerSec', mbean: 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec', kind: 'rate', unit: 'B/s', help: 'Bytes of record batches appended by partition leaders (replication excluded), summed over brokers' },
  { name: 'UnderReplicatedPartitions', mbean: 'kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions', kind: 'gauge', unit: '', help: 'Partitions whose ISR is smaller than their replica set, counted by their leaders, summed over brokers' },
  { name: 'OfflinePartitionsCount', mbean: 'kafka.controller:type=KafkaController,name=OfflinePartitionsCount', kind: 'gauge', unit: '', help: 'Partitions without a leader: nothing can be written to or read from them' },
  { name: 'ActiveControllerCount', mbean: 'kafka.controller:type=KafkaController,name=ActiveControllerCount', kind: 'gauge', unit: '', help: 'Live active controllers, summed over the quorum: 1 when healthy, 0 during an election' },
  { name: 'IsrShrinksPerSec', mbean: 'kafka.server:type=ReplicaManager,name=IsrShrinksPerSec', kind: 'rate', unit: '/s', help: 'ISR shrinks committed by the controller (AlterPartition): a replica fell behind or its broker died' },
  { name: 'IsrExpandsPerSec', mbean: 'kafka.server:type=ReplicaManager,name=IsrExpandsPerSec', kind: 'rate', unit: '/s', help: 'ISR expansions committed by the controller: a replica caught up with the leader' },
  { name: 'LeaderElectionRateAndTimeMs', mbean: 'kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs', kind: 'rate', unit: '/s', help: 'Partition leader elections by the controller (clean, unclean, preferred)' },
] as const satisfies readonly MetricInfo[];

export type MetricName = (typeof METRICS)[number]['name'];

/** The consumer lag series of a group: the largest and the total LAG of its partitions (kafka-consumer-groups.sh's LAG). */
export const lagMaxKey = (groupId: string): string => `lag-max:${groupId}`;
export const lagSumKey = (groupId: string): string => `lag-sum:${groupId}`;
export const LAG_MBEAN = 'kafka.consumer:type=consumer-fetch-manager-metrics,client-id={client-id},name=records-lag-max';

export interface MetricsWindow {
  /** The cluster-time second (time / 1000, floored) of the last value of every series; null before any event. */
  second: number | null;
  /** Per series (a MetricName, or lagMaxKey/lagSumKey of a group), one value per second, oldest first, the last being the current (incomplete) second. All the same length. */
  series: Record<string, readonly number[]>;
  /** Groups with lag series, sorted. */
  groups: readonly string[];
}

export interface MetricsState {
  metrics: MetricsWindow;
}

export const initialMetricsState = (): MetricsState => ({ metrics: { second: null, series: {}, groups: [] } });

/** What the gauges are sampled from: the store's state before the batch being folded. */
export type MetricsInput = MetricsState & Partial<Pick<ClusterState, 'metadata' | 'controllers' | 'nodes' | 'committed' | 'replicas'>>;

/** The gauges, as of `state`. */
export function sampleGauges(state: MetricsInput): Record<string, number> {
  const out: Record<string, number> = { UnderReplicatedPartitions: 0, OfflinePartitionsCount: 0, ActiveControllerCount: 0 };
  for (const topic of state.metadata?.topics.values() ?? []) {
    for (const p of topic.partitions) {
      if (!p) continue;
      if (p.leader < 0) out.OfflinePartitionsCount++;
      else if (p.isr.length < p.replicas.length) out.UnderReplicatedPartitions++;
    }
  }
  for (const c of Object.values(state.controllers ?? {})) if (c.active && state.nodes?.[c.address]?.alive) out.ActiveControllerCount++;
  if (state.metadata && state.replicas) {
    const full = state as ClusterState;
    for (const [groupId, topics] of Object.entries(state.committed ?? {})) {
      let max = 0;
      let sum = 0;
      let any = false;
      for (const [topic, partitions] of Object.entries(topics)) {
        for (const [partition, committed] of Object.entries(partitions)) {
          const end = partitionEndOffset(full, topic, Number(partition));
          if (end === null) continue;
          const lag = Math.max(0, end - committed.offset);
          any = true;
          max = Math.max(max, lag);
          sum += lag;
        }
      }
      if (any) {
        out[lagMaxKey(groupId)] = max;
        out[lagSumKey(groupId)] = sum;
      }
    }
  }
  return out;
}

/** How much each event adds to the rates of its second. */
function rateOf(event: ClusterEvent): [MetricName, number][] | null {
  switch (event.type) {
    case 'log-append':
      return event.replicated ? null : [['MessagesInPerSec', event.records], ['BytesInPerSec', event.bytes]];
    case 'isr-change': {
      if (event.phase !== 'committed') return null;
      const out: [MetricName, number][] = [];
      if (event.from.some((id) => !event.to.includes(id))) out.push(['IsrShrinksPerSec', 1]);
      if (event.to.some((id) => !event.from.includes(id))) out.push(['IsrExpandsPerSec', 1]);
      return out;
    }
    case 'leader-election':
      return event.leader >= 0 ? [['LeaderElectionRateAndTimeMs', 1]] : null;
    default:
      return null;
  }
}

const RATES: readonly string[] = METRICS.filter((m) => m.kind === 'rate').map((m) => m.name);

/** A fold over each applied batch: returns only this module's fields (the store merges them in), the same objects when nothing it tracks happened. */
export function applyMetricEvents(previous: MetricsInput, events: readonly ClusterEvent[]): MetricsState {
  let { second, series, groups } = previous.metrics;
  let changed = false;
  /** Whether `series` (and which of its arrays) were copied in this batch, so they may be written. */
  let ownSeries = false;
  const copied = new Set<string>();
  const writable = (key: string): number[] => {
    if (!ownSeries) {
      series = { ...series };
      ownSeries = true;
    }
    if (!copied.has(key)) {
      series[key] = [...(series[key] ?? [])];
      copied.add(key);
    }
    changed = true;
    return series[key] as number[];
  };
  const length = (): number => Object.values(series)[0]?.length ?? 0;
  /** Moves the window on to second `to`: rates start at 0, gauges at their value now. */
  const advance = (to: number): void => {
    const gauges = sampleGauges(previous);
    const steps = second === null ? 1 : Math.min(WINDOW_SECONDS, to - second);
    const keys = new Set([...METRICS.map((m) => m.name), ...Object.keys(series), ...Object.keys(gauges)]);
    const before = length();
    const next: Record<string, readonly number[]> = {};
    const seen = new Set<string>();
    for (const key of keys) {
      const old = series[key] ?? new Array<number>(before).fill(0);
      const value = RATES.includes(key) ? 0 : gauges[key] ?? 0;
      const values = [...old, ...new Array<number>(steps).fill(value)].slice(-WINDOW_SECONDS);
      // A group's lag series goes once the group is gone and its window holds nothing.
      if (key.startsWith('lag-') && gauges[key] === undefined && values.every((v) => v === 0)) continue;
      next[key] = values;
      if (key.startsWith('lag-max:')) seen.add(key.slice('lag-max:'.length));
    }
    series = next;
    groups = [...seen].sort();
    second = to;
    changed = true;
    ownSeries = true;
    for (const key of Object.keys(series)) copied.add(key);
  };
  for (const event of events) {
    if (event.type === 'cluster-reset') {
      second = null;
      series = {};
      groups = [];
      changed = true;
      ownSeries = true;
      copied.clear();
      continue;
    }
    const rates = rateOf(event);
    const at = Math.floor(event.time / 1000);
    if (second === null || at > second) advance(at);
    if (!rates || rates.length === 0) continue;
    // Workers' batches arrive interleaved: a late event counts in its own second while it is in the window.
    const back = second! - at;
    const n = length();
    if (back >= n) continue;
    for (const [name, amount] of rates) {
      const values = writable(name);
      values[n - 1 - back] += amount;
    }
  }
  return changed ? { metrics: { second, series, groups } } : { metrics: previous.metrics };
}

/** The value to show: a gauge's latest, a rate's last complete second (the current one is still counting). */
export function latestValue(values: readonly number[], kind: MetricKind): number {
  if (values.length === 0) return 0;
  return kind === 'rate' && values.length > 1 ? values[values.length - 2] : values[values.length - 1];
}
