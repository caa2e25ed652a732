/**
 * Kafka's sticky assignors (AbstractStickyAssignor): as balanced as round robin, while each member
 * keeps as many of the partitions it held as it can, so a rebalance moves only what it must.
 *
 * - 'sticky' (StickyAssignor) is EAGER: members revoke everything before JoinGroup. The Java
 *   client then sends empty ownedPartitions and its previous assignment in userData
 *   (StickyAssignorUserData), which is read when a subscription carries it. The playground's
 *   client sends userData null and, as ownedPartitions, what its last SyncGroup gave it (already
 *   revoked) with that generation: the previous assignment travels there instead, so sticky
 *   stays sticky (a member whose membership was lost claims nothing).
 * - 'cooperative-sticky' (CooperativeStickyAssignor, KIP-429) is COOPERATIVE: members keep
 *   consuming during the rebalance and report ownedPartitions. A partition that moves from one
 *   member to another is left out this round: its owner revokes it on seeing it gone, rejoins,
 *   and the follow-up rebalance hands it to its new owner. Partitions that stay are never revoked.
 */
import type { TopicPartitions } from '../../events';
import { ByteReader, ByteWriter } from '../../storage/varint';
import { readTopicPartitions, writeTopicPartitions } from '../consumerProtocol';
import { compareTopicPartitions, partitionKey, partitionsOf, sortedMemberIds, toGroupAssignment, type TopicPartition } from './common';
import type { Assignor, MemberSubscription } from './types';

/** What a member held, and in which generation (-1 unknown). */
export interface PreviousAssignment { partitions: TopicPartitions[]; generation: number }

/** Java's STICKY_ASSIGNOR_USER_DATA_V1: previous_assignment [topic STRING, partitions [INT32]], generation INT32. */
export function encodeStickyAssignorUserData(previous: PreviousAssignment): Uint8Array {
  const writer = new ByteWriter(64);
  writeTopicPartitions(writer, previous.partitions);
  return writer.writeInt32(previous.generation).finish();
}

/** V1, else V0 (no generation), else null for bytes that are neither (another assignor's userData). */
export function decodeStickyAssignorUserData(bytes: Uint8Array): PreviousAssignment | null {
  try {
    const reader = new ByteReader(bytes);
    const partitions = readTopicPartitions(reader);
    if (reader.remaining === 0) return { partitions, generation: -1 };
    const generation = reader.readInt32();
    return reader.remaining === 0 ? { partitions, generation } : null;
  } catch {
    return null;
  }
}

/**
 * The sticky plan: memberId -> partitions.
 * 1. Each partition stays with the member that held it, if that member still subscribes to its
 *    topic; when several claim it, the claim from the highest generation wins (a member that
 *    missed a rebalance holds a stale list), and a tie within one generation is an invalid state
 *    that Java resolves by trusting neither.
 * 2. Unclaimed partitions, those with the fewest possible members first, go one by one to the
 *    least loaded member subscribed to their topic.
 * 3. While some member holds at least two more than another that could take one of its
 *    partitions, one partition moves. Each move strictly lowers the sum of squared loads, so this
 *    ends; with identical subscriptions it ends with max - min <= 1, and only surplus moves.
 */
