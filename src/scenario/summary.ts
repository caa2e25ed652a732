/**
 * A scenario in words, for the offer a shared link shows before anything is built, and the
 * reverse: the cluster as it stands, as a scenario to export.
 */
import type { ClusterDescription } from '../store/selectors';
import { SCENARIO_VERSION, type Scenario, type ScenarioClient, type ScenarioFault } from './scenario';
import { targetText } from './targets';
import { formatDuration, plural } from '../ui/format';


export function clientText(client: ScenarioClient): string {
  if (client.kind === 'producer') {
    const acks = client.acks === undefined || client.acks === -1 ? 'all' : String(client.acks);
    return `producer → ${client.topic}, ${client.ratePerSec ?? 1}/s, acks=${acks}${client.idempotent ? ', idempotent' : ''}`;
  }
  return `consumer in group ${client.groupId} ← ${client.topics.join(', ')}${client.fromBeginning === false ? ' (from the end)' : ''}`;
}

/**
 * A fault in words. `named`: what earlier faults' `as` names stand for ("the leader of orders-0
 * at 2 s"), so '$old' reads as what it is.
 */
export function faultText(fault: ScenarioFault, named: ReadonlyMap<string, string> = new Map()): string {
  const text = (target: number | string) => {
    const name = typeof target === 'string' && target.startsWith('$') ? target.slice(1) : null;
    return name !== null && named.has(name) ? `$${name} (${named.get(name)})` : targetText(target);
  };
  const as = 'as' in fault && fault.as ? ` (remembered as $${fault.as})` : '';
  const clientsWith = 'clientsWith' in fault && fault.clientsWith !== undefined ? `, clients with ${text(fault.clientsWith)}` : '';
  switch (fault.action) {
    case 'killBroker': case 'killController': return `kill ${text(fault.target)}${as}`;
    case 'restartBroker': case 'restartController': return `restart ${text(fault.target)}${as}`;
    case 'isolate': return `cut ${text(fault.target)} off the network${clientsWith}${as}`;
    case 'partition': return `split the network: ${fault.groups.map((g) => `{${g.map(text).join(', ')}}`).join(' | ')}${clientsWith}`;
    case 'heal': return 'heal the network';
    case 'killClient': return `crash ${text(fault.target)}`;
    case 'stopClient': return `stop ${text(fault.target)}`;
    case 'electPreferredLeaders': return 'elect the preferred leaders';
    case 'setSpeed': return `set the speed to ${fault.speed}×`;
  }
}

/** Each fault in words, '$name' references explained by the fault that set them. */
export function faultTexts(faults: readonly ScenarioFault[]): string[] {
  const named = new Map<string, string>();
  return faults.map((f) => {
    const line = `at ${formatDuration(f.atMs)}: ${faultText(f, named)}`;
    if ('as' in f && f.as) named.set(f.as, `${targetText(f.target)} at ${formatDuration(f.atMs)}`);
    return line;
  });
}

/** What building the scenario will do, line by line. */
export function summarizeScenario(scenario: Scenario): { cluster: string; topics: string[]; clients: string[]; faults: string[] } {
  const { brokers, controllers } = scenario.cluster;
  return {
    cluster: `${plural(brokers, 'broker')} and ${plural(controllers, 'KRaft controller')} (a fresh cluster: the current one is wiped)`,
    topics: scenario.topics.map((t) => {
      const configs = Object.entries(t.configs).map(([k, v]) => `${k}=${v}`).join(', ');
      return `${t.name}: ${plural(t.partitions, 'partition')}, replication factor ${t.replicationFactor}${configs ? `, ${configs}` : ''}`;
    }),
    clients: scenario.clients.map(clientText),
    faults: faultTexts(scenario.faults),
  };
}

/**
 * The cluster as it stands as a scenario: its shape, its topics with their config overrides,
 * its running client applications (what describe() knows of them: topics and group), no faults.
 */
export function scenarioFromCluster(description: ClusterDescription, name?: string): Scenario {
  const topics = description.topics.filter((t) => !t.internal).map((t) => ({
    name: t.name,
    partitions: t.partitions.length,
    replicationFactor: Math.max(1, t.partitions[0]?.replicas.length ?? 1),
    configs: { ...t.configs },
  }));
  const known = new Set(topics.map((t) => t.name));
  const clients: ScenarioClient[] = [];
  for (const c of description.clients) {
    if (c.status !== 'running') continue;
    const own = c.topics.filter((t) => known.has(t));
    if (own.length === 0) continue;
    if (c.kind === 'producer') clients.push({ kind: 'producer', topic: own[0] });
    else if (c.groupId) clients.push({ kind: 'consumer', groupId: c.groupId, topics: own });
  }
  return {
    version: SCENARIO_VERSION,
    ...(name ? { name } : {}),
    cluster: { brokers: Math.max(1, description.brokers.length), controllers: Math.max(1, description.controllers.length) },
    topics,
    clients,
    faults: [],
  };
}
