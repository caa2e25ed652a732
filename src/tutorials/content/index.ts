import type { Tutorial } from '../types';
import { acksTutorial } from './acks';
import { deliveryTutorial } from './delivery';
import { failoverTutorial } from './failover';
import { groupsTutorial } from './groups';
import { kraftTutorial } from './kraft';
import { logTutorial } from './log';
import { partitionsTutorial } from './partitions';
import { replicationTutorial } from './replication';
import { compactionTutorial, retentionTutorial } from './retention';

/** The guided path, in order. */
export const TUTORIALS: readonly Tutorial[] = [
  logTutorial, partitionsTutorial, replicationTutorial, acksTutorial, failoverTutorial,
  kraftTutorial, groupsTutorial, deliveryTutorial, retentionTutorial, compactionTutorial,
];
