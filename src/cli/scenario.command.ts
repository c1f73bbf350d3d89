// `ptlab scenario list|run`: replay the seed reproductions against a software stack.
import {
  CHANGESETS,
  PROFILES,
  SCENARIOS,
  isEngineError,
  runScenario,
  type ScenarioDef,
  type ScenarioRun,
} from '../engine';
import type { CliCommand, CliIo } from './main';

const USAGE = [
  'Usage:',
  '  ptlab scenario list [--json]',
  '  ptlab scenario run <id> [--profile P] [--patch C]... [--revert C]... [--json]',
  '',
  'Runs a seed reproduction on a fresh emulated host. --profile picks the software stack (default: the',
  "scenario's first declared profile); --patch adds a changeset, --revert removes one. Exit code 0 when the",
  "scenario's expectations for that stack hold, 1 when they do not, 2 on usage errors.",
  '',
].join('\n');

interface RunArgs {
  id: string;
  profile?: string;
  patch: string[];
  revert: string[];
  json: boolean;
}

function parseRun(args: string[]): RunArgs | string {
  const out: RunArgs = { id: '', patch: [], revert: [], json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      i++;
      return args[i];
    };
    if (a === '--json') out.json = true;
    else if (a === '--profile' || a.startsWith('--profile=')) {
      const v = value();
      if (!v) return 'missing value for --profile';
      out.profile = v;
    } else if (a === '--patch' || a.startsWith('--patch=')) {
      const v = value();
      if (!v) return 'missing value for --patch';
      out.patch.push(v);
    } else if (a === '--revert' || a.startsWith('--revert=')) {
      const v = value();
      if (!v) return 'missing value for --revert';
      out.revert.push(v);
    } else if (a.startsWith('-')) return `unknown option '${a}'`;
    else if (!out.id) out.id = a;
    else return `unexpected argument '${a}'`;
  }
  if (!out.id) return 'missing scenario id';
  return out;
}

function listScenarios(io: CliIo, json: boolean): number {
  if (json) {
    const list = SCENARIOS.map((s: ScenarioDef) => ({
      id: s.id,
      title: s.title,
      description: s.description,
      template: s.template,
      profiles: s.profiles,
      seeds: s.seeds,
      outcomes: s.outcomes.map((o) => ({ name: o.name, when: o.when, description: o.description })),
    }));
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  for (const s of SCENARIOS) {
    io.out(`${s.id.padEnd(32)} ${s.title}\n${' '.repeat(33)}profiles: ${s.profiles.join(', ')}\n`);
  }
  return 0;
}

function printRun(io: CliIo, run: ScenarioRun): void {
  io.out(`scenario:   ${run.scenario}\n`);
  io.out(`profile:    ${run.profile}\n`);
  io.out(`changesets: ${run.changesets.length ? run.changesets.join(', ') : '(none)'}\n`);
  io.out(`outcome:    ${run.outcome}\n\n`);
  for (const l of run.logs)
    io.out(`${(l.t / 1e9).toFixed(6).padStart(12)} ${l.source.padEnd(8)} ${l.text}\n`);
  io.out('\ninterrupts (last boot of each domain):\n');
  for (const i of run.interrupts) {
    io.out(
      `  ${i.domain} (dom${i.domid}) ${i.bdf} entry ${i.entry} pirq ${i.pirq ?? '-'}: delivered ${i.delivered}, lost ${i.lost}\n`,
    );
  }
  io.out('\nchecks:\n');
  for (const c of run.checks)
    io.out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.expectation} — ${c.detail}\n`);
  io.out(`\n${run.passed ? 'PASSED' : 'FAILED'}  state ${run.stateHash}\n`);
}

export const scenarioCommand: CliCommand = {
  name: 'scenario',
  summary: 'list or run the seed reproductions (RHBZ#688673 …) against a profile',
  usage: 'scenario list|run <id> [--profile P] [--patch C]... [--json]',
  run: async (args, io) => {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.out(USAGE);
      return sub === undefined ? 2 : 0;
    }
    if (sub === 'list') {
      const bad = rest.find((a) => a !== '--json');
      if (bad) {
        io.err(`ptlab scenario list: unexpected argument '${bad}'\n`);
        return 2;
      }
      return listScenarios(io, rest.includes('--json'));
    }
    if (sub !== 'run') {
      io.err(`ptlab scenario: unknown sub-command '${sub}'\n\n${USAGE}`);
      return 2;
    }
    const parsed = parseRun(rest);
    if (typeof parsed === 'string') {
      io.err(`ptlab scenario run: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const def = SCENARIOS.find((s) => s.id === parsed.id);
    if (!def) {
      io.err(
        `ptlab scenario run: unknown scenario '${parsed.id}' (known: ${SCENARIOS.map((s) => s.id).join(', ')})\n`,
      );
      return 2;
    }
    if (parsed.profile !== undefined && !PROFILES[parsed.profile]) {
      io.err(
        `ptlab scenario run: unknown profile '${parsed.profile}' (known: ${Object.keys(PROFILES).join(', ')})\n`,
      );
      return 2;
    }
    const unknown = [...parsed.patch, ...parsed.revert].find((c) => !(c in CHANGESETS));
    if (unknown !== undefined) {
      io.err(
        `ptlab scenario run: unknown changeset '${unknown}' (known: ${Object.keys(CHANGESETS).join(', ')})\n`,
      );
      return 2;
    }
    let run: ScenarioRun;
    try {
      run = runScenario(def, {
        profile: parsed.profile,
        patch: parsed.patch,
        revert: parsed.revert,
      });
    } catch (e) {
      if (isEngineError(e)) {
        io.err(`ptlab scenario run: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    if (parsed.json) {
      const out = {
        scenario: run.scenario,
        profile: run.profile,
        changesets: run.changesets,
        passed: run.passed,
        logs: run.logs,
        interrupts: run.interrupts,
        stateHash: run.stateHash,
      };
      io.out(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      printRun(io, run);
    }
    return run.passed ? 0 : 1;
  },
};
