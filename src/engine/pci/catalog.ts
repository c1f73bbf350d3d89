// Device catalog as data: the functions a host template may contain (spec §1, R34).
import { ENGINE2_MODELS } from './catalog2';
// Capability offsets follow the devices' datasheets where known; exact VF capability lists are UNVERIFIED
// (spec §11) — the 82576 VF here has MSI-X and PCI Express only, which is what igbvf needs.

export type BarKind = 'mem32' | 'mem64' | 'io';

export interface BarSpec {
  index: number;
  size: number;
  kind: BarKind;
  prefetch?: boolean;
}

export interface MsiSpec {
  offset: number;
  is64: boolean;
  maskable: boolean;
  /** log2 of Multiple Message Capable. */
  mmc: number;
}

export interface MsixSpec {
  offset: number;
  entries: number;
  bir: number;
  tableOffset: number;
  pbaBir: number;
  pbaOffset: number;
}

export interface PcieSpec {
  offset: number;
  /** PCI_EXP_FLAGS_TYPE: 0 endpoint, 4 root port, 7 PCIe-to-PCI bridge. */
  portType: number;
  flr: boolean;
}

export interface SriovSpec {
  /** Extended capability offset. */
  offset: number;
  totalVfs: number;
  initialVfs: number;
  vfDeviceId: number;
  /**
   * First VF Offset depends on the ARI Capable Hierarchy bit (spec §2 note): without ARI the 82576's VFs
   * sit on the PF's own bus (0x80: PF 01:00.0 → VF 01:10.0, seeds 000/001); with ARI on the next bus
   * (0x180: PF 02:00.0 → VF 03:10.0, seed 003). Which value the silicon uses in which mode is UNVERIFIED.
   */
  vfOffsetNonAri: number;
  vfOffsetAri: number;
  vfStride: number;
  vfModel: string;
  vfBars: BarSpec[];
}

export interface DeviceModel {
  id: string;
  name: string;
  vendor: number;
  device: number;
  subVendor: number;
  subDevice: number;
  revision: number;
  /** 24-bit class code (class << 16 | subclass << 8 | prog-if). */
  classCode: number;
  headerType: 0 | 1;
  multifunction: boolean;
  pm: { offset: number } | null;
  msi: MsiSpec | null;
  msix: MsixSpec | null;
  pcie: PcieSpec | null;
  sriov: SriovSpec | null;
  ari: { offset: number } | null;
  bars: BarSpec[];
  /** PCI_BIST_CAPABLE: writing PCI_BIST_START runs the device's built-in self test (a backdoor reset). */
  bist: boolean;
  /** An SR-IOV virtual function: Vendor/Device ID read 0xffff, BARs and IO/MEM enables are RO 0. */
  isVf: boolean;
  interruptPin: number;
  /** The dom0 driver that binds it when loaded. */
  hostDriver: string | null;
  /** The PV/HVM guest driver that binds it. */
  guestDriver: string | null;
}

const INTEL = 0x8086;

const vf82576: DeviceModel = {
  id: '82576-vf',
  name: 'Intel Corporation 82576 Virtual Function',
  vendor: INTEL,
  device: 0x10ca,
  subVendor: INTEL,
  subDevice: 0xa03c,
  revision: 0x01,
  classCode: 0x020000,
  headerType: 0,
  multifunction: false,
  pm: null,
  msi: null,
  // igbvf uses 3 vectors (tx, rx, mailbox); the VF's table has exactly 3 entries (spec §1, R9).
  msix: { offset: 0x70, entries: 3, bir: 3, tableOffset: 0x0, pbaBir: 3, pbaOffset: 0x2000 },
  pcie: { offset: 0xa0, portType: 0, flr: true },
  sriov: null,
  ari: null,
  bars: [],
  bist: false,
  isVf: true,
  interruptPin: 0,
  hostDriver: 'igbvf',
  guestDriver: 'igbvf',
};

