// The MSI vector ledger: for each device, dom0's msi_dev_head node, the hypervisor's pirq mappings and
// the MSI-X table, with dom0's entries marked stale when the hypervisor does not map their pirq to the
// device for its current owner (or nothing owns it) — what a PV guest reboot leaves behind on the stack
// RHBZ#688673 was reported against. Pure functions over the engine's query results.
import type {
  DeviceInfo,
  DomainPirqs,
  MsiListEntry as EngineMsiListEntry,
  MsixTable,
} from '../engine';
import type { MsiDevice, MsiOwner, MsixTableView } from './msi.models';

export interface LedgerInput {
  devices: readonly DeviceInfo[];
  msiList: readonly EngineMsiListEntry[];
  pirqs: readonly DomainPirqs[];
  /** The hardware MSI-X table of a device with the capability. */
  table: (bdf: string) => MsixTable;
}

const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(width, '0');

/** Who the device's interrupts are for now: its guest, or dom0 when a dom0 driver (not pciback) has it. */
export function ownerOf(d: DeviceInfo, pirqs: readonly DomainPirqs[]): MsiOwner | null {
  if (d.assignedTo) return { domain: d.assignedTo.domain, domid: d.assignedTo.domid };
  if (d.driver !== null && d.driver !== 'pciback') {
    const dom0 = pirqs.find((p) => p.domid === 0);
    return { domain: dom0?.name ?? 'Domain-0', domid: 0 };
  }
  return null;
}

function tableView(t: MsixTable, pirqs: readonly DomainPirqs[]): MsixTableView {
  return {
    enabled: t.enabled,
    maskAll: t.maskAll,
    entries: t.entries.map((e) => ({
      entry: e.entry,
      address: `0x${hex(e.addrHi, 8)}${hex(e.addrLo, 8)}`,
      data: `0x${hex(e.data, 8)}`,
      destId: (e.addrLo >>> 12) & 0xff,
      vector: e.data & 0xff,
      masked: e.masked,
      pending: e.pending,
      target: e.target && {
        domain: pirqs.find((p) => p.domid === e.target?.domid)?.name ?? `domid ${e.target.domid}`,
        domid: e.target.domid,
      },
      targetPirq: e.target ? e.target.pirq : null,
    })),
  };
}

/** One device's row of the ledger. */
export function ledgerRow(d: DeviceInfo, input: Omit<LedgerInput, 'devices'>): MsiDevice {
  const node = input.msiList.find((e) => e.dev === d.bdf);
  const owner = ownerOf(d, input.pirqs);
  const pirqs = input.pirqs.flatMap((dom) =>
    dom.pirqs
      .filter((p) => p.bdf === d.bdf)
      .map((p) => ({
        domain: dom.name,
        domid: dom.domid,
        pirq: p.pirq,
        kind: p.kind,
        entry: p.entry,
        vector: p.vector,
        cpu: p.cpu,
        boundTo: p.boundTo,
        evtchn: p.evtchn,
        guestVector: p.guestVector,
      })),
  );
  const mappedForOwner = (pirq: number): boolean =>
    owner !== null && pirqs.some((p) => p.domid === owner.domid && p.pirq === pirq);
  const msiList = (node?.pirqs ?? []).map((p) => ({
    entry: p.entry,
    pirq: p.pirq,
    stale: !mappedForOwner(p.pirq),
  }));
  return {
    bdf: d.bdf,
    name: d.name,
    driver: d.driver,
    owner,
    inMsiList: node !== undefined,
    maskBase: node?.maskBase ?? null,
    msiList,
    staleEntries: msiList.filter((e) => e.stale).length,
    pirqs,
    msix: d.msix ? tableView(input.table(d.bdf), input.pirqs) : null,
  };
}

/** Devices with an MSI-X table, a node in dom0's list or a mapped pirq, in BDF order. */
export function msiLedger(input: LedgerInput): MsiDevice[] {
  const listed = new Set(input.msiList.map((e) => e.dev));
  const mapped = new Set(input.pirqs.flatMap((d) => d.pirqs.map((p) => p.bdf)));
  return input.devices
    .filter((d) => d.msix !== null || listed.has(d.bdf) || mapped.has(d.bdf))
    .map((d) => ledgerRow(d, input));
}
