/**
 * Kafka's ProducerStateManager for one partition replica: for every idempotent producer that
 * wrote to it, the producer epoch and the metadata of its last 5 batches (first and last
 * sequence, first and last offset). A leader checks each incoming batch against it before
 * giving the batch offsets: a retry of one of those 5 batches is a duplicate and is answered
 * with its original offsets instead of being written again; a gap in the sequence is refused
 * with OUT_OF_ORDER_SEQUENCE_NUMBER; a zombie (older epoch) with INVALID_PRODUCER_EPOCH.
 *
 * Persistence: the log itself. Every v2 batch header carries producerId, producerEpoch and
 * baseSequence, so after a restart (recovery from IndexedDB) or a truncation the state is
 * rebuilt by scanning the log's batches with rebuild(). Kafka adds snapshot files only to avoid
 * rescanning big logs; a playground log is small enough to scan.
 *
 * Followers call onAppended for every batch they replicate, so a follower that becomes leader
 * already knows every producer's sequences and keeps rejecting duplicates across a failover.
 *
 * Pure and synchronous: the caller runs checkAppend, the append and onAppended in the same turn
 * of the log's write queue, so no other append can slip in between.
 */
import { KafkaProtocolError } from '../protocol/errors';
import type { BatchHeader } from './recordBatch';

/** ProducerStateEntry.NUM_BATCHES_TO_RETAIN: why an idempotent producer keeps at most 5 requests in flight. */
export const NUM_BATCHES_TO_RETAIN = 5;
/** RecordBatch.NO_PRODUCER_ID / NO_PRODUCER_EPOCH / NO_SEQUENCE */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 0x7fffffff;

/** The header fields producer state reads (a BatchHeader has them all). */
export type ProducerBatchHeader = Pick<BatchHeader, 'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta' | 'isControl'>;

/** One of a producer's retained batches. */
export interface BatchMetadata { firstSeq: number; lastSeq: number; firstOffset: number; lastOffset: number }

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
}

/** What checkAppend found: the batch was appended before, at these offsets. */
export interface DuplicateBatch { duplicate: { firstOffset: number; lastOffset: number } }

/** One producer as the UI and tests see it. */
export interface ProducerSnapshot { producerId: number; producerEpoch: number; lastSequence: number; lastOffset: number }

/** DefaultRecordBatch.incrementSequence: sequences are int32 and wrap from 2147483647 to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** The batch's last sequence: baseSequence + lastOffsetDelta, wrapping as Kafka's. */
export function lastSequenceOf(header: Pick<BatchHeader, 'baseSequence' | 'lastOffsetDelta'>): number {
  if (header.baseSequence === NO_SEQUENCE) return NO_SEQUENCE;
  return incrementSequence(header.baseSequence, header.lastOffsetDelta);
}

/** ProducerAppendInfo.inSequence */
function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

