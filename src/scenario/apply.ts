/**
 * Builds a scenario through window.playground's public API, as a script would: a fresh cluster
 * of the scenario's shape (cluster.reset), its topics (an Admin's createTopics with
 * configEntries), its client applications (startProducer / startConsumer), then its faults, each
 * at its time on the cluster clock.
 */
import type { PlaygroundApi } from '../playground';
import { clusterClock, wallSleep, type ClusterClock } from './clock';
import { validateScenario, type Scenario, type ScenarioFault } from './scenario';
import { faultText } from './summary';
import { nodeName, resolveClient, resolveNode, type Refs } from './targets';

/** What building a scenario needs of window.playground (a fake in unit tests). */
export interface ScenarioApi {
  kafka: PlaygroundApi['kafka'];
  cluster: Pick<PlaygroundApi['cluster'],
    'describe' | 'reset' | 'killBroker' | 'restartBroker' | 'killController' | 'restartController' | 'isolate' | 'partition' | 'heal'
    | 'startConsumer' | 'startProducer' | 'stopClient' | 'killClient' | 'electPreferredLeaders' | 'setSpeed' | 'speed' | 'isPaused' | 'onEvents'>;
}

export type ScenarioProgress =
  | { phase: 'reset' | 'topics' | 'clients'; text: string }
  | { phase: 'fault'; index: number; text: string; at: number; error?: string }
  | { phase: 'done'; text: string };

export interface ApplyOptions {
  onProgress?: (progress: ScenarioProgress) => void;
  signal?: AbortSignal;
  /** The cluster clock (the page passes playground.host.now); estimated from events otherwise. */
  now?: () => number;
}

export interface AppliedScenario {
  clientIds: string[];
  /** Each fault with the cluster time (after the start) it ran at, and its error if it could not. */
  faults: { fault: ScenarioFault; atMs: number; text: string; error?: string }[];
}

/** What a fault needs to find its targets and remember them. */
export interface FaultContext {
  refs: Refs;
  clientIds: readonly string[];
}

/**
 * Runs one fault now; returns what it did in words ("killed broker 2, the leader of orders-0").
 * Throws when its target cannot be found (a partition with no leader, a client never started).
 */
export async function runFault(api: ScenarioApi, fault: ScenarioFault, context: FaultContext): Promise<string> {
  const cluster = api.cluster;
  const node = (target: number | string) => resolveNode(target, cluster.describe(), context.refs);
  const remember = (value: number | string) => {
    if ('as' in fault && fault.as) context.refs.set(fault.as, value);
  };
  const said = faultText(fault);
  switch (fault.action) {
    case 'killBroker': case 'restartBroker': case 'killController': case 'restartController': {
      const id = node(fault.target);
      remember(id);
      if (fault.action === 'killBroker') cluster.killBroker(id);
      else if (fault.action === 'killController') cluster.killController(id);
      else if (fault.action === 'restartBroker') await cluster.restartBroker(id);
      else await cluster.restartController(id);
      return `${said} → ${nodeName(id)}`;
    }
    case 'isolate': {
      const id = node(fault.target);
      remember(id);
      cluster.isolate(id, fault.clientsWith !== undefined ? { clientsWith: node(fault.clientsWith) } : {});
      return `${said} → ${nodeName(id)}`;
    }
    case 'partition': {
      const groups = fault.groups.map((g) => g.map(node));
      cluster.partition(groups, fault.clientsWith !== undefined ? { clientsWith: node(fault.clientsWith) } : {});
      return `${said} → ${groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    }
    case 'heal': cluster.heal(); return said;
    case 'electPreferredLeaders': await cluster.electPreferredLeaders(); return said;
    case 'setSpeed': cluster.setSpeed(fault.speed); return said;
    case 'killClient': case 'stopClient': {
      const id = resolveClient(fault.target, context.clientIds, context.refs);
      if (fault.action === 'killClient') cluster.killClient(id);
      else await cluster.stopClient(id);
      return `${said} → ${id}`;
    }
  }
}

/** Waits until every partition of `topics` has a leader and its full ISR (the faults start from a healthy cluster). */
export async function waitForTopics(api: ScenarioApi, topics: readonly { name: string; partitions: number; replicationFactor: number }[], signal?: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = api.cluster.describe().topics;
    const ready = topics.every((t) => {
      const d = described.find((x) => x.name === t.name);
      return d !== undefined && d.partitions.length === t.partitions && d.partitions.every((p) => p.leader >= 0 && p.isr.length === t.replicationFactor);
    });
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the topics did not get their leaders and full ISR within ${timeoutMs / 1000} s`);
    await wallSleep(50, signal);
  }
}

