// Which platform, device model and kernels the running host has (Engine II stacks; see profiles2.ts).
import type { HostState } from '../core/state';
import { PROFILES } from './profiles';
import { RHEL5_STACK, type ProfileStack } from './profiles2';

export function stackOf(s: HostState): ProfileStack {
  return PROFILES[s.profile]?.stack ?? RHEL5_STACK;
}

/** A KVM host: no hypervisor state is used, the host kernel plays dom0's part (source `dom0` = host dmesg). */
export function isKvmHost(s: HostState): boolean {
  return s.xenVersion === 'none';
}

/** dom0 runs a pvops kernel (reports every device to Xen, ARI, pci=assign-busses). */
export function isPvopsDom0(s: HostState): boolean {
  return stackOf(s).dom0 === 'pvops';
}

/** HVM guests get the upstream qemu-xen device model (hw/xen/xen_pt*.c). */
export function usesQemuXen(s: HostState): boolean {
  return stackOf(s).deviceModel === 'qemu-xen';
}

/** The Xen hypervisor keeps a pdev list with bus2bridge (4.x model, xen/pdev.ts). */
export function hasPdevModel(s: HostState): boolean {
  return s.xenVersion === 'xen-4.4' || s.xenVersion === 'xen-4.8';
}
