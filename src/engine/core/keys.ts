// Record keys for numbered things. Keys are never array indices ("255"), which V8 stores as slow
// dictionary elements (for-in and copies of such records cost microseconds); a letter prefix keeps them fast.

/** Domain records (hypervisor domains, guest kernels, device models, pciback backends): `d<domid>`. */
export function dk(domid: number): string {
  return `d${domid}`;
}

/** A domain's pirq table: `p<pirq>`. */
export function pk(pirq: number): string {
  return `p${pirq}`;
}

/** The hypervisor's vector table: `v<cpu>.<vector>`. */
export function vk(cpu: number, vector: number): string {
  return `v${cpu}.${vector}`;
}

/** A kernel's irq descriptors: `i<irq>`. */
export function ik(irq: number): string {
  return `i${irq}`;
}
