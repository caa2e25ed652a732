/**
 * What a fault acts on, written as a scenario writes it: a node id (brokers 1..n, controllers
 * 1000+), or a role resolved when the fault runs, since leaders move between runs:
 *
 *   'leader:orders/0'      the leader of partition 0 of orders
 *   'follower:orders/0'    its first follower (in-sync, live ones first); 'follower:orders/0/1' the second
 *   'controller:active'    the active controller; 'controller:standby' a live controller that is not
 *   'client:0'             the scenario's first client application
 *   '$old'                 what an earlier fault's `as: "old"` resolved to
 */
import type { ClusterDescription } from '../store/selectors';

/** A target as written in a scenario. */
export type Target = number | string;

export type ParsedTarget =
  | { kind: 'node'; id: number }
  | { kind: 'leader'; topic: string; partition: number }
  | { kind: 'follower'; topic: string; partition: number; index: number }
  | { kind: 'controller'; role: 'active' | 'standby' }
  | { kind: 'client'; index: number }
  | { kind: 'ref'; name: string };

const FORMS = "a node id (1, 1000), 'leader:<topic>/<partition>', 'follower:<topic>/<partition>[/<n>]', 'controller:active', 'controller:standby', 'client:<n>' or '$<name>'";

/** Reads a target, refusing anything else (naming the forms allowed). `names`: the `as` names defined so far. */
export function parseTarget(value: unknown, names?: ReadonlySet<string>): ParsedTarget {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 1099) throw new Error(`${JSON.stringify(value)} is not a node id (brokers 1..9, controllers 1000..1004)`);
    return { kind: 'node', id: value };
  }
  if (typeof value !== 'string' || value.length > 300) throw new Error(`must be ${FORMS}, got ${JSON.stringify(value)?.slice(0, 60) ?? typeof value}`);
  let match: RegExpExecArray | null;
  if (/^\d+$/.test(value)) return parseTarget(Number(value), names);
  if ((match = /^\$([a-zA-Z][a-zA-Z0-9_]*)$/.exec(value))) {
    if (names && !names.has(match[1])) throw new Error(`"${value}" names no earlier fault's "as" (${names.size > 0 ? [...names].map((n) => `$${n}`).join(', ') : 'none defined yet'})`);
    return { kind: 'ref', name: match[1] };
  }
  if ((match = /^(leader|follower):([a-zA-Z0-9._-]+)\/(\d+)(?:\/(\d+))?$/.exec(value))) {
    const [, role, topic, partition, index] = match;
    if (role === 'leader') {
      if (index !== undefined) throw new Error(`"${value}": a partition has one leader ('leader:${topic}/${partition}')`);
      return { kind: 'leader', topic, partition: Number(partition) };
    }
    return { kind: 'follower', topic, partition: Number(partition), index: Number(index ?? 0) };
  }
  if ((match = /^controller:(active|standby)$/.exec(value))) return { kind: 'controller', role: match[1] as 'active' | 'standby' };
  if ((match = /^client:(\d+)$/.exec(value))) return { kind: 'client', index: Number(match[1]) };
  throw new Error(`must be ${FORMS}, got ${JSON.stringify(value.slice(0, 60))}`);
}

/** What a fault resolved its targets to, by `as` name: node ids, or client ids ('producer-1'). */
export type Refs = Map<string, number | string>;

/**
 * The node a target names now, from the cluster as described: throws, saying why, when there is
 * none (no leader: the partition is offline; no active controller: an election is on).
 */
export function resolveNode(target: Target, description: ClusterDescription, refs: Refs): number {
  const t = parseTarget(target);
  switch (t.kind) {
    case 'node': return t.id;
    case 'ref': {
      const value = refs.get(t.name);
      if (typeof value !== 'number') throw new Error(`$${t.name} was not set by an earlier fault`);
      return value;
    }
    case 'client': throw new Error(`client:${t.index} is a client, not a node`);
    case 'controller': {
      if (t.role === 'active') {
        if (description.activeController === null) throw new Error('there is no active controller now (an election is under way)');
        return description.activeController;
      }
      const standby = description.controllers.find((c) => c.alive && c.id !== description.activeController);
      if (!standby) throw new Error('there is no live standby controller');
      return standby.id;
    }
    case 'leader': case 'follower': {
      const p = description.topics.find((x) => x.name === t.topic)?.partitions.find((x) => x.partition === t.partition);
      if (!p) throw new Error(`${t.topic}-${t.partition} does not exist (yet)`);
      if (t.kind === 'leader') {
        if (p.leader < 0) throw new Error(`${t.topic}-${t.partition} has no leader (offline)`);
        return p.leader;
      }
      const followers = orderedFollowers(p.replicas, p.isr, p.leader, description.brokers);
      if (t.index >= followers.length) throw new Error(`${t.topic}-${t.partition} has ${followers.length} follower${followers.length === 1 ? '' : 's'}, not ${t.index + 1}`);
      return followers[t.index];
    }
  }
}

/** A partition's followers: in-sync and live first, then live, then the rest; replica order within each. */
export function orderedFollowers(replicas: readonly number[], isr: readonly number[], leader: number, brokers: readonly { id: number; alive: boolean }[]): number[] {
  const alive = (id: number) => brokers.find((b) => b.id === id)?.alive === true;
  const rank = (id: number) => (isr.includes(id) && alive(id) ? 0 : alive(id) ? 1 : 2);
  return replicas.filter((id) => id !== leader).map((id, i) => ({ id, i })).sort((a, b) => rank(a.id) - rank(b.id) || a.i - b.i).map((x) => x.id);
}

/** The client application id ('consumer-2') a target names, from the ids the scenario's clients got. */
export function resolveClient(target: Target, clientIds: readonly string[], refs: Refs): string {
  const t = parseTarget(target);
  if (t.kind === 'ref') {
    const value = refs.get(t.name);
    if (typeof value !== 'string') throw new Error(`$${t.name} was not set to a client by an earlier fault`);
    return value;
  }
  if (t.kind !== 'client') throw new Error(`${String(target)} is not a client (use 'client:<n>')`);
  const id = clientIds[t.index];
  if (!id) throw new Error(`client:${t.index} was not started`);
  return id;
}

/** "broker 2", "controller 1001": a node id as the UI says it. */
export const nodeName = (id: number): string => (id >= 1000 ? `controller ${id}` : `broker ${id}`);

/** A target as a reader would say it: "the leader of orders-0", "broker 2". */
export function targetText(target: Target): string {
  let t: ParsedTarget;
  try {
    t = parseTarget(target);
  } catch {
    return String(target);
  }
  switch (t.kind) {
    case 'node': return nodeName(t.id);
    case 'leader': return `the leader of ${t.topic}-${t.partition}`;
    case 'follower': return t.index === 0 ? `a follower of ${t.topic}-${t.partition}` : `follower #${t.index + 1} of ${t.topic}-${t.partition}`;
    case 'controller': return t.role === 'active' ? 'the active controller' : 'a standby controller';
    case 'client': return `client #${t.index + 1}`;
    case 'ref': return `$${t.name}`;
  }
}
