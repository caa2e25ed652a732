/** Experiments: Kafka's failure stories as data, a runner over window.playground, and their panel. */
export { EXPERIMENTS, experimentById } from './experiments';
export { runExperiment, type ExperimentApi, type RunProgress } from './runner';
export { experimentScenario } from './share';
export type { Experiment, RunResult, Verdict, Outcome } from './model';
export { ExperimentsPanel } from './ExperimentsPanel';
