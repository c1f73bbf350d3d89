// Seed 001 c.38: the guest's pcibios_disable_resources() writes PCI_COMMAND without IO|MEM; pciback's
// command_write() runs dom0's 2.6.18 pci_disable_device(), which calls disable_msi_mode() with the *MSI*
// capability offset: on the MSI-X-only VF that is 0, so dev->msix_enabled drops to 0 while the device's
// MSI-X Enable bit stays set and msi_dev_head keeps its pirqs.
import { beginTx } from '../core/tx';
import { dom0MsiList, msixTable } from '../queries';
import { commandWrite } from './pciback/conf_space';
import { pciDisableDevice } from './pci';
import { pciDisableMsi, pciEnableMsi } from './msi-xen';
import { createHost } from '../host';
import { xenPirqs } from '../queries';
import { PV, VF, pvHost } from '../testing/fixtures';

describe('command_write → pci_disable_device (2.6.18)', () => {
  it('on the VF: msix_enabled becomes 0, the hardware Enable bit stays, the pirq list stays', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV });
    expect(d.state.dom0.pci[VF].msixEnabled).toBe(true);
    const tx = beginTx(d.state);
    commandWrite(tx, VF, 0x04, 0);
    expect(tx.s.dom0.pci[VF].msixEnabled).toBe(false);
    expect(tx.s.dom0.pci[VF].isEnabled).toBe(false);
    expect(msixTable(tx.s, VF).enabled).toBe(true);
    expect(dom0MsiList(tx.s, VF)[0].pirqs).toHaveLength(3);
  });

  it('a write that keeps MEM set does not disable the device', () => {
    const d = pvHost('rhel5-2.6.18-274');
    d.run({ type: 'domain.start', domain: PV });
    const tx = beginTx(d.state);
    commandWrite(tx, VF, 0x04, 0x0002);
    expect(tx.s.dom0.pci[VF].msixEnabled).toBe(true);
    expect(tx.s.dom0.pci[VF].isBusmaster).toBe(true);
  });

  it('on a function with an MSI capability (the PF) the same path really clears MSI Enable', () => {
    const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673' }).state);
    const PF = '0000:01:00.0';
    expect(pciEnableMsi(tx, 'dom0', PF)).toBe(0);
    const msiCtrl = (): number => tx.s.hw.fns[PF].cfg[0x50 >> 2] >>> 16;
    expect(msiCtrl() & 1).toBe(1);
    pciDisableDevice(tx, 'dom0', PF);
    expect(msiCtrl() & 1).toBe(0);
    expect(tx.s.dom0.pci[PF].msiEnabled).toBe(false);
  });

  it('c/s 945 is detrimental there: pci_disable_msi() after pci_disable_device() no longer unmaps the pirq', () => {
    const PF = '0000:01:00.0';
    const pirqsLeft = (patch: string[]): number => {
      const tx = beginTx(createHost({ type: 'host.create', template: 'rhbz688673', patch }).state);
      pciEnableMsi(tx, 'dom0', PF);
      pciDisableDevice(tx, 'dom0', PF);
      pciDisableMsi(tx, 'dom0', PF);
      return xenPirqs(tx.s, 0)[0].pirqs.filter((p) => p.bdf === PF).length;
    };
    expect(pirqsLeft([])).toBe(0);
    expect(pirqsLeft(['cs945'])).toBe(1);
  });
});
