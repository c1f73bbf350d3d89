import type { CliCommand } from './main';

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary: 'write the GraphQL SDL to src/schema.graphql (sorted)',
  usage: 'schema [--check]',
  run: async (args, io) => {
    const { writeSchema } = await import('../graphql/schema-writer');
    const result = await writeSchema({ check: args.includes('--check') });
    if (!result.upToDate && args.includes('--check')) {
      io.err('src/schema.graphql is out of date; run `npm run schema:write`\n');
      return 1;
    }
    io.out(result.upToDate ? 'src/schema.graphql is up to date\n' : 'wrote src/schema.graphql\n');
    return 0;
  },
};
