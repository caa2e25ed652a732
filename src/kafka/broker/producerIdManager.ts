/**
 * Kafka's RPCProducerIdManager (KIP-730): a broker hands out producer ids from a block the
 * controller allocated to it (AllocateProducerIds), and asks for the next block when this one
 * is used up. One request at a time: callers that arrive while it is in flight wait for it.
 *
 * Kafka also prefetches the next block once 90% of the current one is used; here a block is
 * fetched when it runs out, which only delays the 1001st InitProducerId by one round trip.
 */
import { KafkaProtocolError, asKafkaError, errorCode, errorName } from '../protocol/errors';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse, InitProducerIdRequest, InitProducerIdResponse } from '../protocol/messages';

export interface ProducerIdManagerOptions {
  /** Sends AllocateProducerIds to the active controller. */
  allocate: (request: AllocateProducerIdsRequest) => Promise<AllocateProducerIdsResponse>;
  /** Read at each request: the broker epoch changes when the broker registers again. */
  brokerId: () => number;
  brokerEpoch: () => number;
}

export class ProducerIdManager {
  /** The ids [next, end) still free in the current block. */
  private next = 0;
  private end = 0;
  private fetching: Promise<void> | null = null;

  constructor(private readonly options: ProducerIdManagerOptions) {}

  /**
   * The next producer id. When no block can be had (controller unreachable, a stale broker
   * epoch), fails with COORDINATOR_LOAD_IN_PROGRESS, as Kafka's manager does: retriable, so the
   * producer asks again.
   */
  async generateProducerId(): Promise<number> {
    for (;;) {
      if (this.next < this.end) return this.next++;
      this.fetching ??= this.fetchBlock().finally(() => {
        this.fetching = null;
      });
      await this.fetching;
    }
  }

  /**
   * InitProducerId without a transactional id: a new producer id with epoch 0 (Kafka's
   * TransactionCoordinator.handleInitProducerId for a null transactional id, whatever id and
   * epoch the request carries). Transactions have no coordinator in this playground: a
   * transactional id is answered UNSUPPORTED_VERSION, as a broker answers what it cannot do.
   */
  async handleInitProducerId(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
    const fail = (code: number): InitProducerIdResponse => ({ errorCode: code, producerId: -1, producerEpoch: -1 });
    if (request.transactionalId === '') return fail(errorCode('INVALID_REQUEST'));
    if (request.transactionalId !== null) return fail(errorCode('UNSUPPORTED_VERSION'));
    try {
      return { errorCode: 0, producerId: await this.generateProducerId(), producerEpoch: 0 };
    } catch (error) {
      return fail(errorCode(asKafkaError(error).type));
    }
  }

  private async fetchBlock(): Promise<void> {
    const request = { brokerId: this.options.brokerId(), brokerEpoch: this.options.brokerEpoch() };
    let response: AllocateProducerIdsResponse;
    try {
      response = await this.options.allocate(request);
    } catch (error) {
      throw new KafkaProtocolError('COORDINATOR_LOAD_IN_PROGRESS', `no producer id block: AllocateProducerIds failed: ${asKafkaError(error).message}`);
    }
    if (response.errorCode !== 0) {
      throw new KafkaProtocolError('COORDINATOR_LOAD_IN_PROGRESS', `no producer id block: the controller answered ${errorName(response.errorCode)}`);
    }
    if (!(response.producerIdLen > 0) || response.producerIdStart < 0) {
      throw new KafkaProtocolError('COORDINATOR_LOAD_IN_PROGRESS', `invalid producer id block [${response.producerIdStart}, +${response.producerIdLen})`);
    }
    this.next = response.producerIdStart;
    this.end = response.producerIdStart + response.producerIdLen;
  }
}