/** Creates topics with their configs, as kafka-topics.sh --create --config would. */
/** Runs `work` with `admin` connected, then disconnects it (a failed disconnect changes nothing). */
export async function withAdmin<A extends { connect(): Promise<unknown>; disconnect(): Promise<unknown> }, T>(admin: A, work: (admin: A) => Promise<T>): Promise<T> {
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function createTopics(api: ScenarioApi, topics: Scenario['topics'], signal?: AbortSignal): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(api.kafka({ clientId: 'scenario-admin' }).admin(), (admin) => admin.createTopics({
    topics: topics.map((t) => ({
      topic: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor,
      configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    })),
  }));
  await waitForTopics(api, topics, signal);
}

/** Starts the scenario's client applications in order; their ids, for 'client:<n>' targets. */
export async function startClients(api: ScenarioApi, clients: Scenario['clients']): Promise<string[]> {
  const ids: string[] = [];
  for (const client of clients) {
    const { kind, ...options } = client;
    ids.push(kind === 'producer'
      ? await api.cluster.startProducer(options as Parameters<ScenarioApi['cluster']['startProducer']>[0])
      : await api.cluster.startConsumer(options as Parameters<ScenarioApi['cluster']['startConsumer']>[0]));
  }
  return ids;
}

/**
 * Builds `scenario` (validated again: it may come from anywhere) and runs its faults on the
 * cluster clock. Resolves when the last fault has run; a fault whose target cannot be found is
 * reported (onProgress, and in the result) and the schedule goes on.
 */
export async function applyScenario(api: ScenarioApi, input: Scenario, options: ApplyOptions = {}): Promise<AppliedScenario> {
  const scenario = validateScenario(input);
  const { onProgress = () => {}, signal } = options;
  const clock: ClusterClock = clusterClock(api, options.now);
  try {
    const { brokers, controllers } = scenario.cluster;
    onProgress({ phase: 'reset', text: `Starting a fresh cluster of ${brokers} broker${brokers === 1 ? '' : 's'} and ${controllers} controller${controllers === 1 ? '' : 's'}` });
    await api.cluster.reset({ brokers, controllers, demo: false });
    signal?.throwIfAborted();
    if (scenario.topics.length > 0) {
      onProgress({ phase: 'topics', text: `Creating ${scenario.topics.map((t) => t.name).join(', ')}` });
      await createTopics(api, scenario.topics, signal);
    }
    let clientIds: string[] = [];
    if (scenario.clients.length > 0) {
      onProgress({ phase: 'clients', text: `Starting ${scenario.clients.length} client application${scenario.clients.length === 1 ? '' : 's'}` });
      clientIds = await startClients(api, scenario.clients);
    }
    const start = clock.now();
    const context: FaultContext = { refs: new Map(), clientIds };
    const faults: AppliedScenario['faults'] = [];
    for (const [index, fault] of scenario.faults.entries()) {
      await clock.sleep(start + fault.atMs - clock.now(), signal);
      const atMs = Math.round(clock.now() - start);
      try {
        const text = await runFault(api, fault, context);
        faults.push({ fault, atMs, text });
        onProgress({ phase: 'fault', index, text, at: atMs });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        faults.push({ fault, atMs, text: faultText(fault), error: message });
        onProgress({ phase: 'fault', index, text: faultText(fault), at: atMs, error: message });
      }
    }
    onProgress({ phase: 'done', text: scenario.faults.length > 0 ? 'Built, and every fault has run' : 'Built' });
    return { clientIds, faults };
  } finally {
    clock.dispose();
  }
}
