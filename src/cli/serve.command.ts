import type { CliCommand } from './main';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'start the REST + GraphQL server (see README for the environment variables)',
  usage: 'serve',
  run: async () => {
    const { bootstrap } = await import('../main');
    await bootstrap();
    return undefined;
  },
};
