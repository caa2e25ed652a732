/**
 * What nodes report. The UI and `cluster.describe()` are built only from these, so each
 * carries everything needed to draw it. `time` is the reporting node's clock.
 */
import type { ApiKey } from './protocol/messages';
import type { ErrorName } from './protocol/errors';
import type { MetadataRecord } from './metadata/records';

export type NodeRole = 'broker' | 'controller' | 'client';

export type NodeEvent =
  | { type: 'message-sent'; time: number; id: string; from: string; to: string; api: ApiKey; kind: 'request' | 'response'; bytes: number; error?: ErrorName }
  | { type: 'message-delivered'; time: number; id: string; from: string; to: string; api: ApiKey; kind: 'request' | 'response' }
  | { type: 'node-started'; time: number; node: string; role: NodeRole; recovered: { partitions: number; batches: number; bytes: number } }
  | { type: 'log-recovered'; time: number; node: string; topic: string; partition: number; logStartOffset: number; logEndOffset: number; batches: number; truncated?: { at: number; reason: string } }
  | { type: 'log-append'; time: number; node: string; topic: string; partition: number; baseOffset: number; lastOffset: number; records: number; bytes: number; leaderEpoch: number; compression: string }
  | { type: 'partition-offsets'; time: number; node: string; topic: string; partition: number; logStartOffset: number; logEndOffset: number; highWatermark: number; leaderEpoch: number; role: 'leader' | 'follower' | 'none' }
  | { type: 'partition-deleted'; time: number; node: string; topic: string; partition: number }
  | { type: 'metadata-record'; time: number; node: string; offset: number; record: MetadataRecord }
  | { type: 'metadata-applied'; time: number; node: string; offset: number }
  | { type: 'broker-state'; time: number; node: string; brokerId: number; state: 'STARTING' | 'RECOVERY' | 'RUNNING'; brokerEpoch: number }
  | { type: 'controller-state'; time: number; node: string; controllerId: number; active: boolean; epoch: number; logEndOffset: number; committedOffset: number }
  | { type: 'offset-commit'; time: number; node: string; groupId: string; topic: string; partition: number; offset: number }
  | { type: 'client-error'; time: number; node: string; operation: string; error: string; message: string }
  | { type: 'log'; time: number; node: string; level: 'info' | 'warn' | 'error'; message: string };

export type NodeEventType = NodeEvent['type'];
