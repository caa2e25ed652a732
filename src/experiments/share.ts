/**
 * An experiment as a scenario anyone can open from a link: its cluster, its topic with the
 * variant's configs, a producer application with the probe's settings (and the consumers it
 * starts), and its faults at their typical times. Targets an experiment remembered ('$old')
 * are written as the role they were remembered from, with `as` where the scenario allows it.
 */
import { validateScenario, type Scenario, type ScenarioClient, type ScenarioFault } from '../scenario/scenario';
import type { Target } from '../scenario/targets';
import type { Experiment, Variant } from './model';
import { variantTopic } from './runner';

export function experimentScenario(experiment: Experiment, variant: Variant = experiment.variants[0]): Scenario {
  const topic = variantTopic(experiment, variant);
  const clients: ScenarioClient[] = [{
    kind: 'producer', topic: topic.name, ratePerSec: 10, acks: variant.probe.acks,
    ...(variant.probe.idempotent ? { idempotent: true } : {}),
  }];
  /** Remembered names: the role they stand for, until a fault has defined them with `as`. */
  const remembered = new Map<string, Target>();
  const defined = new Set<string>();
  const clientIndex = new Map<string, number>();
  const faults: ScenarioFault[] = [];
  let last = 0;

  /** A target as the scenario can say it; `canDefine`: the fault takes `as`, so the first use defines it. */
  const spell = (target: Target, canDefine: boolean): { target: Target; as?: string } => {
    const match = typeof target === 'string' ? /^\$(\w+)$/.exec(target) : null;
    if (!match) return { target };
    const name = match[1];
    if (clientIndex.has(name)) return { target: `client:${clientIndex.get(name)}` };
    if (defined.has(name)) return { target };
    const role = remembered.get(name) ?? target;
    if (!canDefine) return { target: role };
    defined.add(name);
    return { target: role, as: name };
  };

  for (const step of experiment.steps) {
    if (step.do === 'remember') remembered.set(step.name, step.target);
    if (step.do === 'start-consumer') {
      clientIndex.set(step.as, clients.length);
      clients.push({ kind: 'consumer', ...step.options });
    }
    if (step.do !== 'fault') continue;
    const atMs = Math.max(last, step.atMs);
    last = atMs;
    const f = step.fault;
    switch (f.action) {
      case 'killBroker': case 'restartBroker': case 'killController': case 'restartController': {
        const { target, as } = spell(f.target, true);
        faults.push({ atMs, action: f.action, target, ...(as ? { as } : {}) });
        break;
      }
      case 'isolate': {
        const clientsWith = f.clientsWith !== undefined ? spell(f.clientsWith, false).target : undefined;
        const { target, as } = spell(f.target, true);
        faults.push({ atMs, action: 'isolate', target, ...(clientsWith !== undefined ? { clientsWith } : {}), ...(as ? { as } : {}) });
        break;
      }
      case 'partition':
        faults.push({ atMs, action: 'partition', groups: f.groups.map((g) => g.map((t) => spell(t, false).target)), ...(f.clientsWith !== undefined ? { clientsWith: spell(f.clientsWith, false).target } : {}) });
        break;
      case 'killClient': case 'stopClient':
        faults.push({ atMs, action: f.action, target: spell(f.target, false).target });
        break;
      default:
        faults.push({ ...f, atMs } as ScenarioFault);
    }
  }
  return validateScenario({
    version: 1,
    name: `${experiment.title}${experiment.variants.length > 1 ? ` (${variant.label})` : ''}`,
    cluster: { ...experiment.cluster },
    topics: [topic],
    clients,
    faults,
  });
}
