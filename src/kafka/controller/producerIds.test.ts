import { describe, expect, it } from 'vitest';
import { MetadataImage } from '../metadata/image';
import type { MetadataRecord } from '../metadata/records';
import { PRODUCER_ID_BLOCK_SIZE, allocateProducerIds } from './producerIds';

const registered = (records: MetadataRecord[]): MetadataImage =>
  MetadataImage.EMPTY.apply(records.map((record, offset) => ({ offset, record })));

const register = (brokerId: number, brokerEpoch: number): MetadataRecord => ({
  type: 'RegisterBrokerRecord', brokerId, incarnationId: `inc-${brokerId}`, brokerEpoch, rack: null, fenced: false, endPoints: [],
});

describe('allocateProducerIds', () => {
  it('hands out consecutive blocks of 1000 ids, recorded in the metadata log', () => {
    let image = registered([register(1, 0), register(2, 1)]);
    const first = allocateProducerIds(image, { brokerId: 1, brokerEpoch: 0 });
    expect(first.response).toEqual({ errorCode: 0, producerIdStart: 0, producerIdLen: PRODUCER_ID_BLOCK_SIZE });
    expect(first.records).toEqual([{ type: 'ProducerIdsRecord', brokerId: 1, brokerEpoch: 0, nextProducerId: 1000 }]);
    image = image.apply(first.records.map((record) => ({ offset: image.offset + 1, record })));
    const second = allocateProducerIds(image, { brokerId: 2, brokerEpoch: 1 });
    expect(second.response.producerIdStart).toBe(1000);
    expect(second.records[0]).toMatchObject({ nextProducerId: 2000 });
  });

  it('refuses an unregistered broker or a stale epoch with STALE_BROKER_EPOCH', () => {
    const image = registered([register(1, 5)]);
    expect(() => allocateProducerIds(image, { brokerId: 1, brokerEpoch: 4 })).toThrow(expect.objectContaining({ type: 'STALE_BROKER_EPOCH' }));
    expect(() => allocateProducerIds(image, { brokerId: 3, brokerEpoch: 5 })).toThrow(expect.objectContaining({ type: 'STALE_BROKER_EPOCH' }));
  });
});
