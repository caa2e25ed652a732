/** Scenarios: encode/decode for links and files, validation, and building one through window.playground. */
export { SCENARIO_VERSION, ScenarioError, validateScenario, type Scenario, type ScenarioClient, type ScenarioFault, type ScenarioTopic } from './scenario';
export { checkSharedScenario, decodeScenario, encodeScenario, scenarioFromJson, scenarioToJson, shareUrl, ScenarioLinkError, type SharedScenarioCheck } from './codec';
export { applyScenario, type ApplyOptions, type AppliedScenario, type ScenarioApi, type ScenarioProgress } from './apply';
export { scenarioFromCluster, summarizeScenario } from './summary';
export { ScenarioPanel, ScenarioSummary, SharedScenarioBanner } from './ScenarioPanel';
