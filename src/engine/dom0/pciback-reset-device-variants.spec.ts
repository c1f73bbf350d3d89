// pciback_reset_device() on every release (spec §6): as reported it only disables the device; c/s 1070
// first calls pci_disable_msix() if dev->msix_enabled (so it helps only after an abrupt destroy); msi-prune
// then empties the device's msi_dev_head list with no hypercall.
import { dom0MsiList } from '../queries';
import { PV, VF, pvHost } from '../testing/fixtures';

type Way = 'shutdown' | 'destroy';

function release(patch: string[], way: Way): { left: number; lines: string[] } {
  const d = pvHost('rhel5-2.6.18-274', patch);
  d.run({ type: 'domain.start', domain: PV });
  const ev = d.run({ type: way === 'shutdown' ? 'domain.shutdown' : 'domain.destroy', domain: PV });
  return {
    left: dom0MsiList(d.state, VF)[0].pirqs.length,
    lines: d.lines(ev).filter((l) => l.startsWith('dom0:')),
  };
}

const unmapFailed = [
  'dom0: unmap irq ff failed',
  'dom0: unmap irq fe failed',
  'dom0: unmap irq fd failed',
];
const cleaning = [0, 1, 2]
  .map((e) => `dom0: PCI: 0000:01:10.0: cleaning up MSI-X entry ${e}`)
  .concat(['dom0: PCI: 0000:01:10.0: cleaning up mask_base']);

describe('pciback_reset_device variants', () => {
  it.each<[string, string[], Way, number, string[], string[]]>([
    ['as reported', [], 'shutdown', 3, [], [...unmapFailed, ...cleaning]],
    ['as reported', [], 'destroy', 3, [], [...unmapFailed, ...cleaning]],
    ['cs1070', ['cs1070'], 'shutdown', 3, [], [...unmapFailed, ...cleaning]],
    ['cs1070', ['cs1070'], 'destroy', 0, unmapFailed, cleaning],
    ['msi-prune', ['msi-prune'], 'shutdown', 0, cleaning, unmapFailed],
    ['msi-prune', ['msi-prune'], 'destroy', 0, cleaning, unmapFailed],
    ['cs1070 + msi-prune', ['cs1070', 'msi-prune'], 'shutdown', 0, cleaning, unmapFailed],
    ['cs1070 + msi-prune', ['cs1070', 'msi-prune'], 'destroy', 0, unmapFailed, cleaning],
  ])('%s after %s: %d entries left', (_name, patch, way, left, present, absent) => {
    const r = release(patch, way);
    expect(r.left).toBe(left);
    for (const l of present) expect(r.lines).toContain(l);
    for (const l of absent) expect(r.lines).not.toContain(l);
  });

  it('c/s 1070 after a destroy still names the dead domain as owner ("get owner for dev 80 get 1 ")', () => {
    const r = release(['cs1070'], 'destroy');
    expect(r.lines.slice(0, 2)).toEqual([
      'dom0: get owner for dev 80 get 1 ',
      'dom0: unmap irq ff failed',
    ]);
  });

  it('the prune is idempotent: seizing a device dom0 used before logs nothing', () => {
    const d = pvHost('rhel5-2.6.18-283');
    expect(d.lines().some((l) => l.includes('cleaning up'))).toBe(false);
    expect(dom0MsiList(d.state, VF)).toHaveLength(1);
  });
});
