/** The partition assignors, by the protocol name members vote with in JoinGroup. */
import { range } from './range';
import { javaRoundRobin, roundRobin } from './roundRobin';
import { cooperativeSticky, sticky } from './sticky';
import type { Assignor } from './types';

export { range, roundRobin, javaRoundRobin, sticky, cooperativeSticky };
export { encodeStickyAssignorUserData, decodeStickyAssignorUserData } from './sticky';
export type { Assignor, GroupAssignment, MemberSubscription } from './types';

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map(
  [roundRobin, javaRoundRobin, range, sticky, cooperativeSticky].map((a) => [a.name, a]),
);

/** The Java client's partition.assignment.strategy default (shown beside KafkaJS's in the UI). */
export const JAVA_DEFAULT_ASSIGNORS: readonly string[] = ['range', 'cooperative-sticky'];

/** KafkaJS's default partitionAssigners: [PartitionAssigners.roundRobin]. */
export const KAFKAJS_DEFAULT_ASSIGNOR = 'RoundRobinAssigner';
