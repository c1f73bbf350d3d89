// `ptlab bench engine [--json]`: the engine benchmark (bench/engine.ts).
import type { CliCommand } from './main';

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'benchmark the engine (PV boot+shutdown cycles/s, interrupt simulation speed)',
  usage: 'bench engine [--json]',
  run: async (args, io) => {
    const [what, ...rest] = args;
    if (what === '--help' || what === '-h') {
      io.out('Usage: ptlab bench engine [--json]\n');
      return 0;
    }
    if (what !== 'engine') {
      io.err(`ptlab bench: unknown benchmark '${what ?? ''}' (known: engine)\n`);
      return 2;
    }
    const bad = rest.find((a) => a !== '--json');
    if (bad) {
      io.err(`ptlab bench engine: unexpected argument '${bad}'\n`);
      return 2;
    }
    const { runEngineBench } = await import('../../bench/engine');
    const r = runEngineBench();
    if (rest.includes('--json')) {
      io.out(
        `${JSON.stringify({
          lifecycleCyclesPerSec: r.lifecycleCyclesPerSec,
          interruptRealtimeMultiple: r.interruptRealtimeMultiple,
          interruptsPerSec: r.interruptsPerSec,
        })}\n`,
      );
      return 0;
    }
    const d = r.details;
    const rows: [string, string, string][] = [
      ['PV boot+shutdown cycles/s (1 VF, 3 vectors)', String(r.lifecycleCyclesPerSec), '>= 20000'],
      [
        `interrupt simulation (${d.vectors} vectors x ${d.ratePerVector}/s, ${d.stepNs / 1e6} ms steps)`,
        `${r.interruptRealtimeMultiple}x real time`,
        '>= 10x',
      ],
      ['simulated interrupts per second', String(r.interruptsPerSec), ''],
    ];
    io.out(`${'benchmark'.padEnd(64)} ${'result'.padEnd(18)} target\n`);
    for (const [a, b, c] of rows) io.out(`${a.padEnd(64)} ${b.padEnd(18)} ${c}\n`);
    io.out(
      `\n(${d.lifecycleCycles} cycles in ${d.lifecycleSeconds}s; ${d.steps} steps = ${d.simulatedSeconds}s simulated in ${d.wallSeconds}s)\n`,
    );
    return 0;
  },
};
