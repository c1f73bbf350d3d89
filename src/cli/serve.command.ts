import type { CliCommand } from './main';
import { CONFIG_VARIABLES } from '../infra/config/config';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'start the REST + GraphQL server (configured by environment variables)',
  usage: 'serve',
  run: async (args, io) => {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(
        [
          'Usage: ptlab serve',
          '',
          'Starts the server. With DATABASE_URL unset it runs an embedded Postgres under PTLAB_DATA_DIR.',
          '',
          'Environment:',
          ...CONFIG_VARIABLES.map(
            (v) => `  ${v.name.padEnd(24)} ${v.description} (default: ${v.default})`,
          ),
          '',
        ].join('\n'),
      );
      return 0;
    }
    if (args.length > 0) {
      io.err(
        `ptlab serve: unexpected argument '${args[0]}' (configuration is by environment variables; see --help)\n`,
      );
      return 2;
    }
    const { bootstrap } = await import('../main');
    await bootstrap();
    return undefined;
  },
};
