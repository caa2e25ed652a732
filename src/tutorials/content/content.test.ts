import { describe, expect, it } from 'vitest';
import { BROKER_CONFIG_DEFS, DEFAULT_CONTROLLER_CONFIG, TOPIC_CONFIGS } from '../../kafka/config';
import { TUTORIALS } from '.';

const available = TUTORIALS.filter((t) => !t.unavailable);

describe('the tutorials as data', () => {
  it('cover issue 8\'s path in order: 1-9 walkable (9 retention), 10 (compaction) listed with its reason', () => {
    expect(TUTORIALS.map((t) => t.title.split('.')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(available.length).toBe(9);
    const compaction = TUTORIALS[9];
    expect(compaction.unavailable).toMatch(/no log cleaner yet/);
    expect(compaction.steps).toEqual([]);
  });

  it('have unique ids, and steps with text, a waiting-for and a labelled action', () => {
    expect(new Set(TUTORIALS.map((t) => t.id)).size).toBe(TUTORIALS.length);
    for (const t of available) {
      expect(t.steps.length, t.id).toBeGreaterThanOrEqual(4);
      expect(new Set(t.steps.map((s) => s.id)).size, t.id).toBe(t.steps.length);
      for (const s of t.steps) {
        expect(s.text.length, `${t.id}/${s.id}`).toBeGreaterThan(40);
        expect(s.waitingFor.length, `${t.id}/${s.id}`).toBeGreaterThan(5);
        if (s.action) expect(s.action.label.length, `${t.id}/${s.id}`).toBeGreaterThan(5);
      }
      // Every step but an opening look around can be done for the learner.
      expect(t.steps.filter((s) => !s.action?.run).length, t.id).toBeLessThanOrEqual(1);
    }
  });

  it('give Kafka\'s own defaults for the configs they name, where the playground knows them', () => {
    const known = new Map<string, string>();
    for (const [name, def] of Object.entries(TOPIC_CONFIGS)) known.set(name, def.default);
    for (const def of BROKER_CONFIG_DEFS) if (def.kafkaDefault !== undefined) known.set(def.name, def.kafkaDefault ?? 'null');
    // The controller's quorum timeouts are Kafka's defaults in the playground too.
    for (const name of ['controller.quorum.election.timeout.ms', 'controller.quorum.fetch.timeout.ms', 'controller.quorum.election.backoff.max.ms'] as const) {
      known.set(name, String(DEFAULT_CONTROLLER_CONFIG[name]));
    }
    let checked = 0;
    for (const t of TUTORIALS) {
      expect(t.realKafka.configs.length, t.id).toBeGreaterThan(0);
      for (const c of t.realKafka.configs) {
        if (!known.has(c.name)) continue;
        expect(c.default, `${t.id}: ${c.name}`).toBe(known.get(c.name));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('say plainly what the playground does not have', () => {
    const text = (id: string) => TUTORIALS.find((t) => t.id === id)!.steps.map((s) => s.text).join(' ');
    expect(text('topics-and-partitions')).toMatch(/no CreatePartitions yet/);
    expect(text('delivery-guarantees')).toMatch(/does not implement transactions/);
  });
});
