// A restart — even SIGKILL — returns exactly the acknowledged state: each host is rebuilt from its
// latest snapshot plus the journal tail, and reports the same stateHash.
import { createTestDatabase } from './support/app';
import { freePort } from './support/ports';
import { startServer, waitForStatus } from './support/server-process';

jest.setTimeout(120000);

describe('journal + snapshots: restart exactness', () => {
  it('reports the same stateHash and a still-running domain after SIGKILL and restart', async () => {
    const { url } = await createTestDatabase('restart');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A small snapshot interval so the rebuild uses a snapshot and a journal tail.
    const env = {
      PORT: String(port),
      DATABASE_URL: url,
      PTLAB_SNAPSHOT_EVERY: '3',
      PTLAB_TICK_MS: '20',
    };
    const call = async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 400) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    const first = startServer(env);
    await waitForStatus(`${base}/ready`, 200);
    await call('/api/v1/hosts', { name: 'lab', template: 'rhbz688673' });
    await call('/api/v1/hosts/lab/nodedevs/0000:01:10.0/detach', {});
    await call('/api/v1/hosts/lab/domains', {
      name: 'rhel56-64bit-pv',
      type: 'pv',
      memoryMiB: 1024,
      vcpus: 1,
      hostdevs: [{ bdf: '0000:01:10.0' }],
    });
    await call('/api/v1/hosts/lab/domains/rhel56-64bit-pv/start', {});
    await call('/api/v1/hosts/lab/domains/rhel56-64bit-pv/workload', { kind: 'ping', rate: 1000 });
    await new Promise((r) => setTimeout(r, 300)); // the clock runs: ticks are journaled
    await call('/api/v1/hosts/lab/domains/rhel56-64bit-pv/reboot', {});
    await call('/api/v1/hosts/lab/domains/rhel56-64bit-pv/workload', { kind: 'ping', rate: 1000 });
    await new Promise((r) => setTimeout(r, 300));
    const paused = await call('/api/v1/hosts/lab/clock', { running: false });
    const hash = paused.stateHash as string;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    first.child.kill('SIGKILL');
    await first.exited;

    const second = startServer(env);
    try {
      await waitForStatus(`${base}/ready`, 200);
      const host = await call('/api/v1/hosts/lab');
      expect(host.stateHash).toBe(hash);
      expect(host.clock).toMatchObject({
        running: false,
        virtualTimeNs: (paused.clock as { virtualTimeNs: string }).virtualTimeNs,
      });
      expect(await call('/api/v1/hosts/lab/domains/rhel56-64bit-pv')).toMatchObject({
        state: 'running',
        reason: 'booted',
        boots: 2,
      });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
