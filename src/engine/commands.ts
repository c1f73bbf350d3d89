// Everything a user can do to a host is a command: a JSON-serialisable discriminated union, so the server
// can journal commands and rebuild a host by replaying them (DESIGN.md §4).
import type { BootOptions } from './core/state';
import { ENGINE2_COMMAND_TYPES, type Engine2Command } from './commands2';

export interface HostdevInput {
  /** Host PCI address `SSSS:BB:DD.F`. */
  bdf: string;
  /** libvirt managed='yes': detach from the host driver at start, reattach when the domain stops. */
  managed?: boolean;
  /** The guest brings the interface up at boot (ifcfg ONBOOT=yes). Default true. */
  onboot?: boolean;
}

export interface DomainDefinition {
  name: string;
  type: 'pv' | 'hvm';
  memory?: number;
  vcpus?: number;
  hostdevs?: (string | HostdevInput)[];
  onReboot?: 'restart' | 'destroy';
  onCrash?: 'restart' | 'destroy';
  autostart?: boolean;
  /** Guest modules loaded at boot besides the ones udev loads (e.g. `acpiphp` for HVM PCI hotplug). */
  guestModules?: string[];
}

export type ResetMethod = 'flr' | 'bus' | 'backdoor';

interface At {
  /** Virtual time (ns) at which the command happens; the clock first advances to it. */
  at?: number;
}

export type Command = At &
  (
    | {
        type: 'host.create';
        name?: string;
        template: string;
        profile?: string;
        patch?: string[];
        revert?: string[];
        boot?: Partial<BootOptions>;
        seed?: number;
      }
    | {
        type: 'host.reboot';
        profile?: string;
        patch?: string[];
        revert?: string[];
        boot?: Partial<BootOptions>;
      }
    | { type: 'advance'; ns: number }
    | { type: 'pciback.load'; hide?: string }
    | { type: 'pciback.unload' }
    | { type: 'pciback.new_slot'; slot: string }
    | { type: 'pciback.remove_slot'; slot: string }
    | { type: 'pciback.bind'; bdf: string }
    | { type: 'pciback.unbind'; bdf: string }
    | { type: 'pciback.permissive'; bdf: string }
    | { type: 'dom0.driver.unbind'; bdf: string }
    | { type: 'dom0.driver.probe'; bdf: string }
    | { type: 'device.detach'; bdf: string }
    | { type: 'device.reattach'; bdf: string }
    | { type: 'device.reset'; bdf: string; method: ResetMethod }
    | { type: 'msi.prune'; bdf: string }
    | { type: 'domain.define'; config: DomainDefinition }
    | { type: 'domain.undefine'; domain: string }
    | { type: 'domain.start'; domain: string }
    | { type: 'domain.shutdown'; domain: string }
    | { type: 'domain.reboot'; domain: string }
    | { type: 'domain.destroy'; domain: string }
    | {
        type: 'domain.attach-hostdev';
        domain: string;
        hostdev: string | HostdevInput;
        live?: boolean;
        config?: boolean;
      }
    | {
        type: 'domain.detach-hostdev';
        domain: string;
        bdf: string;
        live?: boolean;
        config?: boolean;
      }
    | { type: 'guest.crash'; domain: string }
    | { type: 'guest.modprobe'; domain: string; module: string }
    | { type: 'guest.rmmod'; domain: string; module: string }
    | { type: 'guest.ifup'; domain: string; iface: string }
    | { type: 'guest.ifdown'; domain: string; iface: string }
    | { type: 'guest.msix.enable'; domain: string; bdf: string; entries: number[] }
    | { type: 'guest.msix.disable'; domain: string; bdf: string }
    | { type: 'workload.ping'; domain: string; iface?: string; rate: number }
    | { type: 'workload.irq'; domain: string; bdf: string; entry: number; rate: number }
    | Engine2Command
  );

export type CommandType = Command['type'];

export const COMMAND_TYPES: readonly CommandType[] = [
  'host.create',
  'host.reboot',
  'advance',
  'pciback.load',
  'pciback.unload',
  'pciback.new_slot',
  'pciback.remove_slot',
  'pciback.bind',
  'pciback.unbind',
  'pciback.permissive',
  'dom0.driver.unbind',
  'dom0.driver.probe',
  'device.detach',
  'device.reattach',
  'device.reset',
  'msi.prune',
  'domain.define',
  'domain.undefine',
  'domain.start',
  'domain.shutdown',
  'domain.reboot',
  'domain.destroy',
  'domain.attach-hostdev',
  'domain.detach-hostdev',
  'guest.crash',
  'guest.modprobe',
  'guest.rmmod',
  'guest.ifup',
  'guest.ifdown',
  'guest.msix.enable',
  'guest.msix.disable',
  'workload.ping',
  'workload.irq',
  ...ENGINE2_COMMAND_TYPES,
];
