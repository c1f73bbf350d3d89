// Sub-commands contributed by the engine side (scenario runner, benchmarks).
import type { CliCommand } from './main';

export const commands: CliCommand[] = [];
