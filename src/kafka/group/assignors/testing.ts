/** Test helpers for the assignor tests: members, random groups, and the invariants every assignor keeps. */
import { partitionKey } from './common';
import type { GroupAssignment, MemberSubscription } from './types';

export function member(memberId: string, topics: string[], owned: Record<string, number[]> = {}, generationId = -1): MemberSubscription {
  const ownedPartitions = Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions }));
  return { memberId, topics, ownedPartitions, generationId, rackId: null, userData: null };
}

/** memberId -> { topic: partitions }, for readable expectations. */
export function plain(assignment: GroupAssignment): Record<string, Record<string, number[]>> {
  return Object.fromEntries([...assignment].map(([id, list]) => [id, Object.fromEntries(list.map((tp) => [tp.topic, tp.partitions]))]));
}

export function counts(assignment: GroupAssignment): Record<string, number> {
  return Object.fromEntries([...assignment].map(([id, list]) => [id, list.reduce((n, tp) => n + tp.partitions.length, 0)]));
}

/** partition key -> the members holding it. */
export function holders(assignment: GroupAssignment): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, list] of assignment) {
    for (const { topic, partitions } of list) {
      for (const p of partitions) out.set(partitionKey(topic, p), [...(out.get(partitionKey(topic, p)) ?? []), id]);
    }
  }
  return out;
}

/** Every member present; each partition of a topic someone subscribes to held by exactly one subscriber (at most one if `allowMissing`). */
export function validityErrors(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  assignment: GroupAssignment,
  allowMissing = false,
): string[] {
  const errors: string[] = [];
  if (assignment.size !== members.length || members.some((m) => !assignment.has(m.memberId))) errors.push('members missing or extra');
  const held = holders(assignment);
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  for (const [topic, count] of partitionsPerTopic) {
    const subscribed = members.some((m) => m.topics.includes(topic));
    for (let p = 0; p < count; p++) {
      const ids = held.get(partitionKey(topic, p)) ?? [];
      if (ids.length > 1) errors.push(`${topic}-${p} held by ${ids.join(',')}`);
      if (ids.length === 0 && subscribed && !allowMissing) errors.push(`${topic}-${p} unassigned`);
      for (const id of ids) if (!topicsOf.get(id)?.has(topic)) errors.push(`${topic}-${p} given to unsubscribed ${id}`);
    }
  }
  for (const key of held.keys()) {
    const [p, topic] = [Number(key.slice(0, key.indexOf(':'))), key.slice(key.indexOf(':') + 1)];
    if (!(p < (partitionsPerTopic.get(topic) ?? 0))) errors.push(`${key} does not exist`);
  }
  return errors;
}

/** A random group: 1-4 topics of 1-12 partitions, 1-6 members subscribed to all of them or (if `mixed`) a random non-empty subset. */
export function randomGroup(rng: { next(): number; int(n: number): number }, mixed: boolean): { members: MemberSubscription[]; partitionsPerTopic: Map<string, number> } {
  const topics = Array.from({ length: 1 + rng.int(4) }, (_, i) => `t${i}`);
  const partitionsPerTopic = new Map(topics.map((t) => [t, 1 + rng.int(12)]));
  const members = Array.from({ length: 1 + rng.int(6) }, (_, i) => {
    const chosen = mixed ? topics.filter(() => rng.next() < 0.5) : topics;
    return member(`m${rng.int(1000)}-${i}`, chosen.length > 0 ? chosen : [topics[rng.int(topics.length)]]);
  });
  return { members, partitionsPerTopic };
}