const hasProducerId = (header: ProducerBatchHeader): boolean => header.producerId >= 0 && !header.isControl;

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerStateEntry>();

  /**
   * As a leader, before assigning offsets to the batches of one produce request (in order).
   * Returns the original offsets when a batch is a retry of one of its producer's last 5
   * batches (then nothing of this append may be written, as Kafka's analyzeAndValidateProducerState),
   * null when the batches may be appended. Throws KafkaProtocolError:
   * - INVALID_RECORD: a batch with a producer id but no sequence (LogValidator);
   * - INVALID_PRODUCER_EPOCH: an epoch older than the producer's current one (a zombie);
   * - OUT_OF_ORDER_SEQUENCE_NUMBER: a new epoch not starting at sequence 0, or, in the same
   *   epoch, a first sequence that is not the last one + 1 (a batch was lost in between).
   * A producer id this replica has no state for (new, or its batches are gone from the log)
   * may start at any sequence: Kafka accepts it since KIP-360 (2.5), see checkSequence.
   */
  checkAppend(headers: ProducerBatchHeader | readonly ProducerBatchHeader[]): DuplicateBatch | null {
    const batches = Array.isArray(headers) ? headers : [headers as ProducerBatchHeader];
    // Later batches of the same append are checked against the earlier ones (ProducerAppendInfo).
    const pending = new Map<number, { epoch: number; lastSeq: number }>();
    for (const header of batches) {
      if (!hasProducerId(header)) continue;
      const { producerId, producerEpoch, baseSequence } = header;
      if (baseSequence < 0) {
        throw new KafkaProtocolError('INVALID_RECORD', `invalid sequence number ${baseSequence} in a batch with producerId ${producerId}`);
      }
      const lastSeq = lastSequenceOf(header);
      const entry = this.producers.get(producerId);
      if (entry && entry.producerEpoch === producerEpoch) {
        const original = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSeq);
        if (original) return { duplicate: { firstOffset: original.firstOffset, lastOffset: original.lastOffset } };
      }
      const current = pending.get(producerId) ?? (entry ? { epoch: entry.producerEpoch, lastSeq: entry.batches.at(-1)?.lastSeq ?? NO_SEQUENCE } : null);
      const currentEpoch = current?.epoch ?? NO_PRODUCER_EPOCH;
      if (producerEpoch < currentEpoch) {
        throw new KafkaProtocolError('INVALID_PRODUCER_EPOCH', `epoch ${producerEpoch} of producer ${producerId} is older than its last seen epoch ${currentEpoch}`);
      }
      if (producerEpoch !== currentEpoch) {
        if (baseSequence !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
          throw new KafkaProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${producerId} started epoch ${producerEpoch} at sequence ${baseSequence}, not 0`);
        }
      } else if (current && current.lastSeq !== NO_SEQUENCE && !inSequence(current.lastSeq, baseSequence)) {
        throw new KafkaProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${producerId} sent sequence ${baseSequence}, expected ${incrementSequence(current.lastSeq, 1)}`);
      }
      pending.set(producerId, { epoch: producerEpoch, lastSeq });
    }
    return null;
  }

  /**
   * Records a batch that is now in the log at [firstOffset, lastOffset], on a leader (after
   * checkAppend) and on a follower (no checks: the leader checked it, as Kafka's REPLICATION
   * origin). A new epoch forgets the previous epoch's batches.
   */
  onAppended(header: ProducerBatchHeader, firstOffset: number, lastOffset: number): void {
    if (!hasProducerId(header)) return;
    let entry = this.producers.get(header.producerId);
    if (!entry) {
      entry = { producerId: header.producerId, producerEpoch: header.producerEpoch, batches: [] };
      this.producers.set(header.producerId, entry);
    }
    if (entry.producerEpoch !== header.producerEpoch) {
      entry.producerEpoch = header.producerEpoch;
      entry.batches = [];
    }
    if (entry.batches.length === NUM_BATCHES_TO_RETAIN) entry.batches.shift();
    entry.batches.push({ firstSeq: header.baseSequence, lastSeq: lastSequenceOf(header), firstOffset, lastOffset });
  }

  /**
   * Forgets everything and replays the log's batches in offset order: after recovery from the
   * store, and after the log was truncated (KIP-101), since the retained 5 batches alone cannot
   * say what a producer's last sequence was before the cut.
   */
  rebuild(batches: Iterable<{ header: ProducerBatchHeader; baseOffset: number; lastOffset: number }>): void {
    this.producers.clear();
    for (const { header, baseOffset, lastOffset } of batches) this.onAppended(header, baseOffset, lastOffset);
  }

  /** Every producer with its epoch, last sequence and last offset, by producer id. */
  snapshot(): ProducerSnapshot[] {
    return [...this.producers.values()]
      .sort((a, b) => a.producerId - b.producerId)
      .map((e) => ({
        producerId: e.producerId, producerEpoch: e.producerEpoch,
        lastSequence: e.batches.at(-1)?.lastSeq ?? NO_SEQUENCE, lastOffset: e.batches.at(-1)?.lastOffset ?? -1,
      }));
  }
}
