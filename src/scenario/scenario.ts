/**
 * A scenario: everything needed to rebuild a run of the playground — the cluster's shape, its
 * topics and their configs, the client applications, and a schedule of faults on the cluster
 * clock. It is plain data: it travels in a URL hash or a .json file, and is validated field by
 * field before anything is built from it (a link never runs code, and never runs without a click).
 */
import { validateTopicConfig, validateTopicName } from '../kafka/controller/topicValidation';
import { producerAppOptions, type StartProducerOptions } from '../runtime/producerApp';
import { consumerAppOptions, type StartConsumerOptions } from '../runtime/clientRuntime';
import { parseTarget, type ParsedTarget, type Target } from './targets';

export const SCENARIO_VERSION = 1;

/** What the playground can draw: 1-9 brokers and 1-5 controllers (the stage's layout). */
export const MAX_BROKERS = 9;
export const MAX_CONTROLLERS = 5;
export const MAX_TOPICS = 20;
export const MAX_PARTITIONS = 50;
export const MAX_CLIENTS = 12;
export const MAX_FAULTS = 50;
/** The last fault may come at most 10 minutes of cluster time after the start. */
export const MAX_FAULT_AT_MS = 600_000;

export interface ScenarioTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic configs under Kafka's names (min.insync.replicas, unclean.leader.election.enable, ...), as strings. */
  configs: Record<string, string>;
}

export type ScenarioClient =
  | ({ kind: 'producer' } & StartProducerOptions)
  | ({ kind: 'consumer' } & StartConsumerOptions);

export const FAULT_ACTIONS = [
  'killBroker', 'restartBroker', 'killController', 'restartController',
  'isolate', 'partition', 'heal', 'killClient', 'stopClient', 'electPreferredLeaders', 'setSpeed',
] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

/**
 * One fault, `atMs` of cluster time after the scenario's clients started. Targets name nodes by
 * id (brokers 1..n, controllers 1000+) or by role at the moment the fault runs
 * ('leader:orders/0', 'follower:orders/0', 'controller:active', 'client:0'); `as` remembers what
 * a target resolved to, so a later fault can say '$name' (restart the broker that was killed).
 */
export type ScenarioFault =
  | { atMs: number; action: 'killBroker' | 'restartBroker' | 'killController' | 'restartController'; target: Target; as?: string }
  | { atMs: number; action: 'isolate'; target: Target; clientsWith?: Target; as?: string }
  | { atMs: number; action: 'partition'; groups: Target[][]; clientsWith?: Target }
  | { atMs: number; action: 'heal' | 'electPreferredLeaders' }
  | { atMs: number; action: 'killClient' | 'stopClient'; target: Target }
  | { atMs: number; action: 'setSpeed'; speed: number };

export interface Scenario {
  version: 1;
  /** A short title, shown when a link is opened. */
  name?: string;
  cluster: { brokers: number; controllers: number };
  topics: ScenarioTopic[];
  clients: ScenarioClient[];
  faults: ScenarioFault[];
}

/** A scenario that cannot be used, with the path of the first field at fault ("topics[1].partitions: ..."). */
export class ScenarioError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'ScenarioError';
  }
}

type Json = unknown;

const describe = (value: Json): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function object(value: Json, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(path, `must be an object, got ${describe(value)}`);
  return value as Record<string, Json>;
}

function onlyKeys(o: Record<string, Json>, path: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new ScenarioError(path, `unknown field "${key}" (known: ${known.join(', ')})`);
  }
}

