// Runs a scenario against a software stack and checks the outcome that stack should show.
import { EngineError, fail } from '../core/errors';
import type { EngineEvent, LogEvent } from '../core/events';
import type { HostState } from '../core/state';
import { apply, createHost, effectiveChangesets, stateHash } from '../host';
import { dom0MsiList, interruptCounters } from '../queries';
import type { ChangesetId } from '../profiles/changesets';
import { check2, describe2 } from './checks2';
import type {
  ChangesetCondition,
  Expectation,
  LogWindow,
  ScenarioDef,
  ScenarioOutcome,
} from './types';

export interface ScenarioRunOptions {
  profile?: string;
  patch?: string[];
  revert?: string[];
}

export interface ScenarioCheck {
  expectation: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioRun {
  scenario: string;
  profile: string;
  changesets: string[];
  outcome: string;
  passed: boolean;
  checks: ScenarioCheck[];
  logs: { t: number; source: string; text: string }[];
  interrupts: {
    domain: string;
    domid: number;
    bdf: string;
    entry: number;
    pirq: number | null;
    delivered: number;
    lost: number;
  }[];
  stateHash: string;
  events: EngineEvent[];
  state: HostState;
}

export function conditionHolds(cond: ChangesetCondition, cs: readonly ChangesetId[]): boolean {
  if (cond.all && !cond.all.every((c) => cs.includes(c))) return false;
  if (cond.any && !cond.any.some((c) => cs.includes(c))) return false;
  if (cond.none && cond.none.some((c) => cs.includes(c))) return false;
  return true;
}

interface Mark {
  start: number;
  end: number;
  state: HostState;
  error: EngineError | null;
}

function sourceMatches(want: string, got: string): boolean {
  return want === 'guest' ? got.startsWith('guest:') : want === got;
}

function describe(e: Expectation): string {
  switch (e.kind) {
    case 'log':
      return `log ${e.source}: "${e.text}"${e.count !== undefined ? ` ×${e.count}` : ''}${win(e)}`;
    case 'no-log':
      return `no log containing "${e.includes}"${win(e)}`;
    case 'log-order':
      return `log lines in order: ${e.lines.map((l) => `${l.source}: "${l.text}"`).join(' → ')}${win(e)}`;
    case 'msi-list':
      return `dom0 msi_dev_head(${e.bdf}) has ${e.entries} entries after '${e.at}'`;
    case 'interrupts':
      return `${e.domain}${e.bdf ? ` ${e.bdf}` : ''}: ${e.delivered} interrupts delivered at '${e.at}'`;
    case 'upstream-bridge':
    case 'iommu-context':
    case 'msix-entry':
    case 'guest-driver':
      return describe2(e);
    case 'error':
      return `step '${e.step}' refused with ${e.code}`;
  }
}

function win(w: LogWindow): string {
  if (w.from && w.to) return ` from '${w.from}' to '${w.to}'`;
  if (w.from) return ` from '${w.from}'`;
  if (w.to) return ` before '${w.to}'`;
  return '';
}

/** Run `def` on a fresh host with the chosen profile and changesets; never throws for scenario failures. */
export function runScenario(def: ScenarioDef, opts: ScenarioRunOptions = {}): ScenarioRun {
  const profile = opts.profile ?? def.profiles[0];
  const changesets = effectiveChangesets(profile, opts.patch ?? [], opts.revert ?? []);
  let { state, events } = createHost({
    type: 'host.create',
    name: def.id,
    template: def.template,
    profile,
    patch: opts.patch ?? [],
    revert: opts.revert ?? [],
  });
  const all: EngineEvent[] = [...events];
  const marks = new Map<string, Mark>();
  const checks: ScenarioCheck[] = [];
  def.steps.forEach((step, i) => {
    const start = state.seq;
    let error: EngineError | null = null;
    try {
      const r = apply(state, step.command);
      state = r.state;
      events = r.events;
      all.push(...events);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      error = e;
    }
    if (error && !step.expectError) {
      checks.push({
        expectation: `step ${i + 1} (${step.command.type}) succeeds`,
        ok: false,
        detail: `${error.code}: ${error.message}`,
      });
    }
    if (!error && step.expectError) {
      checks.push({
        expectation: `step ${i + 1} (${step.command.type}) is refused with ${step.expectError}`,
        ok: false,
        detail: 'it succeeded',
      });
    }
    if (step.label) marks.set(step.label, { start, end: state.seq, state, error });
  });
  const outcome = def.outcomes.find((o) => conditionHolds(o.when, changesets));
  if (!outcome)
    fail(
      'invalid-state',
      `scenario ${def.id} has no outcome for changesets [${changesets.join(', ')}]`,
    );
  const logEvents = all.filter((e): e is LogEvent => e.type === 'log');
  for (const x of outcome.expect) checks.push(check(x, logEvents, marks));
  const interrupts = interruptCounters(state).map((c) => ({
    domain: c.domain,
    domid: c.domid,
    bdf: c.bdf,
    entry: c.entry,
    pirq: c.pirq,
    delivered: c.delivered,
    lost: c.lost.masked + c.lost.disabled + c.lost.unmapped + c.lost.unbound,
  }));
  return {
    scenario: def.id,
    profile,
    changesets,
    outcome: outcome.name,
    passed: checks.every((c) => c.ok),
    checks,
    logs: logEvents.map((e) => ({ t: e.t, source: e.source, text: e.text })),
    interrupts,
    stateHash: stateHash(state),
    events: all,
    state,
  };
}

function windowed(lines: LogEvent[], w: LogWindow, marks: Map<string, Mark>): LogEvent[] | string {
  const from = w.from ? marks.get(w.from) : undefined;
  const to = w.to ? marks.get(w.to) : undefined;
  if (w.from && !from) return `unknown label '${w.from}'`;
  if (w.to && !to) return `unknown label '${w.to}'`;
  return lines.filter((l) => (!from || l.seq >= from.start) && (!to || l.seq < to.start));
}

function check(x: Expectation, logEvents: LogEvent[], marks: Map<string, Mark>): ScenarioCheck {
  const expectation = describe(x);
  const done = (ok: boolean, detail: string): ScenarioCheck => ({ expectation, ok, detail });
  switch (x.kind) {
    case 'log': {
      const ls = windowed(logEvents, x, marks);
      if (typeof ls === 'string') return done(false, ls);
      const n = ls.filter((l) => sourceMatches(x.source, l.source) && l.text === x.text).length;
      return x.count !== undefined ? done(n === x.count, `${n} found`) : done(n > 0, `${n} found`);
    }
    case 'no-log': {
      const ls = windowed(logEvents, x, marks);
      if (typeof ls === 'string') return done(false, ls);
      const hit = ls.find((l) => l.text.includes(x.includes));
      return done(!hit, hit ? `found: ${hit.source}: ${hit.text}` : 'none');
    }
    case 'log-order': {
      const ls = windowed(logEvents, x, marks);
      if (typeof ls === 'string') return done(false, ls);
      let i = 0;
      for (const l of ls) {
        if (
          i < x.lines.length &&
          sourceMatches(x.lines[i].source, l.source) &&
          l.text === x.lines[i].text
        )
          i++;
      }
      return done(
        i === x.lines.length,
        i === x.lines.length ? 'all in order' : `missing: "${x.lines[i]?.text}"`,
      );
    }
    case 'msi-list': {
      const m = marks.get(x.at);
      if (!m) return done(false, `unknown label '${x.at}'`);
      const n = dom0MsiList(m.state, x.bdf).reduce((a, e) => a + e.pirqs.length, 0);
      return done(n === x.entries, `${n} entries`);
    }
    case 'interrupts': {
      const m = marks.get(x.at);
      if (!m) return done(false, `unknown label '${x.at}'`);
      const rows = interruptCounters(m.state, {
        domain: x.domain,
        ...(x.bdf !== undefined ? { bdf: x.bdf } : {}),
      });
      const delivered = rows.reduce((a, r) => a + r.delivered, 0);
      const raised = rows.reduce((a, r) => a + r.raised, 0);
      const ok = x.delivered === 'zero' ? raised > 0 && delivered === 0 : delivered > 0;
      return done(ok, `${delivered} of ${raised} delivered`);
    }
    case 'upstream-bridge':
    case 'iommu-context':
    case 'msix-entry':
    case 'guest-driver': {
      const m = marks.get(x.at);
      if (!m) return done(false, `unknown label '${x.at}'`);
      const r = check2(x, m.state);
      return done(r.ok, r.detail);
    }
    case 'error': {
      const m = marks.get(x.step);
      if (!m) return done(false, `unknown label '${x.step}'`);
      if (!m.error) return done(false, 'no error');
      const ok = m.error.code === x.code && (!x.includes || m.error.message.includes(x.includes));
      return done(ok, `${m.error.code}: ${m.error.message}`);
    }
  }
}

export type { ScenarioOutcome };
