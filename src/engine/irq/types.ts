// Interrupt accounting: one row per (domain boot, device, MSI-X entry) a workload drives; counters are a
// flat array so an advance copies one array instead of a thousand records.

export interface IrqRow {
  domain: string;
  domid: number;
  bdf: string;
  entry: number;
  /** The pirq the guest uses for this entry (PV), null for HVM. */
  pirq: number | null;
  /** Interrupts per second the device raises for this entry while the workload runs. */
  rate: number;
  /** The domain still exists (dead boots keep their counters until the domain boots again). */
  live: boolean;
}

/** Counter slots per row in IrqState.counts. */
export const IRQ_STRIDE = 7;
export const IRQ_RAISED = 0;
export const IRQ_DELIVERED = 1;
export const IRQ_MASKED = 2;
export const IRQ_DISABLED = 3;
export const IRQ_UNMAPPED = 4;
export const IRQ_UNBOUND = 5;
/** Fractional carry in units of 1/1e9 interrupt. */
export const IRQ_CARRY = 6;

export interface IrqState {
  rows: IrqRow[];
  counts: number[];
}
