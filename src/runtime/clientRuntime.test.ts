import { describe, expect, it } from 'vitest';
import { ConsumerApp, consumerAppOptions } from './clientRuntime';
import { clusterWithTopic } from '../sim/simCluster';
import type { ClusterEvent } from '../cluster/events';

describe('consumerAppOptions', () => {
  it('fills in the defaults: KafkaJS timeouts and assignor, auto-commit on, reading from the beginning', () => {
    expect(consumerAppOptions({ groupId: 'g', topics: ['demo', 'demo'] })).toEqual({
      groupId: 'g', topics: ['demo'], fromBeginning: true, sessionTimeout: 30_000, heartbeatInterval: 3000, rebalanceTimeout: 60_000,
      assignors: ['RoundRobinAssigner'], autoCommit: true, autoCommitInterval: 5000, processingDelayMs: 0,
    });
  });

  it('keeps what it is given', () => {
    const options = consumerAppOptions({
      groupId: 'g', topics: ['a'], fromBeginning: false, sessionTimeout: 6000, heartbeatInterval: 1000, rebalanceTimeout: 10_000,
      assignors: ['cooperative-sticky', 'range'], autoCommit: false, autoCommitInterval: 500, processingDelayMs: 2.5, clientId: 'billing',
    });
    expect(options).toMatchObject({ fromBeginning: false, sessionTimeout: 6000, heartbeatInterval: 1000, assignors: ['cooperative-sticky', 'range'], autoCommit: false, processingDelayMs: 2.5, clientId: 'billing' });
  });

  it.each([
    [null, /options must be an object/],
    [{ topics: ['a'] }, /groupId must be a non-empty string/],
    [{ groupId: '', topics: ['a'] }, /groupId must be a non-empty string/],
    [{ groupId: 'g' }, /topics must be a non-empty array/],
    [{ groupId: 'g', topics: [] }, /topics must be a non-empty array/],
    [{ groupId: 'g', topics: [7] }, /topics must be strings/],
    [{ groupId: 'g', topics: ['bad name!'] }, /illegal/],
    [{ groupId: 'g', topics: ['a'], groupID: 'x' }, /unknown option "groupID"/],
    [{ groupId: 'g', topics: ['a'], sessionTimeout: 3000 }, /group\.min\.session\.timeout\.ms \(6000\).*INVALID_SESSION_TIMEOUT/],
    [{ groupId: 'g', topics: ['a'], sessionTimeout: 6000.5 }, /sessionTimeout must be an integer/],
    [{ groupId: 'g', topics: ['a'], sessionTimeout: 6000, heartbeatInterval: 6000 }, /heartbeatInterval \(6000\) must be lower than sessionTimeout \(6000\)/],
    [{ groupId: 'g', topics: ['a'], assignors: ['RangeAssignor'] }, /unknown assignor "RangeAssignor" \(known: .*cooperative-sticky/],
    [{ groupId: 'g', topics: ['a'], assignors: [] }, /assignors must be a non-empty array/],
    [{ groupId: 'g', topics: ['a'], assignors: ['range', 'range'] }, /must not repeat/],
    [{ groupId: 'g', topics: ['a'], fromBeginning: 'yes' }, /fromBeginning must be true or false/],
    [{ groupId: 'g', topics: ['a'], processingDelayMs: -1 }, /processingDelayMs must be a number of milliseconds >= 0/],
    [{ groupId: 'g', topics: ['a'], autoCommitInterval: 0 }, /autoCommitInterval must be an integer/],
    [{ groupId: 'g', topics: ['a'], clientId: '' }, /clientId must be a non-empty string/],
  ])('refuses %j', (options, message) => {
    expect(() => consumerAppOptions(options)).toThrow(message);
  });
});

describe('ConsumerApp', () => {
  it('processes every record once and reports consecutive runs per partition, then leaves on stop', async () => {
    const { cluster, scheduler, kafka, admin } = await clusterWithTopic({ seed: 42, topic: 'orders', partitions: 2 });
    const producer = kafka.producer();
    await scheduler.await(producer.connect());
    for (let i = 0; i < 4; i++) {
      await scheduler.await(producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${i * 10 + j}`, value: `v${i * 10 + j}` })) }));
    }

    const events: ClusterEvent[] = [];
    const protocols = new Set<string | null>();
    cluster.onEvent((e) => {
      if (e.type === 'group-state' && e.groupId === 'billing' && e.state === 'Stable') protocols.add(e.protocolName);
    });
    const appKafka = cluster.kafka({ clientId: 'consumer-1' });
    const clock = scheduler.clockFor('consumer-1');
    const app = new ConsumerApp(appKafka, clock, 'consumer-1', (e) => events.push(e),
      consumerAppOptions({ groupId: 'billing', topics: ['orders'], processingDelayMs: 5, sessionTimeout: 6000, heartbeatInterval: 1000, autoCommitInterval: 100, assignors: ['range', 'sticky'] }));
    await scheduler.await(app.start());
    const processed = () => events.filter((e) => e.type === 'consumer-processed');
    const total = () => processed().reduce((n, e) => n + e.count, 0);
    await scheduler.runUntilTrue(() => total() >= 40, 60_000, 'the application processes all 40 records');
    // A record produced while it runs is processed too, reported in a run of its own.
    await scheduler.await(producer.send({ topic: 'orders', messages: [{ key: 'late', value: 'late' }] }));
    await scheduler.runUntilTrue(() => total() >= 41, 60_000, 'the late record');
    await scheduler.await(app.stop());

    const runs = processed();
    expect(runs.every((e) => e.node === 'consumer-1' && e.groupId === 'billing' && e.topic === 'orders')).toBe(true);
    expect(runs.every((e) => e.count === e.lastOffset - e.firstOffset + 1)).toBe(true);
    // Fewer reports than records: runs, not one event per record.
    expect(runs.length).toBeLessThan(41);
    for (const partition of [0, 1]) {
      const ranges = runs.filter((e) => e.partition === partition).sort((a, b) => a.firstOffset - b.firstOffset);
      // Ranges tile 0..end of the partition: nothing skipped, nothing twice.
      let next = 0;
      for (const r of ranges) {
        expect(r.firstOffset).toBe(next);
        next = r.lastOffset + 1;
      }
      expect(next).toBeGreaterThan(0);
    }
    expect(runs.reduce((n, e) => n + e.count, 0)).toBe(41);
    // The group agreed on the application's first choice of assignor.
    expect([...protocols]).toEqual(['range']);
    // Stopped, it committed where it got to: the group's offsets are the partitions' ends.
    const committed = await scheduler.await(admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] }));
    const ends = await scheduler.await(admin.fetchTopicOffsets('orders'));
    expect(committed[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(ends.map((p) => [p.partition, p.high]).sort());
  });
});
