// A restart — even SIGKILL — returns exactly the acknowledged state: each host is rebuilt from its
// latest snapshot plus the journal tail, and reports the same stateHash.
import { Client } from 'pg';
import { stateHash, type HostState } from '../../src/engine';
import { createTestDatabase } from './support/app';
import { freePort } from './support/ports';
import { startServer, waitForStatus, jsonApi } from './support/server-process';

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
    const call = jsonApi(base);

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

describe('journal + snapshots: a snapshot of state schema 1', () => {
  it('is upgraded on rebuild: the host carries on, and the server logs the upgrade, not a mismatch', async () => {
    const { url } = await createTestDatabase('schema1');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATABASE_URL: url, PTLAB_SNAPSHOT_EVERY: '2' };
    const call = jsonApi(base);
    const first = startServer(env);
    await waitForStatus(`${base}/ready`, 200);
    await call('/api/v1/hosts', { name: 'lab', template: 'rhbz688673' });
    await call('/api/v1/hosts/lab/clock', { running: false });
    await call('/api/v1/hosts/lab/nodedevs/0000:01:10.0/detach', {});
    await call('/api/v1/hosts/lab/domains', {
      name: 'pv',
      type: 'pv',
      memoryMiB: 1024,
      vcpus: 1,
      hostdevs: [{ bdf: '0000:01:10.0' }],
    });
    await call('/api/v1/hosts/lab/domains/pv/start', {});
    first.child.kill('SIGKILL');
    await first.exited;

    // Rewrite the latest snapshot as schema 1 stored it: per-domain tables keyed d<domid>, vectors
    // keyed v<cpu>.<vector>.
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string; state: Record<string, any> }>( // eslint-disable-line @typescript-eslint/no-explicit-any
        'SELECT id, state FROM "Snapshot" ORDER BY seq DESC LIMIT 1',
      );
      const st = rows[0].state;
      expect(st.guests.length).toBe(1);
      const keyed = (t: { domid: number }[]): Record<string, unknown> =>
        Object.fromEntries(t.map((r) => [`d${r.domid}`, r]));
      const vectors: Record<string, unknown> = {};
      (st.xen.vectors as (object | null)[][]).forEach((perCpu, cpu) =>
        perCpu.forEach((use, v) => {
          if (use) vectors[`v${cpu}.${v}`] = use;
        }),
      );
      st.schema = 1;
      st.xen = { ...st.xen, domains: keyed(st.xen.domains), vectors };
      st.guests = keyed(st.guests);
      st.qemu = keyed(st.qemu);
      st.dom0.pciback.backends = keyed(st.dom0.pciback.backends);
      await db.query('UPDATE "Snapshot" SET state = $1 WHERE id = $2', [st, rows[0].id]);
      // …and the host's journaled hash as that version computed it, over the schema 1 shape.
      await db.query('UPDATE "Host" SET "stateHash" = $1', [stateHash(st as unknown as HostState)]);
    } finally {
      await db.end();
    }

    const second = startServer(env);
    try {
      await waitForStatus(`${base}/ready`, 200);
      expect(await call('/api/v1/hosts/lab/domains/pv')).toMatchObject({ state: 'running' });
      await call('/api/v1/hosts/lab/domains/pv/shutdown', {});
      await call('/api/v1/hosts/lab/domains/pv/start', {});
      expect(await call('/api/v1/hosts/lab/domains/pv')).toMatchObject({
        state: 'running',
        boots: 2,
      });
      const log = second.stdout() + second.stderr();
      expect(log).toContain('snapshot upgraded from state schema 1 to 2');
      expect(log).not.toContain('differs from the journaled');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
