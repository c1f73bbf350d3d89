// Scenarios as data: the seed test plans as steps (engine commands) plus expectations per software stack.
import type { Command } from '../commands';
import type { EngineErrorCode } from '../core/errors';
import type { ChangesetId } from '../profiles/changesets';
import type { Engine2Expectation } from './checks2';

/** Which stacks an outcome describes, by the changesets they have. */
export interface ChangesetCondition {
  all?: ChangesetId[];
  any?: ChangesetId[];
  none?: ChangesetId[];
}

export interface ScenarioStep {
  /** A checkpoint name other steps and expectations refer to. */
  label?: string;
  command: Command;
  /** The command is expected to be refused with this code (state unchanged). */
  expectError?: EngineErrorCode;
  note?: string;
}

/** A window of the log: lines from the start of step `from` to the start of step `to` (labels). */
export interface LogWindow {
  from?: string;
  to?: string;
}

export type LogSourceMatch = 'xen' | 'dom0' | 'guest' | 'qemu';

export type Expectation =
  | ({ kind: 'log'; source: LogSourceMatch; text: string; count?: number } & LogWindow)
  | ({ kind: 'no-log'; includes: string } & LogWindow)
  | ({ kind: 'log-order'; lines: { source: LogSourceMatch; text: string }[] } & LogWindow)
  | { kind: 'msi-list'; at: string; bdf: string; entries: number }
  | {
      kind: 'interrupts';
      at: string;
      domain: string;
      delivered: 'zero' | 'positive';
      /** Engine II: only this host device's vectors. */
      bdf?: string;
    }
  | { kind: 'error'; step: string; code: EngineErrorCode; includes?: string }
  | Engine2Expectation;

export interface ScenarioOutcome {
  /** e.g. "as reported", "fixed". */
  name: string;
  description: string;
  when: ChangesetCondition;
  expect: Expectation[];
}

export interface ScenarioDef {
  id: string;
  title: string;
  description: string;
  seeds: string[];
  template: string;
  /** The profiles the scenario is meant to run against; the first is the default. */
  profiles: string[];
  steps: ScenarioStep[];
  /** The first outcome whose condition matches the effective changesets applies. */
  outcomes: ScenarioOutcome[];
}
