// Engine II catalog entries (seeds 003 and 004): the conventional-PCI side of Konrad's board and a POWER
// PHB root port. As in catalog.ts, capability offsets of invented parts are UNVERIFIED.
import type { DeviceModel } from './catalog';

/**
 * A transparent PCI-to-PCI bridge on the card in the Tundra's PCI slot (seed 003 shows bus 07 below the
 * Tundra, so a bridge sits there; which one is UNVERIFIED — a DEC/Intel 21154 is typical of such cards).
 * Conventional PCI: no PCI Express capability, so Xen types it DEV_TYPE_LEGACY_PCI_BRIDGE.
 */
const dec21154: DeviceModel = {
  id: 'dec-21154',
  name: 'Digital Equipment Corporation DECchip 21154',
  vendor: 0x1011,
  device: 0x0026,
  subVendor: 0,
  subDevice: 0,
  revision: 0x05,
  classCode: 0x060400,
  headerType: 1,
  multifunction: false,
  pm: { offset: 0xdc },
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

/**
 * A conventional PCI(-X) function behind that bridge, the device to pass through (UNVERIFIED which):
 * QLogic ISP2422 4Gb Fibre Channel (PCI-X 2.0, MSI-X with 2 vectors as qla2xxx uses them on ISP24xx).
 */
const qla2422: DeviceModel = {
  id: 'qla2422',
  name: 'QLogic Corp. ISP2422-based 4Gb Fibre Channel to PCI-X HBA',
  vendor: 0x1077,
  device: 0x2422,
  subVendor: 0x1077,
  subDevice: 0x0133,
  revision: 0x02,
  classCode: 0x0c0400,
  headerType: 0,
  multifunction: false,
  pm: { offset: 0x44 },
  msi: { offset: 0x88, is64: true, maskable: false, mmc: 0 },
  msix: { offset: 0x98, entries: 2, bir: 1, tableOffset: 0x0, pbaBir: 1, pbaOffset: 0x800 },
  pcie: null,
  sriov: null,
  ari: null,
  bars: [
    { index: 0, size: 0x100, kind: 'io' },
    { index: 1, size: 0x1000, kind: 'mem64' },
  ],
  bist: false,
  isVf: false,
  interruptPin: 1,
  hostDriver: 'qla2xxx',
  guestDriver: 'qla2xxx',
};

/** POWER8 PHB3 root port (each PHB a root complex; its buses form EEH partitionable endpoints). */
const phb3RootPort: DeviceModel = {
  id: 'ibm-phb3-root-port',
  name: 'IBM POWER8 Host Bridge (PHB3)',
  vendor: 0x1014,
  device: 0x03dc,
  subVendor: 0,
  subDevice: 0,
  revision: 0x00,
  classCode: 0x060400,
  headerType: 1,
  multifunction: false,
  pm: { offset: 0x40 },
  msi: null,
  msix: null,
  pcie: { offset: 0x48, portType: 4, flr: false },
  sriov: null,
  ari: null,
  bars: [],
  bist: false,
  isVf: false,
  interruptPin: 0,
  hostDriver: 'pcieport',
  guestDriver: null,
};

export const ENGINE2_MODELS: readonly DeviceModel[] = [dec21154, qla2422, phb3RootPort];
