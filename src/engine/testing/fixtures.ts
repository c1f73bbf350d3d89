// Test fixtures: hosts in the states the seed documents start from (used by the engine's specs only).
import type { Command } from '../commands';
import type { EngineEvent, LogEvent } from '../core/events';
import type { HostState } from '../core/state';
import { apply, createHost } from '../host';

export const VF = '0000:01:10.0';
export const PF = '0000:01:00.0';
export const PV = 'rhel56-64bit-pv';
export const HVM = 'rhel56-64bit-hvm';

/** A host that applies commands and keeps every event. */
export class Driver {
  state: HostState;
  readonly events: EngineEvent[] = [];
  constructor(state: HostState, events: EngineEvent[] = []) {
    this.state = state;
    this.events.push(...events);
  }
  static create(template = 'rhbz688673', profile?: string, patch: string[] = []): Driver {
    const r = createHost({ type: 'host.create', template, ...(profile ? { profile } : {}), patch });
    return new Driver(r.state, r.events);
  }
  run(...commands: Command[]): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (const c of commands) {
      const r = apply(this.state, c);
      this.state = r.state;
      out.push(...r.events);
    }
    this.events.push(...out);
    return out;
  }
  /** Log lines (source + text) among `events` (default: everything so far). */
  lines(events: EngineEvent[] = this.events): string[] {
    return events
      .filter((e): e is LogEvent => e.type === 'log')
      .map((e) => `${e.source}: ${e.text}`);
  }
}

/** Seed 001 c.15: unbind the VF from dom0's igbvf and `modprobe pciback hide=(VF)`. */
export function seizeVf(d: Driver, bdf = VF): void {
  d.run({ type: 'dom0.driver.unbind', bdf }, { type: 'pciback.load', hide: `(${bdf})` });
}

/** A host with the VF seized and a PV domain defined with it. */
export function pvHost(profile?: string, patch: string[] = []): Driver {
  const d = Driver.create('rhbz688673', profile, patch);
  seizeVf(d);
  d.run({ type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } });
  return d;
}

/** Ping for a second and return what the domain's last boot delivered / raised. */
export function pingSecond(d: Driver, domain = PV): { delivered: number; raised: number } {
  const ev = d.run(
    { type: 'workload.ping', domain, rate: 100 },
    { type: 'advance', ns: 1_000_000_000 },
  );
  let delivered = 0;
  let raised = 0;
  for (const e of ev) {
    if (e.type === 'interrupts' && e.domain === domain) {
      delivered += e.delivered;
      raised += e.raised;
    }
  }
  return { delivered, raised };
}
