import { rmSync } from 'fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__PTLAB_TEST_DB__?.stop();
  globalThis.__PTLAB_TEST_DB__ = undefined;
  const dir = process.env.PTLAB_TEST_PG_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