const pf82576: DeviceModel = {
  id: '82576-pf',
  name: 'Intel Corporation 82576 Gigabit Network Connection',
  vendor: INTEL,
  device: 0x10c9,
  subVendor: INTEL,
  subDevice: 0xa03c,
  revision: 0x01,
  classCode: 0x020000,
  headerType: 0,
  multifunction: true,
  pm: { offset: 0x40 },
  msi: { offset: 0x50, is64: true, maskable: true, mmc: 0 },
  msix: { offset: 0x70, entries: 10, bir: 3, tableOffset: 0x0, pbaBir: 3, pbaOffset: 0x2000 },
  pcie: { offset: 0xa0, portType: 0, flr: true },
  sriov: {
    offset: 0x160,
    totalVfs: 8,
    initialVfs: 8,
    vfDeviceId: 0x10ca,
    vfOffsetNonAri: 0x80,
    vfOffsetAri: 0x180,
    vfStride: 2,
    vfModel: '82576-vf',
    vfBars: [
      { index: 0, size: 0x4000, kind: 'mem32' },
      { index: 3, size: 0x4000, kind: 'mem32' },
    ],
  },
  ari: { offset: 0x150 },
  bars: [
    { index: 0, size: 0x20000, kind: 'mem32' },
    { index: 2, size: 0x20, kind: 'io' },
    { index: 3, size: 0x4000, kind: 'mem32' },
  ],
  bist: false,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'igb',
  guestDriver: 'igb',
};

const vf82599: DeviceModel = {
  ...vf82576,
  id: '82599-vf',
  name: 'Intel Corporation 82599 Ethernet Controller Virtual Function',
  device: 0x10ed,
  subDevice: 0x000c,
  revision: 0x01,
  hostDriver: 'ixgbevf',
  guestDriver: 'ixgbevf',
};

const pf82599: DeviceModel = {
  ...pf82576,
  id: '82599-pf',
  name: 'Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection',
  device: 0x10fb,
  subDevice: 0x000c,
  msix: { offset: 0x70, entries: 64, bir: 4, tableOffset: 0x0, pbaBir: 4, pbaOffset: 0x2000 },
  sriov: {
    offset: 0x160,
    totalVfs: 64,
    initialVfs: 64,
    vfDeviceId: 0x10ed,
    vfOffsetNonAri: 0x80,
    vfOffsetAri: 0x180,
    vfStride: 2,
    vfModel: '82599-vf',
    vfBars: [
      { index: 0, size: 0x4000, kind: 'mem32' },
      { index: 3, size: 0x4000, kind: 'mem32' },
    ],
  },
  bars: [
    { index: 0, size: 0x80000, kind: 'mem32' },
    { index: 2, size: 0x20, kind: 'io' },
    { index: 4, size: 0x4000, kind: 'mem32' },
  ],
  hostDriver: 'ixgbe',
  guestDriver: 'ixgbe',
};

const i210: DeviceModel = {
  id: 'i210',
  name: 'Intel Corporation I210 Gigabit Network Connection',
  vendor: INTEL,
  device: 0x1533,
  subVendor: INTEL,
  subDevice: 0x0001,
  revision: 0x03,
  classCode: 0x020000,
  headerType: 0,
  multifunction: false,
  pm: { offset: 0x40 },
  msi: { offset: 0x50, is64: true, maskable: true, mmc: 0 },
  msix: { offset: 0x70, entries: 5, bir: 3, tableOffset: 0x0, pbaBir: 3, pbaOffset: 0x2000 },
  pcie: { offset: 0xa0, portType: 0, flr: true },
  sriov: null,
  ari: null,
  bars: [
    { index: 0, size: 0x20000, kind: 'mem32' },
    { index: 2, size: 0x20, kind: 'io' },
    { index: 3, size: 0x4000, kind: 'mem32' },
  ],
  bist: false,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'igb',
  guestDriver: 'igb',
};

const nvme: DeviceModel = {
  id: 'nvme',
  name: 'Intel Corporation PCIe Data Center SSD (NVMe)',
  vendor: INTEL,
  device: 0x0953,
  subVendor: INTEL,
  subDevice: 0x3702,
  revision: 0x01,
  classCode: 0x010802,
  headerType: 0,
  multifunction: false,
  pm: { offset: 0x40 },
  msi: { offset: 0x50, is64: true, maskable: true, mmc: 0 },
  msix: { offset: 0x60, entries: 32, bir: 0, tableOffset: 0x2000, pbaBir: 0, pbaOffset: 0x3000 },
  pcie: { offset: 0x70, portType: 0, flr: true },
  sriov: null,
  ari: null,
  bars: [{ index: 0, size: 0x4000, kind: 'mem64' }],
  bist: false,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'nvme',
  guestDriver: 'nvme',
};

