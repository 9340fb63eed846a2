/**
 * The load-test engine's public surface, for the task, the CLI and the Azure Load Testing client.
 * See docs/load-testing.md.
 */
export { runLoadTest, prepareLoadTest, type LoadTestOptions, type PreparedLoadTest, type Progress } from './runLoadTest';
export { loadAltConfig, parseAltConfig, AZURE_KEYS, type AltTestConfig, type TestType, type NameValue, type AppComponent, type ReferenceIdentity, type ServerMetricCriterion } from './altConfig';
export { findLocalOnlyFeatures, LOCAL_ONLY_KEYS, LOCAL_ONLY_LOAD_TYPES, LOCAL_ONLY_SETUP_KEYS, LOCAL_ENGINE_DEFAULTS, type LocalEngineOptions } from './localExtensions';
export { loadUrlTest, type UrlTestPlan, type Scenario, type PlannedRequest } from './urlTest';
export { MAX_LOCAL_VIRTUAL_USERS, type LoadShape } from './loadShape';
export type { DocPath } from '../config/yamlSource';
