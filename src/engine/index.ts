// The engine: framework-free, deterministic, no I/O (DESIGN.md §2). Reached only through this file.

// Commands, the pure step and the stateful wrapper
export type { Command, CommandType, DomainDefinition, HostdevInput, ResetMethod } from './commands';
export { COMMAND_TYPES } from './commands';
export {
  apply,
  applyAll,
  createHost,
  effectiveChangesets,
  emptyHostState,
  Host,
  MAX_ADVANCE_NS,
  MAX_IRQ_RATE,
  restore,
  snapshot,
  stateHash,
  type ApplyResult,
} from './host';

// State
export type { BootOptions, HostState, LogLine } from './core/state';
export { STATE_SCHEMA } from './core/state';

// Events
export type {
  AssignmentAction,
  DeviceAssignmentEvent,
  DomainLifecycleEvent,
  DomainState,
  DomainStateReason,
  EngineEvent,
  EngineEventType,
  HostLifecycleEvent,
  InterruptsEvent,
  LifecycleAction,
  LogEvent,
  LogSource,
  LossCounts,
  MsiVectorAction,
  MsiVectorEvent,
} from './core/events';

// Errors
export {
  ENGINE_ERROR_CODES,
  EngineError,
  isEngineError,
  type EngineErrorCode,
} from './core/errors';

// Queries
export {
  assignableDevices,
  dom0MsiList,
  getDevice,
  getDomain,
  hostInfo,
  interruptCounters,
  listChangesets,
  listDevices,
  listDomains,
  listProfiles,
  listTemplates,
  logs,
  msixEntry,
  msixTable,
  xenPirqs,
  type DeviceInfo,
  type DomainInfo,
  type DomainPirqs,
  type HostInfo,
  type InterruptCounter,
  type MsiListEntry,
  type MsixTable,
  type MsixTableEntry,
  type PirqInfo,
} from './queries';

// Engine II queries (seeds 002–004)
export {
  bus2bridge,
  guestWork,
  upstreamBridgeWalk,
  vfioDevices,
  vtdContexts,
  type GuestWorkInfo,
  type VfioDeviceInfo,
} from './queries2';
export type { Engine2Command, Engine2CommandType } from './commands2';
export { ENGINE2_COMMAND_TYPES } from './commands2';
export type { ProfileStack } from './profiles/profiles2';

// Registries: templates, profiles, changesets, device catalog, scenarios
export { TEMPLATES, type HostTemplate } from './templates';
export { PROFILES, PROFILE_IDS, type ProfileInfo } from './profiles/profiles';
export {
  CHANGESETS,
  CHANGESET_IDS,
  isChangesetId,
  type ChangesetId,
  type ChangesetInfo,
} from './profiles/changesets';
export { XEN_VERSIONS, type XenVersionId, type XenVersionInfo } from './profiles/xen-versions';
export { CATALOG, type DeviceModel } from './pci/catalog';
export type { HardwareSpec, HardwareFunctionSpec } from './pci/topology';
export {
  SCENARIOS,
  getScenario,
  runScenario,
  type ScenarioDef,
  type ScenarioRun,
  type ScenarioRunOptions,
} from './scenarios';
