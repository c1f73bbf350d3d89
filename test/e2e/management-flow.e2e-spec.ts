// Issue 5's acceptance flow on a fresh database, over HTTP and then over GraphQL: the RHBZ#688673 host,
// its VF detached to pciback, the PV guest from an xl.cfg, the leak on reboot seen in dom0's log, the
// MSI ledger and the interrupt counters; the refusal of a second owner; the operator's prune; the fix.
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';
const NOT_FREED = 'msix entry 0 for dev 01:10:0 are not freed before acquire again.';
const XL_CFG = `name = "${PV}"\nmemory = 1024\nvcpus = 1\nkernel = "/boot/vmlinuz-2.6.18-274.el5xen"\npci = [ '01:10.0' ]\n`;

interface Counter {
  entry: number;
  live: boolean;
  raised: number;
  delivered: number;
}

describe('issue 5 flow over REST', () => {
  let t: TestApp;
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    type = 'application/json',
  ): Promise<Response> =>
    t.http(`/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const ok = async <T>(res: Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const text = await r.text();
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  /** One virtual second of ping; the interrupts delivered on the live vectors during it. */
  const pingSecond = async (): Promise<{ raised: number; delivered: number }> => {
    const before = await ok<Counter[]>(send('GET', `/hosts/lab/domains/${PV}/interrupts`));
    await ok(send('POST', `/hosts/lab/domains/${PV}/workload`, { kind: 'ping', rate: 100 }));
    await ok(send('POST', '/hosts/lab/clock', { running: false, advanceNs: 1_000_000_000 }));
    const after = await ok<Counter[]>(send('GET', `/hosts/lab/domains/${PV}/interrupts`));
    const live = after.filter((c) => c.live);
    const prev = (c: Counter): Counter | undefined =>
      before.find((b) => b.live && b.entry === c.entry);
    return {
      raised: live.reduce((n, c) => n + c.raised - (prev(c)?.raised ?? 0), 0),
      delivered: live.reduce((n, c) => n + c.delivered - (prev(c)?.delivered ?? 0), 0),
    };
  };

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs steps 1–8', async () => {
    // 1. the host, on the stack as reported
    await ok(send('POST', '/hosts', { name: 'lab', template: 'rhbz688673' }), 201);
    await ok(send('POST', '/hosts/lab/clock', { running: false }));
    // 2. the VF, with its PF as parent
    const vfs = await ok<{ bdf: string; vendorId: string; deviceId: string; parent: string }[]>(
      send('GET', '/hosts/lab/nodedevs?cap=sriov_vf'),
    );
    expect(vfs).toEqual(
      expect.arrayContaining([expect.objectContaining({ bdf: VF, parent: '0000:01:00.0' })]),
    );
    const vf = vfs.find((d) => d.bdf === VF) as unknown as Record<string, unknown>;
    expect(JSON.stringify(vf)).toMatch(/"8086"/);
    expect(JSON.stringify(vf)).toMatch(/"10ca"/);
    // 3. detach to pciback
    await ok(send('POST', `/hosts/lab/nodedevs/${VF}/detach`));
    expect(JSON.stringify(await ok(send('GET', '/hosts/lab/pciback/assignable')))).toContain(VF);
    // 4. the PV guest from xl.cfg; start; ping → interrupts; reboot
    await ok(send('POST', '/hosts/lab/domains', XL_CFG, 'text/x-xl-config'), 201);
    await ok(send('POST', `/hosts/lab/domains/${PV}/start`));
    const first = await pingSecond();
    expect(first.delivered).toBeGreaterThan(0);
    expect(first.delivered).toBe(first.raised);
    await ok(send('POST', `/hosts/lab/domains/${PV}/reboot`));
    // 5. dom0's log line, the stale ledger entries, no interrupts after the reboot
    const logs = await ok<{ items: { text: string }[] }>(
      send('GET', '/hosts/lab/logs?source=dom0&limit=1000'),
    );
    expect(logs.items.map((l) => l.text)).toContain(NOT_FREED);
    const ledger = await ok<{ devices: { bdf: string; msiList: { stale: boolean }[] }[] }>(
      send('GET', '/hosts/lab/msi'),
    );
    expect(ledger.devices.find((d) => d.bdf === VF)?.msiList.map((e) => e.stale)).toEqual([
      true,
      true,
      true,
    ]);
    const leaked = await pingSecond();
    expect(leaked.raised).toBeGreaterThan(0);
    expect(leaked.delivered).toBe(0);
    // 6. a second domain on the same VF cannot start
    await ok(
      send('POST', '/hosts/lab/domains', {
        name: 'pv2',
        type: 'pv',
        memoryMiB: 512,
        vcpus: 1,
        hostdevs: [{ bdf: VF }],
      }),
      201,
    );
    const refused = await send('POST', '/hosts/lab/domains/pv2/start');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await refused.json()) as { detail: string }).detail).toContain(
      'already been assigned to other domain',
    );
    // 7. prune, reboot → interrupts flow again
    await ok(send('POST', `/hosts/lab/nodedevs/${VF}/msi/prune`));
    await ok(send('POST', `/hosts/lab/domains/${PV}/reboot`));
    expect((await pingSecond()).delivered).toBeGreaterThan(0);
    // 8. the fix: PATCH + host reboot; domain reboots no longer leak
    await ok(send('PATCH', '/hosts/lab', { changesets: ['cs1070', 'msi-prune'] }));
    const host = await ok<{ effectiveChangesets: string[] }>(send('POST', '/hosts/lab/reboot'));
    expect(host.effectiveChangesets).toEqual(['cs1070', 'msi-prune']);
    await ok(send('POST', '/hosts/lab/clock', { running: false }));
    const domain = await ok<{ state: string }>(send('GET', `/hosts/lab/domains/${PV}`));
    expect(domain.state).toBe('shutoff'); // it went down with the host
    await ok(send('POST', `/hosts/lab/nodedevs/${VF}/detach`));
    await ok(send('POST', `/hosts/lab/domains/${PV}/start`));
    for (let i = 0; i < 2; i++) {
      await ok(send('POST', `/hosts/lab/domains/${PV}/reboot`));
      expect((await pingSecond()).delivered).toBeGreaterThan(0);
    }
    const after = await ok<{ items: { text: string }[] }>(
      send('GET', '/hosts/lab/logs?source=dom0&limit=1000'),
    );
    expect(after.items.map((l) => l.text)).toContain(`PCI: ${VF}: cleaning up MSI-X entry 0`);
  });
});

describe('issue 5 flow over GraphQL', () => {
  let t: TestApp;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await t.gql<T>(query, variables);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data as T;
  };
  const pingSecond = async (): Promise<number> => {
    const read = async (): Promise<Counter[]> =>
      (
        await gql<{ domainInterrupts: Counter[] }>(
          `{ domainInterrupts(host: "lab", name: "${PV}") { entry live raised delivered } }`,
        )
      ).domainInterrupts;
    const before = await read();
    await gql(
      `mutation { setWorkload(host: "lab", name: "${PV}", input: { kind: "ping", rate: 100 }) { entry } }`,
    );
    await gql(
      'mutation { setHostClock(name: "lab", input: { running: false, advanceNs: 1000000000 }) { name } }',
    );
    const after = (await read()).filter((c) => c.live);
    return after.reduce(
      (n, c) =>
        n + c.delivered - (before.find((b) => b.live && b.entry === c.entry)?.delivered ?? 0),
      0,
    );
  };

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the same flow', async () => {
    await gql('mutation { createHost(input: { name: "lab", template: "rhbz688673" }) { name } }');
    await gql('mutation { setHostClock(name: "lab", input: { running: false }) { name } }');
    const devs = await gql<{ nodeDevices: { bdf: string }[] }>(
      '{ nodeDevices(host: "lab", cap: "sriov_vf") { bdf } }',
    );
    expect(devs.nodeDevices.map((d) => d.bdf)).toContain(VF);
    await gql(`mutation { detachNodeDevice(host: "lab", bdf: "${VF}") { bdf } }`);
    await gql('mutation ($cfg: String!) { defineDomain(host: "lab", xlConfig: $cfg) { name } }', {
      cfg: XL_CFG,
    });
    const started = await gql<{ startDomain: { state: string; reason: string } }>(
      `mutation { startDomain(host: "lab", name: "${PV}") { state reason } }`,
    );
    expect(started.startDomain).toEqual({ state: 'running', reason: 'booted' });
    expect(await pingSecond()).toBeGreaterThan(0);
    await gql(`mutation { rebootDomain(host: "lab", name: "${PV}") { state } }`);
    const logs = await gql<{ hostLogs: { edges: { node: { text: string } }[] } }>(
      '{ hostLogs(host: "lab", source: "dom0", first: 1000) { edges { node { text } } } }',
    );
    expect(logs.hostLogs.edges.map((e) => e.node.text)).toContain(NOT_FREED);
    const ledger = await gql<{ msiLedger: { staleEntries: number } }>(
      '{ msiLedger(host: "lab") { staleEntries } }',
    );
    expect(ledger.msiLedger.staleEntries).toBe(3);
    expect(await pingSecond()).toBe(0);
    await gql(
      'mutation { defineDomain(host: "lab", input: { name: "pv2", type: "pv", memoryMiB: 512, vcpus: 1, hostdevs: [{ bdf: "01:10.0" }] }) { name } }',
    );
    const refused = await t.gql('mutation { startDomain(host: "lab", name: "pv2") { state } }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'device-busy', status: 409 });
    await gql(`mutation { pruneMsi(host: "lab", bdf: "${VF}") { bdf } }`);
    await gql(`mutation { rebootDomain(host: "lab", name: "${PV}") { state } }`);
    expect(await pingSecond()).toBeGreaterThan(0);
    await gql(
      'mutation { updateHost(name: "lab", input: { changesets: ["cs1070", "msi-prune"] }) { name } }',
    );
    const host = await gql<{ rebootHost: { effectiveChangesets: string[] } }>(
      'mutation { rebootHost(name: "lab") { effectiveChangesets } }',
    );
    expect(host.rebootHost.effectiveChangesets).toEqual(['cs1070', 'msi-prune']);
    await gql('mutation { setHostClock(name: "lab", input: { running: false }) { name } }');
    await gql(`mutation { detachNodeDevice(host: "lab", bdf: "${VF}") { bdf } }`);
    await gql(`mutation { startDomain(host: "lab", name: "${PV}") { state } }`);
    await gql(`mutation { rebootDomain(host: "lab", name: "${PV}") { state } }`);
    expect(await pingSecond()).toBeGreaterThan(0);
  });
});
