import { describe, expect, it } from 'vitest';
import { errorCode } from '../protocol/errors';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from '../protocol/messages';
import { ProducerIdManager } from './producerIdManager';

/** A fake controller: blocks of `size` ids, answered when release() is called. */
function fakeController(size = 3) {
  let next = 100;
  const requests: AllocateProducerIdsRequest[] = [];
  const waiting: (() => void)[] = [];
  let fail: number | null = null;
  const allocate = (request: AllocateProducerIdsRequest) => new Promise<AllocateProducerIdsResponse>((resolve) => {
    requests.push(request);
    waiting.push(() => {
      if (fail !== null) return resolve({ errorCode: fail, producerIdStart: -1, producerIdLen: 0 });
      resolve({ errorCode: 0, producerIdStart: next, producerIdLen: size });
      next += size;
    });
  });
  return {
    allocate, requests,
    release: () => waiting.splice(0).forEach((answer) => answer()),
    failWith: (code: number | null) => { fail = code; },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProducerIdManager', () => {
  it('hands out ids from its block and fetches the next block once, for every waiting caller', async () => {
    const controller = fakeController(3);
    let epoch = 7;
    const manager = new ProducerIdManager({ allocate: controller.allocate, brokerId: () => 2, brokerEpoch: () => epoch });
    const calls = Array.from({ length: 5 }, () => manager.generateProducerId());
    await flush();
    expect(controller.requests).toEqual([{ brokerId: 2, brokerEpoch: 7 }]);
    epoch = 8; // the broker registered again meanwhile: the next request carries the new epoch
    controller.release();
    await flush();
    // Three ids from the first block; the other two callers share one more request.
    expect(controller.requests).toEqual([{ brokerId: 2, brokerEpoch: 7 }, { brokerId: 2, brokerEpoch: 8 }]);
    controller.release();
    expect(await Promise.all(calls)).toEqual([100, 101, 102, 103, 104]);
    expect(controller.requests).toHaveLength(2);
    const next = manager.generateProducerId();
    expect(await next).toBe(105);
    expect(controller.requests).toHaveLength(2);
  });

  it('answers InitProducerId with a new id and epoch 0, and refuses transactional ids', async () => {
    const controller = fakeController(10);
    const manager = new ProducerIdManager({ allocate: controller.allocate, brokerId: () => 1, brokerEpoch: () => 0 });
    const first = manager.handleInitProducerId({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    await flush();
    controller.release();
    expect(await first).toEqual({ errorCode: 0, producerId: 100, producerEpoch: 0 });
    // A producer that asks again (e.g. after a restart) gets a fresh id, not a bumped epoch.
    expect(await manager.handleInitProducerId({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: 100, producerEpoch: 0 }))
      .toEqual({ errorCode: 0, producerId: 101, producerEpoch: 0 });
    expect(await manager.handleInitProducerId({ transactionalId: 'tx-1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }))
      .toEqual({ errorCode: errorCode('UNSUPPORTED_VERSION'), producerId: -1, producerEpoch: -1 });
  });

  it('fails with a retriable COORDINATOR_LOAD_IN_PROGRESS when no block comes, and tries again next time', async () => {
    const controller = fakeController(2);
    let reachable = false;
    const manager = new ProducerIdManager({
      allocate: (request) => (reachable ? controller.allocate(request) : Promise.reject(new Error('REQUEST_TIMED_OUT'))),
      brokerId: () => 1, brokerEpoch: () => 0,
    });
    await expect(manager.generateProducerId()).rejects.toMatchObject({ type: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true });
    reachable = true;
    controller.failWith(errorCode('STALE_BROKER_EPOCH'));
    const stale = manager.handleInitProducerId({ transactionalId: null, transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 });
    await flush();
    controller.release();
    expect(await stale).toEqual({ errorCode: errorCode('COORDINATOR_LOAD_IN_PROGRESS'), producerId: -1, producerEpoch: -1 });
    controller.failWith(null);
    const ok = manager.generateProducerId();
    await flush();
    controller.release();
    expect(await ok).toBe(100);
  });
});
