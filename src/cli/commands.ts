// Sub-commands contributed by the engine side (scenario runner, benchmarks).
import { benchCommand } from './bench.command';
import type { CliCommand } from './main';
import { scenarioCommand } from './scenario.command';

export const commands: CliCommand[] = [scenarioCommand, benchCommand];
