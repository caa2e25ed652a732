/**
 * The admin client's group calls against the real group coordinator on a simulated cluster:
 * describeGroups, listGroups, fetchOffsets, setOffsets / resetOffsets (only for a group with no
 * members) and deleteGroups.
 */
import { describe, expect, it } from 'vitest';
import { clusterWithTopic } from '../../sim/simCluster';
import { decodeAssignment, decodeSubscription } from '../group/consumerProtocol';
import { KafkaJSDeleteGroupsError, type Consumer } from './index';

const TOPIC = 'payments';

async function setup() {
  const { cluster, scheduler, kafka, admin } = await clusterWithTopic({ seed: 21, topic: TOPIC, partitions: 3, clientId: 'ops' });
  const producer = kafka.producer();
  await scheduler.await(producer.connect());
  await scheduler.await(producer.send({ topic: TOPIC, acks: -1, messages: [0, 1, 2].flatMap((p) => [0, 1, 2, 3].map((i) => ({ partition: p, value: `${p}-${i}` }))) }));

  const consumers: Consumer[] = [];
  let received = 0;
  const start = async (groupId: string, clientId: string) => {
    const consumer = cluster.kafka({ clientId }).consumer({ groupId, maxWaitTimeInMs: 1000 });
    consumers.push(consumer);
    await scheduler.await(consumer.connect());
    await scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await scheduler.await(consumer.run({ autoCommitInterval: 500, eachMessage: async () => { received++; } }), 60_000, `${clientId} joins`);
    return consumer;
  };
  return { cluster, scheduler, admin, start, received: () => received };
}

describe('admin group calls', () => {
  it('describes, lists, fetches, resets and deletes groups', async () => {
    const { scheduler, admin, start, received } = await setup();
    const a = await start('billing', 'app-a');
    const b = await start('billing', 'app-b');
    const audit = await start('audit', 'app-c');
    await scheduler.runUntilTrue(() => received() === 24, 60_000, 'both groups consumed');
    await scheduler.runFor(5000); // settled and committed

    const { groups } = await scheduler.await(admin.describeGroups(['billing', 'audit', 'nobody']));
    const billing = groups.find((g) => g.groupId === 'billing')!;
    expect(billing).toMatchObject({ state: 'Stable', protocol: 'RoundRobinAssigner', protocolType: 'consumer', errorCode: 0 });
    expect(billing.members.map((m) => m.clientId).sort()).toEqual(['app-a', 'app-b']);
    const partitions = billing.members.flatMap((m) => decodeAssignment(m.memberAssignment).assignedPartitions.flatMap((t) => t.partitions)).sort();
    expect(partitions).toEqual([0, 1, 2]);
    expect(decodeSubscription(billing.members[0].memberMetadata).topics).toEqual([TOPIC]);
    expect(billing.members[0].memberAssignment.toJSON().type).toBe('Buffer');
    expect(groups.find((g) => g.groupId === 'audit')!.members).toHaveLength(1);
    expect(groups.find((g) => g.groupId === 'nobody')).toMatchObject({ state: 'Dead', members: [] });

    const listed = await scheduler.await(admin.listGroups());
    expect(listed.groups.filter((g) => g.groupId === 'billing' || g.groupId === 'audit').sort((x, y) => x.groupId.localeCompare(y.groupId)))
      .toEqual([{ groupId: 'audit', protocolType: 'consumer' }, { groupId: 'billing', protocolType: 'consumer' }]);

    // Kafka keeps a commit without metadata as '' (OffsetAndMetadata.NoMetadata).
    expect(await scheduler.await(admin.fetchOffsets({ groupId: 'billing', topics: [TOPIC] }))).toEqual([
      { topic: TOPIC, partitions: [0, 1, 2].map((partition) => ({ partition, offset: '4', metadata: '' })) },
    ]);
    expect(await scheduler.await(admin.fetchOffsets({ groupId: 'nobody', topics: [TOPIC] }))).toMatchObject([
      { topic: TOPIC, partitions: [0, 1, 2].map((partition) => ({ partition, offset: '-1' })) },
    ]);

    // A group with members refuses offsets from outside it, and cannot be deleted.
    const refused = await scheduler.await(admin.resetOffsets({ groupId: 'billing', topic: TOPIC, earliest: true })).catch((e) => e);
    expect(refused.type).toBe('UNKNOWN_MEMBER_ID');
    const nonEmpty = await scheduler.await(admin.deleteGroups(['billing'])).catch((e) => e);
    expect(nonEmpty).toBeInstanceOf(KafkaJSDeleteGroupsError);
    expect(nonEmpty.groups.map((g: { groupId: string; error: { type: string } }) => [g.groupId, g.error.type])).toEqual([['billing', 'NON_EMPTY_GROUP']]);

    // Stopped (LeaveGroup), the group is empty: offsets can be reset, and it can be deleted.
    await scheduler.await(a.disconnect());
    await scheduler.await(b.disconnect());
    expect((await scheduler.await(admin.describeGroups(['billing']))).groups[0]).toMatchObject({ state: 'Empty', members: [] });
    await scheduler.await(admin.resetOffsets({ groupId: 'billing', topic: TOPIC, earliest: true }));
    expect((await scheduler.await(admin.fetchOffsets({ groupId: 'billing', topics: [TOPIC] })))[0].partitions.map((p) => p.offset)).toEqual(['0', '0', '0']);
    await scheduler.await(admin.setOffsets({ groupId: 'billing', topic: TOPIC, partitions: [{ partition: 1, offset: '3' }] }));
    expect((await scheduler.await(admin.fetchOffsets({ groupId: 'billing', topics: [TOPIC] })))[0].partitions.map((p) => p.offset)).toEqual(['0', '3', '0']);

    // A restarted consumer of the group starts from the reset offsets.
    const before = received();
    const again = await start('billing', 'app-a');
    await scheduler.runUntilTrue(() => received() - before === 9, 30_000, 'records again from the reset offsets');
    await scheduler.await(again.disconnect());

    expect(await scheduler.await(admin.deleteGroups(['billing']))).toEqual([{ groupId: 'billing', errorCode: 0 }]);
    expect((await scheduler.await(admin.listGroups())).groups.map((g) => g.groupId)).not.toContain('billing');
    expect((await scheduler.await(admin.fetchOffsets({ groupId: 'billing', topics: [TOPIC] })))[0].partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);
    const missing = await scheduler.await(admin.deleteGroups(['billing', 'audit'])).catch((e) => e);
    expect(missing).toBeInstanceOf(KafkaJSDeleteGroupsError);
    expect(missing.groups.map((g: { groupId: string; error: { type: string } }) => [g.groupId, g.error.type]).sort())
      .toEqual([['audit', 'NON_EMPTY_GROUP'], ['billing', 'GROUP_ID_NOT_FOUND']]);
    await scheduler.await(audit.disconnect());
  }, 60_000);
});