export function stickyPlan(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  previousOf: (member: MemberSubscription) => PreviousAssignment,
): Map<string, TopicPartition[]> {
  const ids = sortedMemberIds(members);
  const subscribed = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const subscribers = new Map([...partitionsPerTopic.keys()].map((t) => [t, ids.filter((id) => subscribed.get(id)?.has(t))]));

  const claims = new Map<string, { memberId: string; generation: number; contested: boolean }>();
  for (const member of members) {
    const { partitions, generation } = previousOf(member);
    for (const { topic, partitions: numbers } of partitions) {
      if (!subscribers.get(topic)?.includes(member.memberId)) continue; // topic deleted or unsubscribed
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (const partition of numbers) {
        if (partition < 0 || partition >= count) continue;
        const key = partitionKey(topic, partition);
        const claim = claims.get(key);
        if (!claim || generation > claim.generation) claims.set(key, { memberId: member.memberId, generation, contested: false });
        else if (generation === claim.generation && claim.memberId !== member.memberId) claim.contested = true;
      }
    }
  }

  const held = new Map<string, TopicPartition[]>(ids.map((id) => [id, []]));
  const load = (id: string): number => held.get(id)?.length ?? 0;
  /** The least loaded of `candidates` holding fewer than `below`, ties to the smallest member id. */
  const leastLoaded = (candidates: readonly string[], below = Infinity): string | undefined => {
    let best: string | undefined;
    for (const id of candidates) if (load(id) < below && (best === undefined || load(id) < load(best))) best = id;
    return best;
  };

  const unclaimed: TopicPartition[] = [];
  for (const tp of partitionsOf(partitionsPerTopic.keys(), partitionsPerTopic)) {
    const claim = claims.get(partitionKey(tp.topic, tp.partition));
    if (claim && !claim.contested) held.get(claim.memberId)?.push(tp);
    else unclaimed.push(tp);
  }

  const eligibleCount = (tp: TopicPartition): number => subscribers.get(tp.topic)?.length ?? 0;
  unclaimed.sort((a, b) => eligibleCount(a) - eligibleCount(b) || compareTopicPartitions(a, b));
  for (const tp of unclaimed) {
    const id = leastLoaded(subscribers.get(tp.topic) ?? []);
    if (id !== undefined) held.get(id)?.push(tp);
  }

  for (;;) {
    const move = findBalancingMove(ids, held, load, (tp, below) => leastLoaded(subscribers.get(tp.topic) ?? [], below));
    if (!move) break;
    const [tp] = move.from.splice(move.index, 1);
    held.get(move.to)?.push(tp);
  }
  return held;
}

/**
 * A move from the most loaded member that has one to make. It gives its newest partition first:
 * step 2's unclaimed ones sit at the end, and moving those costs no member anything it owned.
 */
function findBalancingMove(
  ids: readonly string[],
  held: ReadonlyMap<string, TopicPartition[]>,
  load: (id: string) => number,
  receiverFor: (tp: TopicPartition, below: number) => string | undefined,
): { from: TopicPartition[]; index: number; to: string } | null {
  const givers = [...ids].sort((a, b) => load(b) - load(a));
  for (const giver of givers) {
    const list = held.get(giver) ?? [];
    for (let index = list.length - 1; index >= 0; index--) {
      const to = receiverFor(list[index], list.length - 1);
      if (to !== undefined) return { from: list, index, to };
    }
  }
  return null;
}

const fromOwnedPartitions = (m: MemberSubscription): PreviousAssignment => ({ partitions: m.ownedPartitions, generation: m.generationId });

export const sticky: Assignor = {
  name: 'sticky',
  rebalanceProtocol: 'EAGER',
  assign(members, partitionsPerTopic) {
    const previousOf = (m: MemberSubscription): PreviousAssignment =>
      (m.userData && m.userData.length > 0 ? decodeStickyAssignorUserData(m.userData) : null) ?? fromOwnedPartitions(m);
    return toGroupAssignment(members, stickyPlan(members, partitionsPerTopic, previousOf));
  },
};

export const cooperativeSticky: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'COOPERATIVE',
  assign(members, partitionsPerTopic) {
    const plan = stickyPlan(members, partitionsPerTopic, fromOwnedPartitions);
    const owned = new Map(members.map((m) => [
      m.memberId,
      new Set(m.ownedPartitions.flatMap(({ topic, partitions }) => partitions.map((p) => partitionKey(topic, p)))),
    ]));
    // Everything some member owns but will not keep: it must revoke it first (Java's adjustAssignment).
    const revoked = new Set<string>();
    for (const [memberId, keys] of owned) {
      const kept = new Set((plan.get(memberId) ?? []).map((tp) => partitionKey(tp.topic, tp.partition)));
      for (const key of keys) if (!kept.has(key)) revoked.add(key);
    }
    for (const [memberId, list] of plan) {
      const ownedHere = owned.get(memberId);
      plan.set(memberId, list.filter((tp) => {
        const key = partitionKey(tp.topic, tp.partition);
        return ownedHere?.has(key) || !revoked.has(key);
      }));
    }
    return toGroupAssignment(members, plan);
  },
};
