// Engine errors: one class, a closed set of codes; each transport maps a code once (DESIGN.md §3).

export type EngineErrorCode =
  | 'host-not-created'
  | 'unknown-command'
  | 'invalid-argument'
  | 'invalid-state'
  | 'time-backwards'
  | 'unknown-template'
  | 'unknown-profile'
  | 'unknown-changeset'
  | 'unknown-scenario'
  | 'unknown-device'
  | 'unknown-domain'
  | 'unknown-driver'
  | 'unknown-module'
  | 'domain-exists'
  | 'domain-running'
  | 'domain-not-running'
  | 'device-busy'
  | 'not-assignable'
  | 'hostdev-exists'
  | 'hostdev-missing'
  | 'pv-hot-attach-unsupported'
  | 'pv-hot-detach-unsupported'
  | 'msix-entry-out-of-range'
  | 'duplicate-entry'
  | 'too-many-vectors'
  | 'reset-unsupported'
  | 'iommu-disabled'
  | 'module-not-loaded'
  | 'module-in-use'
  | 'snapshot-invalid'
  | 'hypervisor-hang';

export const ENGINE_ERROR_CODES: readonly EngineErrorCode[] = [
  'host-not-created',
  'unknown-command',
  'invalid-argument',
  'invalid-state',
  'time-backwards',
  'unknown-template',
  'unknown-profile',
  'unknown-changeset',
  'unknown-scenario',
  'unknown-device',
  'unknown-domain',
  'unknown-driver',
  'unknown-module',
  'domain-exists',
  'domain-running',
  'domain-not-running',
  'device-busy',
  'not-assignable',
  'hostdev-exists',
  'hostdev-missing',
  'pv-hot-attach-unsupported',
  'pv-hot-detach-unsupported',
  'msix-entry-out-of-range',
  'duplicate-entry',
  'too-many-vectors',
  'reset-unsupported',
  'iommu-disabled',
  'module-not-loaded',
  'module-in-use',
  'snapshot-invalid',
  'hypervisor-hang',
];

/** A command the engine refuses. Thrown before any state change becomes visible (apply is transactional). */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

export function fail(code: EngineErrorCode, message: string): never {
  throw new EngineError(code, message);
}
