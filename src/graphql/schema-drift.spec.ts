import { readFileSync } from 'fs';
import { buildSchemaSdl, SCHEMA_PATH } from './schema-writer';

describe('the committed GraphQL SDL (src/schema.graphql)', () => {
  it('matches the schema the server builds; run `npm run schema:write` after changing resolvers', async () => {
    const built = await buildSchemaSdl();
    const committed = readFileSync(SCHEMA_PATH(), 'utf8');
    expect(committed).toBe(built);
  });

  it('is sorted: type definitions appear in lexicographic order', () => {
    const names = [
      ...readFileSync(SCHEMA_PATH(), 'utf8').matchAll(
        /^(?:type|input|enum|interface|union|scalar) (\w+)/gm,
      ),
    ].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    // graphql-js's lexicographicSortSchema compares by code point.
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});
