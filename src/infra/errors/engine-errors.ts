// The engine's error codes, mapped once to HTTP status (problem+json `type` /problems/<code>) and,
// through toProblem(), to GraphQL extensions.code.
import { EngineError, type EngineErrorCode } from '../../engine';
import { registerErrorMapper } from './problem';

const STATUS: Record<EngineErrorCode, { status: number; title: string }> = {
  'host-not-created': { status: 409, title: 'Host Not Created' },
  'unknown-command': { status: 400, title: 'Unknown Command' },
  'invalid-argument': { status: 400, title: 'Invalid Argument' },
  'invalid-state': { status: 409, title: 'Invalid State' },
  'time-backwards': { status: 400, title: 'Time Goes Backwards' },
  'unknown-template': { status: 400, title: 'Unknown Template' },
  'unknown-profile': { status: 400, title: 'Unknown Profile' },
  'unknown-changeset': { status: 400, title: 'Unknown Changeset' },
  'unknown-scenario': { status: 404, title: 'Unknown Scenario' },
  'unknown-device': { status: 404, title: 'Unknown Device' },
  'unknown-domain': { status: 404, title: 'Unknown Domain' },
  'unknown-driver': { status: 400, title: 'Unknown Driver' },
  'unknown-module': { status: 400, title: 'Unknown Module' },
  'domain-exists': { status: 409, title: 'Domain Exists' },
  'domain-running': { status: 409, title: 'Domain Running' },
  'domain-not-running': { status: 409, title: 'Domain Not Running' },
  'device-busy': { status: 409, title: 'Device Busy' },
  'not-assignable': { status: 409, title: 'Device Not Assignable' },
  'hostdev-exists': { status: 409, title: 'Hostdev Exists' },
  'hostdev-missing': { status: 404, title: 'Hostdev Missing' },
  'pv-hot-attach-unsupported': { status: 409, title: 'PV Hot Attach Unsupported' },
  'pv-hot-detach-unsupported': { status: 409, title: 'PV Hot Detach Unsupported' },
  'msix-entry-out-of-range': { status: 400, title: 'MSI-X Entry Out Of Range' },
  'duplicate-entry': { status: 400, title: 'Duplicate Entry' },
  'too-many-vectors': { status: 400, title: 'Too Many Vectors' },
  'reset-unsupported': { status: 409, title: 'Reset Unsupported' },
  'iommu-disabled': { status: 409, title: 'IOMMU Disabled' },
  'module-not-loaded': { status: 409, title: 'Module Not Loaded' },
  'module-in-use': { status: 409, title: 'Module In Use' },
  'snapshot-invalid': { status: 400, title: 'Snapshot Invalid' },
  'hypervisor-hang': { status: 409, title: 'Hypervisor Would Hang' },
};

/** Status for an engine error code (codes unknown to this table are a 500: add them above). */
export function engineErrorStatus(code: string): { status: number; title: string } | undefined {
  return (STATUS as Record<string, { status: number; title: string }>)[code];
}

registerErrorMapper((err) => {
  if (!(err instanceof EngineError)) return undefined;
  const m = engineErrorStatus(err.code);
  if (!m) return undefined;
  return { code: err.code, status: m.status, title: m.title, detail: err.message };
});
