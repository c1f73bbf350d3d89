import { rmSync } from 'fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__PTLAB_TEST_DB__?.stop();
  const dir = process.env.PTLAB_TEST_PG_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