const ipr: DeviceModel = {
  id: 'ipr',
  name: 'IBM PCI-E IPR SAS Adapter (ASIC)',
  vendor: 0x1014,
  device: 0x034a,
  subVendor: 0x1014,
  subDevice: 0x033b,
  revision: 0x02,
  classCode: 0x010400,
  headerType: 0,
  multifunction: false,
  pm: { offset: 0x40 },
  msi: { offset: 0x50, is64: true, maskable: false, mmc: 5 },
  msix: { offset: 0x68, entries: 16, bir: 0, tableOffset: 0x1000, pbaBir: 0, pbaOffset: 0x1800 },
  pcie: { offset: 0x80, portType: 0, flr: false },
  sriov: null,
  ari: null,
  bars: [{ index: 0, size: 0x40000, kind: 'mem64' }],
  bist: true,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'ipr',
  guestDriver: 'ipr',
};

const tundra8113: DeviceModel = {
  id: 'tundra-8113',
  name: 'Tundra Semiconductor Corp. Tsi381 / 8113 PCIe-to-PCI bridge',
  vendor: 0x10e3,
  device: 0x8113,
  subVendor: 0,
  subDevice: 0,
  revision: 0x01,
  classCode: 0x060401,
  headerType: 1,
  multifunction: false,
  pm: { offset: 0x60 },
  msi: null,
  msix: null,
  pcie: { offset: 0x90, portType: 7, flr: false },
  sriov: null,
  ari: null,
  bars: [],
  bist: false,
  isVf: false,
  interruptPin: 0,
  hostDriver: null,
  guestDriver: null,
};

const hostBridge: DeviceModel = {
  id: 'intel-5520-ioh',
  name: 'Intel Corporation 5520 I/O Hub to ESI Port',
  vendor: INTEL,
  device: 0x3406,
  subVendor: INTEL,
  subDevice: 0,
  revision: 0x13,
  classCode: 0x060000,
  headerType: 0,
  multifunction: false,
  pm: null,
  msi: null,
  msix: null,
  pcie: null,
  sriov: null,
  ari: null,
  bars: [],
  bist: false,
  isVf: false,
  interruptPin: 0,
  hostDriver: null,
  guestDriver: null,
};

const rootPort: DeviceModel = {
  id: 'intel-5520-root-port',
  name: 'Intel Corporation 5520/5500/X58 I/O Hub PCI Express Root Port',
  vendor: INTEL,
  device: 0x3408,
  subVendor: 0,
  subDevice: 0,
  revision: 0x13,
  classCode: 0x060400,
  headerType: 1,
  multifunction: false,
  pm: { offset: 0x60 },
  msi: null,
  msix: null,
  pcie: { offset: 0x90, portType: 4, flr: false },
  sriov: null,
  ari: null,
  bars: [],
  bist: false,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'pcieport',
  guestDriver: null,
};

export const CATALOG: Readonly<Record<string, DeviceModel>> = {
  [hostBridge.id]: hostBridge,
  [rootPort.id]: rootPort,
  [pf82576.id]: pf82576,
  [vf82576.id]: vf82576,
  [pf82599.id]: pf82599,
  [vf82599.id]: vf82599,
  [i210.id]: i210,
  [nvme.id]: nvme,
  [ipr.id]: ipr,
  [tundra8113.id]: tundra8113,
  ...Object.fromEntries(ENGINE2_MODELS.map((m) => [m.id, m])),
};

// The catalog by id as a Map, and the last two models looked up: a model is looked up several times per
// configuration access, mostly one of the same two again (a VF and its PF).
const BY_ID: ReadonlyMap<string, DeviceModel> = new Map(Object.entries(CATALOG));
let lastId = '';
let lastModel: DeviceModel | undefined;
let prevId = '';
let prevModel: DeviceModel | undefined;

export function deviceModel(id: string): DeviceModel {
  if (id === lastId && lastModel !== undefined) return lastModel;
  if (id === prevId && prevModel !== undefined) return prevModel;
  const m = BY_ID.get(id);
  if (!m) throw new Error(`internal: unknown device model ${id}`);
  prevId = lastId;
  prevModel = lastModel;
  lastId = id;
  lastModel = m;
  return m;
}
