/**
 * Kafka's ProducerIdControlManager (KIP-730): the controller hands producer ids to brokers in
 * blocks, so a broker answers InitProducerId without asking the controller each time. The
 * next free id lives in the metadata log (ProducerIdsRecord), so a new active controller never
 * hands out a block twice.
 */
import type { MetadataImage } from '../metadata/image';
import type { MetadataRecord } from '../metadata/records';
import { KafkaProtocolError } from '../protocol/errors';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from '../protocol/messages';

/** ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** A controller command's outcome, as Kafka's ControllerResult: records to append, then the response. */
export interface ControllerResult<T> { records: MetadataRecord[]; response: T }

/**
 * The next block for a broker: PRODUCER_ID_BLOCK_SIZE ids from image.nextProducerId. Throws
 * STALE_BROKER_EPOCH when the broker is not registered with that epoch (checkBrokerEpoch).
 * Call it with the image that includes every record appended before (inside the controller's
 * write queue), or two brokers could get the same block.
 */
export function allocateProducerIds(image: MetadataImage, request: AllocateProducerIdsRequest): ControllerResult<AllocateProducerIdsResponse> {
  const registration = image.brokers.get(request.brokerId);
  if (!registration) throw new KafkaProtocolError('STALE_BROKER_EPOCH', `no broker registration found for broker ${request.brokerId}`);
  if (registration.epoch !== request.brokerEpoch) {
    throw new KafkaProtocolError('STALE_BROKER_EPOCH', `expected broker epoch ${registration.epoch}, but got broker epoch ${request.brokerEpoch}`);
  }
  const producerIdStart = image.nextProducerId;
  if (producerIdStart > Number.MAX_SAFE_INTEGER - PRODUCER_ID_BLOCK_SIZE) {
    throw new KafkaProtocolError('UNKNOWN_SERVER_ERROR', 'exhausted all producer ids');
  }
  return {
    records: [{ type: 'ProducerIdsRecord', brokerId: request.brokerId, brokerEpoch: request.brokerEpoch, nextProducerId: producerIdStart + PRODUCER_ID_BLOCK_SIZE }],
    response: { errorCode: 0, producerIdStart, producerIdLen: PRODUCER_ID_BLOCK_SIZE },
  };
}