function integer(value: Json, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(path, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function array(value: Json, path: string, max: number): Json[] {
  if (!Array.isArray(value)) throw new ScenarioError(path, `must be a list, got ${describe(value)}`);
  if (value.length > max) throw new ScenarioError(path, `has ${value.length} entries; at most ${max}`);
  return value;
}

/** The message of a validator's error, without its own "startProducer: " prefix. */
const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/^(startProducer|startConsumer): /, '');

function topic(value: Json, path: string, brokers: number): ScenarioTopic {
  const o = object(value, path);
  onlyKeys(o, path, ['name', 'partitions', 'replicationFactor', 'configs']);
  if (typeof o.name !== 'string') throw new ScenarioError(`${path}.name`, `must be a topic name, got ${describe(o.name)}`);
  try {
    validateTopicName(o.name);
  } catch (error) {
    throw new ScenarioError(`${path}.name`, reason(error));
  }
  if (o.name.startsWith('__')) throw new ScenarioError(`${path}.name`, `"${o.name}" is an internal topic's name (names starting "__" are Kafka's own)`);
  const partitions = integer(o.partitions, `${path}.partitions`, 1, MAX_PARTITIONS);
  const replicationFactor = integer(o.replicationFactor ?? 1, `${path}.replicationFactor`, 1, MAX_BROKERS);
  if (replicationFactor > brokers) {
    throw new ScenarioError(`${path}.replicationFactor`, `${replicationFactor} is more than the ${brokers} broker${brokers === 1 ? '' : 's'} of the cluster (CreateTopics would fail with INVALID_REPLICATION_FACTOR)`);
  }
  const configs: Record<string, string> = {};
  const raw = object(o.configs ?? {}, `${path}.configs`);
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ScenarioError(`${path}.configs.${name}`, `must be a string, got ${describe(v)}`);
    try {
      configs[name] = validateTopicConfig(name, String(v));
    } catch (error) {
      throw new ScenarioError(`${path}.configs.${name}`, reason(error));
    }
  }
  const minIsr = configs['min.insync.replicas'];
  if (minIsr !== undefined && Number(minIsr) > replicationFactor) {
    throw new ScenarioError(`${path}.configs.min.insync.replicas`, `${minIsr} is more than the replication factor ${replicationFactor}: no acks=all write could ever succeed`);
  }
  return { name: o.name, partitions, replicationFactor, configs };
}

/**
 * A client's options, checked by the very validators startProducer/startConsumer use, so a
 * scenario is refused for the same reasons (and in the same words) a script would be.
 */
function client(value: Json, path: string, topics: ReadonlySet<string>): ScenarioClient {
  const o = object(value, path);
  const { kind, ...options } = o;
  if (kind !== 'producer' && kind !== 'consumer') throw new ScenarioError(`${path}.kind`, `must be "producer" or "consumer", got ${describe(kind)}`);
  try {
    if (kind === 'producer') producerAppOptions(options);
    else consumerAppOptions(options);
  } catch (error) {
    throw new ScenarioError(path, reason(error));
  }
  const used = kind === 'producer' ? [options.topic as string] : (options.topics as string[]);
  for (const name of used) {
    if (!topics.has(name)) throw new ScenarioError(path, `topic "${name}" is not one of the scenario's topics (${[...topics].join(', ') || 'none'})`);
  }
  // A copy of what was validated, nothing else.
  return JSON.parse(JSON.stringify({ kind, ...options })) as ScenarioClient;
}

function target(value: Json, path: string, names: ReadonlySet<string>): Target {
  try {
    const parsed = parseTarget(value, names);
    // Kept as written (a number stays a number), once it is known to be one of the forms.
    return parsed.kind === 'node' ? parsed.id : (value as string);
  } catch (error) {
    throw new ScenarioError(path, reason(error));
  }
}

const NODE_ACTIONS = ['killBroker', 'restartBroker', 'killController', 'restartController'];

