// Engine II commands with bad arguments fail with a typed EngineError and leave the state exactly as it
// was (apply is transactional), on the hosts of seeds 002–004.
import type { Command } from './commands';
import { EngineError, type EngineErrorCode } from './core/errors';
import { apply, stateHash } from './host';
import type { HostState } from './core/state';
import {
  HBA,
  IPR,
  IPR_GUEST,
  NVME_A,
  NVME_GUEST,
  createWith,
  iprBooted,
  nvmeBooted,
} from './testing/fixtures2';

function refuse(state: HostState, c: Command): EngineError {
  const before = stateHash(state);
  let err: unknown;
  try {
    apply(state, c);
  } catch (e) {
    err = e;
  }
  expect(stateHash(state)).toBe(before);
  if (!(err instanceof EngineError))
    throw new Error(`expected ${c.type} to fail with an EngineError`);
  return err;
}

const nvme = nvmeBooted().state;
const konrad = createWith('xen44-assign-busses', 'xen-4.4-linux-3.13').state;
const ipr = iprBooted().state;
const rhel = createWith('rhbz688673', 'rhel5-2.6.18-274').state;

const cases: [string, HostState, Command, EngineErrorCode][] = [
  [
    'sysfs remove of an unknown device',
    konrad,
    { type: 'dom0.pci.remove', bdf: '0000:0b:00.0' },
    'unknown-device',
  ],
  [
    'sysfs remove of a VF',
    konrad,
    { type: 'dom0.pci.remove', bdf: '0000:03:10.0' },
    'invalid-state',
  ],
  [
    'sysfs remove of a root port above a PF with VFs enabled',
    konrad,
    { type: 'dom0.pci.remove', bdf: '0000:00:01.1' },
    'device-busy',
  ],
  [
    'sysfs remove on a RHEL-5 dom0',
    rhel,
    { type: 'dom0.pci.remove', bdf: '0000:01:00.0' },
    'invalid-state',
  ],
  ['rescan on a RHEL-5 dom0', rhel, { type: 'dom0.pci.rescan' }, 'invalid-state'],
  [
    'a bus2bridge map that is not an object',
    konrad,
    { type: 'xen.debug.bus2bridge', map: [] as unknown as Record<string, string> },
    'invalid-argument',
  ],
  [
    'a bus2bridge entry that is not an address',
    konrad,
    { type: 'xen.debug.bus2bridge', map: { '6': 'bridge' } },
    'invalid-argument',
  ],
  [
    'a schedule that is not a list of names',
    nvme,
    { type: 'guest.schedule', domain: NVME_GUEST, order: [1, 2] as unknown as string[] },
    'invalid-argument',
  ],
  [
    'a schedule for an unknown domain',
    nvme,
    { type: 'guest.schedule', domain: 'nobody', order: [] },
    'unknown-domain',
  ],
  [
    'a reset of a device the guest does not have',
    nvme,
    { type: 'guest.driver.reset', domain: NVME_GUEST, bdf: HBA },
    'unknown-device',
  ],
  [
    'a reset in an unknown domain',
    konrad,
    { type: 'guest.driver.reset', domain: 'konrad-hvm', bdf: HBA },
    'unknown-domain',
  ],
  [
    'a config write of size 3',
    nvme,
    { type: 'guest.pci.write', domain: NVME_GUEST, bdf: NVME_A, offset: 4, size: 3 as 4, value: 0 },
    'invalid-argument',
  ],
  [
    'a misaligned config write',
    nvme,
    { type: 'guest.pci.write', domain: NVME_GUEST, bdf: NVME_A, offset: 5, size: 2, value: 0 },
    'invalid-argument',
  ],
  [
    'a config write beyond 256 bytes',
    nvme,
    { type: 'guest.pci.write', domain: NVME_GUEST, bdf: NVME_A, offset: 256, size: 4, value: 0 },
    'invalid-argument',
  ],
  [
    'an MSI-X write beyond the table',
    ipr,
    { type: 'guest.msix.write', domain: IPR_GUEST, bdf: IPR, entry: 16, offset: 0, value: 0 },
    'msix-entry-out-of-range',
  ],
  [
    'an MSI-X write at a misaligned offset',
    ipr,
    { type: 'guest.msix.write', domain: IPR_GUEST, bdf: IPR, entry: 0, offset: 2 as 0, value: 0 },
    'invalid-argument',
  ],
  [
    'a value wider than 32 bits',
    ipr,
    { type: 'guest.msix.write', domain: IPR_GUEST, bdf: IPR, entry: 0, offset: 0, value: 2 ** 32 },
    'invalid-argument',
  ],
  [
    'vfio hot-plug',
    ipr,
    { type: 'domain.attach-hostdev', domain: IPR_GUEST, hostdev: '0000:02:00.0', live: true },
    'invalid-state',
  ],
  [
    'resetting a device a VM has open',
    ipr,
    { type: 'device.reset', bdf: IPR, method: 'backdoor' },
    'device-busy',
  ],
  ['reattaching a device a VM has open', ipr, { type: 'device.reattach', bdf: IPR }, 'device-busy'],
];

describe('Engine II commands refuse bad arguments without touching the state', () => {
  it.each(cases)('%s', (_name, state, command, code) => {
    expect(refuse(state, command).code).toBe(code);
  });

  it('a PV domain cannot start on a KVM host', () => {
    const d = iprBooted();
    d.run({ type: 'domain.define', config: { name: 'pv-guest', type: 'pv' } });
    expect(refuse(d.state, { type: 'domain.start', domain: 'pv-guest' }).code).toBe(
      'invalid-argument',
    );
  });
});
