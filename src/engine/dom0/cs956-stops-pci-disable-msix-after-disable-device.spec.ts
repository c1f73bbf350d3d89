// Seed 001 c.25: c/s 956 "can even be detrimental" — once disable_msi_mode() cleared dev->msix_enabled,
// pci_disable_msix() returns early, where the as-reported code checks the hardware Enable bit and cleans up.
import { beginTx } from '../core/tx';
import { dom0MsiList } from '../queries';
import { commandWrite } from './pciback/conf_space';
import { pciDisableMsix } from './msi-xen';
import { PV, VF, pvHost } from '../testing/fixtures';
import { ofDomid } from '../core/domtab';

function leftAfterDisable(patch: string[]): number {
  const d = pvHost('rhel5-2.6.18-274', patch);
  d.run({ type: 'domain.start', domain: PV });
  const tx = beginTx(d.state);
  commandWrite(tx, VF, 0x04, 0);
  pciDisableMsix(tx, 'dom0', VF);
  return dom0MsiList(tx.s, VF)[0].pirqs.length;
}

describe('c/s 956 in dom0', () => {
  it('without it pci_disable_msix() still empties the list (the Enable bit is still set)', () => {
    expect(leftAfterDisable([])).toBe(0);
  });

  it('with it pci_disable_msix() returns early and the list keeps its three entries', () => {
    expect(leftAfterDisable(['cs956'])).toBe(3);
  });

  it('in a PV guest c/s 956 sets dev->msix_enabled when pcifront enables MSI-X', () => {
    const without = pvHost('rhel5-2.6.18-274');
    without.run({ type: 'domain.start', domain: PV });
    const withCs = pvHost('rhel5-2.6.18-274', ['cs956']);
    withCs.run({ type: 'domain.start', domain: PV });
    expect(ofDomid(without.state.guests, 1).pci['0000:00:00.0'].msixEnabled).toBe(false);
    expect(ofDomid(withCs.state.guests, 1).pci['0000:00:00.0'].msixEnabled).toBe(true);
  });
});