function fault(value: Json, path: string, names: Set<string>): ScenarioFault {
  const o = object(value, path);
  if (typeof o.action !== 'string' || !(FAULT_ACTIONS as readonly string[]).includes(o.action)) {
    throw new ScenarioError(`${path}.action`, `unknown action ${describe(o.action)} (known: ${FAULT_ACTIONS.join(', ')})`);
  }
  const action = o.action as FaultAction;
  const atMs = integer(o.atMs, `${path}.atMs`, 0, MAX_FAULT_AT_MS);
  const remember = (): string | undefined => {
    if (o.as === undefined) return undefined;
    if (typeof o.as !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/.test(o.as)) {
      throw new ScenarioError(`${path}.as`, `must be a name of letters, digits and _ (starting with a letter), got ${describe(o.as)}`);
    }
    return o.as;
  };
  let result: ScenarioFault;
  if (NODE_ACTIONS.includes(action)) {
    onlyKeys(o, path, ['atMs', 'action', 'target', 'as']);
    const as = remember();
    result = { atMs, action: action as 'killBroker', target: target(o.target, `${path}.target`, names), ...(as ? { as } : {}) };
    if (as) names.add(as);
  } else if (action === 'isolate') {
    onlyKeys(o, path, ['atMs', 'action', 'target', 'clientsWith', 'as']);
    const as = remember();
    result = {
      atMs, action, target: target(o.target, `${path}.target`, names),
      ...(o.clientsWith !== undefined ? { clientsWith: target(o.clientsWith, `${path}.clientsWith`, names) } : {}),
      ...(as ? { as } : {}),
    };
    if (as) names.add(as);
  } else if (action === 'partition') {
    onlyKeys(o, path, ['atMs', 'action', 'groups', 'clientsWith']);
    const groups = array(o.groups, `${path}.groups`, 16).map((g, i) => array(g, `${path}.groups[${i}]`, 16).map((t, j) => target(t, `${path}.groups[${i}][${j}]`, names)));
    if (groups.flat().length === 0) throw new ScenarioError(`${path}.groups`, 'must name the nodes of at least one group, e.g. [[1], [2, 3]]');
    result = { atMs, action, groups, ...(o.clientsWith !== undefined ? { clientsWith: target(o.clientsWith, `${path}.clientsWith`, names) } : {}) };
  } else if (action === 'killClient' || action === 'stopClient') {
    onlyKeys(o, path, ['atMs', 'action', 'target']);
    result = { atMs, action, target: target(o.target, `${path}.target`, names) };
  } else if (action === 'setSpeed') {
    onlyKeys(o, path, ['atMs', 'action', 'speed']);
    if (typeof o.speed !== 'number' || !Number.isFinite(o.speed) || o.speed < 0.1 || o.speed > 10) {
      throw new ScenarioError(`${path}.speed`, `must be a speed from 0.1 to 10, got ${describe(o.speed)}`);
    }
    result = { atMs, action, speed: o.speed };
  } else {
    onlyKeys(o, path, ['atMs', 'action']);
    result = { atMs, action: action as 'heal' };
  }
  return result;
}

/**
 * Checks every field of a would-be scenario (from a link, a file or code) and returns a clean
 * copy holding only what was checked. Throws a ScenarioError naming the first field at fault.
 */
export function validateScenario(value: Json): Scenario {
  const o = object(value, 'scenario');
  onlyKeys(o, 'scenario', ['version', 'name', 'cluster', 'topics', 'clients', 'faults']);
  if (o.version !== SCENARIO_VERSION) {
    throw new ScenarioError('version', `this playground reads scenario version ${SCENARIO_VERSION}, got ${describe(o.version)}${typeof o.version === 'number' && o.version > SCENARIO_VERSION ? ' (made by a newer playground)' : ''}`);
  }
  let name: string | undefined;
  if (o.name !== undefined) {
    if (typeof o.name !== 'string' || o.name.length > 120) throw new ScenarioError('name', `must be a text of at most 120 characters, got ${describe(o.name)}`);
    name = o.name;
  }
  const cluster = object(o.cluster, 'cluster');
  onlyKeys(cluster, 'cluster', ['brokers', 'controllers']);
  const brokers = integer(cluster.brokers, 'cluster.brokers', 1, MAX_BROKERS);
  const controllers = integer(cluster.controllers, 'cluster.controllers', 1, MAX_CONTROLLERS);
  const topics = array(o.topics ?? [], 'topics', MAX_TOPICS).map((t, i) => topic(t, `topics[${i}]`, brokers));
  const seen = new Set<string>();
  topics.forEach((t, i) => {
    if (seen.has(t.name)) throw new ScenarioError(`topics[${i}].name`, `"${t.name}" is named twice`);
    seen.add(t.name);
  });
  const clients = array(o.clients ?? [], 'clients', MAX_CLIENTS).map((c, i) => client(c, `clients[${i}]`, seen));
  const names = new Set<string>();
  const faults = array(o.faults ?? [], 'faults', MAX_FAULTS).map((f, i) => fault(f, `faults[${i}]`, names));
  faults.forEach((f, i) => {
    if (i > 0 && f.atMs < faults[i - 1].atMs) throw new ScenarioError(`faults[${i}].atMs`, `${f.atMs} comes before the previous fault's ${faults[i - 1].atMs}: list faults in the order they happen`);
    checkTargets(f, `faults[${i}]`, { brokers, controllers, topics, clients: clients.length });
  });
  return { version: SCENARIO_VERSION, ...(name !== undefined ? { name } : {}), cluster: { brokers, controllers }, topics, clients, faults };
}

