// The `ptlab` command line: one dispatcher, one module per sub-command.
import { packageVersion } from '../infra/paths';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run: (args: string[], io: CliIo) => Promise<number | undefined>;
}

async function loadCommands(): Promise<CliCommand[]> {
  const { serveCommand } = await import('./serve.command');
  const { schemaCommand } = await import('./schema.command');
  const extra = await import('./commands');
  return [serveCommand, schemaCommand, ...extra.commands];
}

function help(commands: CliCommand[]): string {
  const lines = [
    'Usage: ptlab <command> [options]',
    '',
    'ptlab — a PCI passthrough lab: REST + GraphQL server around an emulated Xen/KVM host.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`),
    '',
    'Options:',
    '  -h, --help       show this help',
    '  -v, --version    print the version',
    '',
  ];
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v' || first === 'version') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const commands = await loadCommands();
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(help(commands));
    return first === undefined ? 1 : 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`ptlab: unknown command '${first}'\n\n${help(commands)}`);
    return 2;
  }
  return (await command.run(rest, io)) ?? 0;
}
