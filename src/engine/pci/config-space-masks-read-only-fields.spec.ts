// Config space is bytes with per-byte write masks (spec §1): IDs, QSIZE, BIR, capability pointers are
// read-only; BARs size themselves; a VF implements only Bus Master in PCI_COMMAND; PCIe hardwires Latency Timer.
import { beginTx } from '../core/tx';
import { createHost } from '../host';
import * as R from './constants';
import { findCapRaw } from './config';
import { hwCfgRead, hwCfgWrite } from './hw';

const host = () => createHost({ type: 'host.create', template: 'rhbz688673' }).state;
const PF = '0000:01:00.0';
const VF = '0000:01:10.0';

describe('config space write masks', () => {
  it('vendor/device IDs and the MSI-X table size ignore writes', () => {
    const tx = beginTx(host());
    hwCfgWrite(tx, PF, R.PCI_VENDOR_ID, 4, 0x12345678);
    hwCfgWrite(tx, PF, 0x70 + R.PCI_MSIX_FLAGS, 2, 0x07ff);
    expect(hwCfgRead(tx.s, PF, R.PCI_VENDOR_ID, 4)).toBe(0x10c98086);
    expect(hwCfgRead(tx.s, PF, 0x70 + R.PCI_MSIX_FLAGS, 2) & R.PCI_MSIX_FLAGS_QSIZE).toBe(9);
  });

  it('a BAR written with all ones reads back its size mask', () => {
    const tx = beginTx(host());
    hwCfgWrite(tx, PF, R.PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    expect(hwCfgRead(tx.s, PF, R.PCI_BASE_ADDRESS_0, 4)).toBe(0xfffe0000);
  });

  it("a VF's COMMAND keeps only Bus Master; IO/MEM decode are the PF's business", () => {
    const tx = beginTx(host());
    hwCfgWrite(tx, VF, R.PCI_COMMAND, 2, 0xffff);
    expect(hwCfgRead(tx.s, VF, R.PCI_COMMAND, 2)).toBe(R.PCI_COMMAND_MASTER);
  });

  it('PCI Express functions hardwire the Latency Timer to 0', () => {
    const tx = beginTx(host());
    hwCfgWrite(tx, PF, R.PCI_LATENCY_TIMER, 1, 64);
    expect(hwCfgRead(tx.s, PF, R.PCI_LATENCY_TIMER, 1)).toBe(0);
  });

  it('the capability list links PM → MSI → MSI-X → PCIe on the PF and MSI-X → PCIe on the VF', () => {
    const s = host();
    const cfgPf = s.hw.fns[PF].cfg;
    expect(
      [R.PCI_CAP_ID_PM, R.PCI_CAP_ID_MSI, R.PCI_CAP_ID_MSIX, R.PCI_CAP_ID_EXP].map((c) =>
        findCapRaw(cfgPf, c),
      ),
    ).toEqual([0x40, 0x50, 0x70, 0xa0]);
    const cfgVf = s.hw.fns[VF].cfg;
    expect(findCapRaw(cfgVf, R.PCI_CAP_ID_MSI)).toBe(0);
    expect(findCapRaw(cfgVf, R.PCI_CAP_ID_MSIX)).toBe(0x70);
  });

  it('absent functions read all ones and ignore writes', () => {
    const tx = beginTx(host());
    hwCfgWrite(tx, '0000:04:00.0', R.PCI_COMMAND, 2, 7);
    expect(hwCfgRead(tx.s, '0000:04:00.0', R.PCI_VENDOR_ID, 2)).toBe(0xffff);
  });
});