/** Targets that can be checked before anything runs: node ids in range, topics and clients that exist. */
function checkTargets(f: ScenarioFault, path: string, shape: { brokers: number; controllers: number; topics: ScenarioTopic[]; clients: number }): void {
  const check = (spec: Target, at: string, want: 'broker' | 'controller' | 'node' | 'client') => {
    const t: ParsedTarget = parseTarget(spec);
    const fail = (problem: string) => { throw new ScenarioError(at, problem); };
    if (t.kind === 'ref') return;
    if (t.kind === 'client') {
      if (want !== 'client') fail(`${f.action} needs a node, not a client`);
      if (t.index >= shape.clients) fail(`client:${t.index} does not exist: the scenario has ${shape.clients} client${shape.clients === 1 ? '' : 's'} (client:0 is the first)`);
      return;
    }
    if (want === 'client') fail(`${f.action} needs a client ("client:0" is the scenario's first), got a node`);
    if (t.kind === 'node') {
      const isBroker = t.id >= 1 && t.id <= shape.brokers;
      const isController = t.id >= 1000 && t.id < 1000 + shape.controllers;
      if (want === 'broker' && !isBroker) fail(`${t.id} is not a broker of this cluster (brokers: 1..${shape.brokers})`);
      if (want === 'controller' && !isController) fail(`${t.id} is not a controller of this cluster (controllers: 1000..${999 + shape.controllers})`);
      if (want === 'node' && !isBroker && !isController) fail(`there is no node ${t.id} (brokers 1..${shape.brokers}, controllers 1000..${999 + shape.controllers})`);
      return;
    }
    if (t.kind === 'controller') {
      if (want === 'broker') fail(`${f.action} needs a broker, got controller:${t.role}`);
      return;
    }
    if (want === 'controller') fail(`${f.action} needs a controller, got a partition's ${t.kind}`);
    const topic = shape.topics.find((x) => x.name === t.topic);
    if (!topic) fail(`topic "${t.topic}" is not one of the scenario's topics`);
    else if (t.partition >= topic.partitions) fail(`${t.topic} has partitions 0..${topic.partitions - 1}, not ${t.partition}`);
    else if (t.kind === 'follower' && t.index >= topic.replicationFactor - 1) fail(`${t.topic} has ${topic.replicationFactor - 1} follower${topic.replicationFactor === 2 ? '' : 's'} per partition (follower index from 0)`);
  };
  switch (f.action) {
    case 'killBroker': case 'restartBroker': check(f.target, `${path}.target`, 'broker'); break;
    case 'killController': case 'restartController': check(f.target, `${path}.target`, 'controller'); break;
    case 'isolate':
      check(f.target, `${path}.target`, 'node');
      if (f.clientsWith) check(f.clientsWith, `${path}.clientsWith`, 'node');
      break;
    case 'partition':
      f.groups.forEach((g, i) => g.forEach((t, j) => check(t, `${path}.groups[${i}][${j}]`, 'node')));
      if (f.clientsWith) check(f.clientsWith, `${path}.clientsWith`, 'node');
      break;
    case 'killClient': case 'stopClient': check(f.target, `${path}.target`, 'client'); break;
    default: break;
  }
}
