// `prisma generate` without network: Prisma 7's CLI wants a native schema engine it would download;
// generation does not run it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file suffices.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY:
    process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const res = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
process.exit(res.status ?? 1);
