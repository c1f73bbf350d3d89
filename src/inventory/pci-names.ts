// The names lspci and udev print for PCI ids, from the pci.ids database (https://pci-ids.ucw.cz/): the
// class names, and the vendor names that split a catalog name into libvirt's <vendor> and <product>.

/** pci.ids `C` and subclass lines for the classes emulated hosts carry (`lspci` prints these). */
const SUBCLASS: Readonly<Record<string, string>> = {
  '0000': 'Non-VGA unclassified device',
  '0001': 'VGA compatible unclassified device',
  '0100': 'SCSI storage controller',
  '0101': 'IDE interface',
  '0104': 'RAID bus controller',
  '0106': 'SATA controller',
  '0107': 'Serial Attached SCSI controller',
  '0108': 'Non-Volatile memory controller',
  '0180': 'Mass storage controller',
  '0200': 'Ethernet controller',
  '0207': 'Infiniband controller',
  '0280': 'Network controller',
  '0300': 'VGA compatible controller',
  '0302': '3D controller',
  '0600': 'Host bridge',
  '0601': 'ISA bridge',
  '0604': 'PCI bridge',
  '0607': 'CardBus bridge',
  '0609': 'Semi-transparent PCI-to-PCI bridge',
  '0680': 'Bridge',
  '0800': 'PIC',
  '0880': 'System peripheral',
  '0c03': 'USB controller',
  '0c04': 'Fibre Channel',
  '0c05': 'SMBus',
};

const BASE_CLASS: Readonly<Record<string, string>> = {
  '00': 'Unclassified device',
  '01': 'Mass storage controller',
  '02': 'Network controller',
  '03': 'Display controller',
  '04': 'Multimedia controller',
  '05': 'Memory controller',
  '06': 'Bridge',
  '07': 'Communication controller',
  '08': 'Generic system peripheral',
  '09': 'Input device controller',
  '0c': 'Serial bus controller',
};

/** pci.ids vendor names (udev's ID_VENDOR_FROM_DATABASE) for the vendors in the device catalog. */
const VENDOR: Readonly<Record<string, string>> = {
  '8086': 'Intel Corporation',
  '1014': 'IBM',
  '10e3': 'Tundra Semiconductor Corp.',
  '15b3': 'Mellanox Technologies',
  '1af4': 'Red Hat, Inc.',
};

/**
 * The class name lspci prints for a 24-bit class code (`020000` → `Ethernet controller`): the subclass
 * name, else the base class name, else `Class 0200` as pciutils does for an unknown class.
 */
export function pciClassName(classCode: string): string {
  const sub = classCode.slice(0, 4).toLowerCase();
  return SUBCLASS[sub] ?? BASE_CLASS[sub.slice(0, 2)] ?? `Class ${sub}`;
}

/** `Intel Corporation` for `8086`; undefined for a vendor the table does not know. */
export function pciVendorName(vendor: string): string | undefined {
  return VENDOR[vendor.toLowerCase()];
}

/**
 * Splits a catalog name (`Intel Corporation 82576 Virtual Function`, as lspci shows vendor and device
 * together) into the vendor and product names libvirt reports separately.
 */
export function splitDeviceName(
  vendor: string,
  name: string,
): { vendorName: string | null; productName: string } {
  const v = pciVendorName(vendor);
  if (v !== undefined && name.startsWith(`${v} `))
    return { vendorName: v, productName: name.slice(v.length + 1) };
  return { vendorName: v ?? null, productName: name };
}
