// The scenario registry: every reproduction, by id.
import { fail } from '../core/errors';
import { RHBZ688673_SCENARIOS } from './rhbz688673';
import { ENGINE2_SCENARIOS } from './engine2';
import type { ScenarioDef } from './types';

export const SCENARIOS: readonly ScenarioDef[] = [...RHBZ688673_SCENARIOS, ...ENGINE2_SCENARIOS];

export function getScenario(id: string): ScenarioDef {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s)
    fail(
      'unknown-scenario',
      `unknown scenario '${id}' (known: ${SCENARIOS.map((x) => x.id).join(', ')})`,
    );
  return s;
}

export {
  runScenario,
  conditionHolds,
  type ScenarioRun,
  type ScenarioRunOptions,
  type ScenarioCheck,
} from './runner';
export type {
  ScenarioDef,
  ScenarioOutcome,
  ScenarioStep,
  Expectation,
  ChangesetCondition,
} from './types';
