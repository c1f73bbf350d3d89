// The MSI-X table and PBA live in BAR memory (spec §1): reachable by MMIO at BAR[BIR] + Table Offset, only
// while the BAR decodes; resets change the table behind everybody's back.
import { beginTx } from '../core/tx';
import { createHost } from '../host';
import { msixTable } from '../queries';
import * as R from './constants';
import {
  backdoorReset,
  functionLevelReset,
  hwCfgWrite,
  mmioRead32,
  mmioWrite32,
  mmioWriteMsixEntry,
  msixEntryAddress,
} from './hw';
import type { HostState } from '../core/state';

const VF = '0000:01:10.0';
const PF = '0000:01:00.0';

const host = (): HostState => createHost({ type: 'host.create', template: 'rhbz688673' }).state;

describe('MSI-X table in BAR memory', () => {
  it('starts with every entry masked', () => {
    const t = msixTable(host(), VF);
    expect(t.entries.map((e) => e.masked)).toEqual([true, true, true]);
  });

  it("an MMIO write at BAR3 + 16·entry + 8 sets the entry's message data", () => {
    const s = host();
    const at = msixEntryAddress(s, VF, 1);
    expect(at).not.toBeNull();
    const tx = beginTx(s);
    expect(mmioWrite32(tx, (at ?? 0) + R.PCI_MSIX_ENTRY_DATA, 0x4031)).toBe(true);
    expect(msixTable(tx.s, VF).entries[1].data).toBe(0x4031);
    expect(mmioRead32(tx.s, (at ?? 0) + R.PCI_MSIX_ENTRY_DATA)).toBe(0x4031);
  });

  it('programming a whole entry at once writes the same table as its four MMIO writes', () => {
    const s = host();
    const at = msixEntryAddress(s, VF, 2) ?? 0;
    const one = beginTx(s);
    mmioWriteMsixEntry(one, at, VF, R.PCI_MSIX_ENTRY_CTRL_MASKBIT, 0xfee01000, 0, 0x4052);
    const four = beginTx(s);
    mmioWrite32(four, at + R.PCI_MSIX_ENTRY_VECTOR_CTRL, R.PCI_MSIX_ENTRY_CTRL_MASKBIT);
    mmioWrite32(four, at + R.PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee01000);
    mmioWrite32(four, at + R.PCI_MSIX_ENTRY_UPPER_ADDR, 0);
    mmioWrite32(four, at + R.PCI_MSIX_ENTRY_DATA, 0x4052);
    expect(msixTable(one.s, VF)).toEqual(msixTable(four.s, VF));
    expect(msixTable(one.s, VF).entries[2]).toMatchObject({ addrLo: 0xfee01000, data: 0x4052 });
  });

  it('an entry address the hinted function does not decode goes through the ordinary decode', () => {
    const s = host();
    const at = msixEntryAddress(s, VF, 1) ?? 0;
    const tx = beginTx(s);
    // The hint names the PF, whose MSI-X BAR does not hold the VF's table: the VF still gets the writes.
    mmioWriteMsixEntry(tx, at, PF, 0, 0xfee02000, 0, 0x4061);
    expect(msixTable(tx.s, VF).entries[1]).toMatchObject({
      addrLo: 0xfee02000,
      data: 0x4061,
      masked: false,
    });
  });

  it('once the PF clears VF MSE, VF BARs stop decoding and the same write goes nowhere', () => {
    const s = host();
    const at = msixEntryAddress(s, VF, 0) ?? 0;
    const before = msixTable(s, VF).entries[0].data;
    const tx = beginTx(s);
    hwCfgWrite(tx, PF, 0x160 + R.PCI_SRIOV_CTRL, 2, R.PCI_SRIOV_CTRL_VFE);
    expect(mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_DATA, 0x4077)).toBe(false);
    expect(msixTable(tx.s, VF).entries[0].data).toBe(before);
    expect(before).not.toBe(0x4077);
  });

  it('FLR returns the table to masked entries with zeroed messages', () => {
    const s = host();
    const at = msixEntryAddress(s, VF, 0) ?? 0;
    const tx = beginTx(s);
    mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000);
    mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    functionLevelReset(tx, VF);
    expect(msixTable(tx.s, VF).entries[0]).toMatchObject({ addrLo: 0, masked: true });
  });

  it('a backdoor reset (IPR BIST) zeroes every entry including the mask bit', () => {
    const s = createHost({ type: 'host.create', template: 'rhbz688673' }).state;
    const tx = beginTx(s);
    // The IPR is not in this template: exercise the VF's table with the same reset.
    const at = msixEntryAddress(s, VF, 2) ?? 0;
    mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_DATA, 0x4033);
    backdoorReset(tx, VF);
    expect(msixTable(tx.s, VF).entries[2]).toMatchObject({ addrLo: 0, data: 0, masked: false });
  });
});
