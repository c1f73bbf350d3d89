// pciback over REST and GraphQL: detach (virsh nodedev-detach), reattach, reset, the assignable list;
// each change journaled with its PcibackSlot row, and refused (409, nothing changed) while a domain
// uses the device.
import { HostsRepository } from '../../src/hosts/hosts.repository';
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const VF2 = '0000:01:10.1';
const PV = 'rhel56-64bit-pv';

interface NodeDevice {
  bdf: string;
  driver: string | null;
  pciback: { slot: boolean; seized: boolean };
  assignedTo: { domain: string; domid: number } | null;
}

interface Problem {
  code: string;
  detail: string;
}

describe('pciback: detach, reattach, reset, assignable', () => {
  let t: TestApp;
  const post = (path: string, body?: unknown): Promise<Response> =>
    t.http(`/api/v1/hosts/lab${path}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const assignable = async (): Promise<string[]> =>
    ((await (await t.http('/api/v1/hosts/lab/pciback/assignable')).json()) as NodeDevice[]).map(
      (d) => d.bdf,
    );
  const host = async (): Promise<{ stateHash: string; clock: { virtualTimeNs: string } }> =>
    (await (await t.http('/api/v1/hosts/lab')).json()) as {
      stateHash: string;
      clock: { virtualTimeNs: string };
    };
  const slots = async (app: TestApp = t): Promise<string[]> => {
    const repo = app.app.get(HostsRepository);
    const row = await repo.findByName('lab');
    if (!row) throw new Error('no host lab');
    return repo.pcibackSlots(row.id);
  };
  const problem = async (res: Response, status: number): Promise<Problem> => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as Problem;
  };

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
    const created = await t.http('/api/v1/hosts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lab', template: 'rhbz688673' }),
    });
    expect(created.status).toBe(201);
    // Pause the clock: virtual time moves only when the test says so.
    expect((await post('/clock', { running: false })).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts with nothing assignable and no pciback slots', async () => {
    expect(await assignable()).toEqual([]);
    expect(await slots()).toEqual([]);
  });

  it('detaches the VF from igbvf to pciback; it becomes assignable and its slot is recorded', async () => {
    const res = await post(`/nodedevs/${VF}/detach`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      bdf: VF,
      driver: 'pciback',
      pciback: { slot: true, seized: true },
      assignedTo: null,
    });
    expect(await assignable()).toEqual([VF]);
    expect(await slots()).toEqual([VF]);
    const logs = (await (await t.http('/api/v1/hosts/lab/logs?source=dom0')).json()) as {
      items: { text: string }[];
    };
    expect(logs.items.map((l) => l.text)).toContain(`pciback ${VF}: seizing device`);
  });

  it('accepts the short BDF form and is idempotent for a device pciback already has', async () => {
    const before = await host();
    const res = await post('/nodedevs/01:10.0/detach');
    expect(res.status).toBe(200);
    expect(((await res.json()) as NodeDevice).driver).toBe('pciback');
    expect(await slots()).toEqual([VF]);
    expect((await host()).stateHash).toBe(before.stateHash);
  });

  it('keeps the detach across a restart (journaled, rebuilt from the journal)', async () => {
    const hash = (await host()).stateHash;
    await t.close();
    t = await startTestApp({ PTLAB_TICK_MS: '0' }, t.databaseUrl);
    expect((await host()).stateHash).toBe(hash);
    expect(await assignable()).toEqual([VF]);
    expect(await slots()).toEqual([VF]);
  });

  it('reattaches the VF to igbvf: gone from the list and from the slots', async () => {
    const res = await post(`/nodedevs/${VF}/reattach`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      driver: 'igbvf',
      pciback: { slot: false, seized: false },
    });
    expect(await assignable()).toEqual([]);
    expect(await slots()).toEqual([]);
  });

  it('resets a function by FLR, and refuses a secondary bus reset of a VF (409)', async () => {
    const before = await host();
    const flr = await post(`/nodedevs/${VF2}/reset`, { method: 'flr' });
    expect(flr.status).toBe(200);
    expect(((await flr.json()) as NodeDevice).bdf).toBe(VF2);
    expect((await host()).stateHash).not.toBe(before.stateHash);
    const after = await host();
    const bus = await problem(await post(`/nodedevs/${VF2}/reset`, { method: 'bus' }), 409);
    expect(bus.code).toBe('reset-unsupported');
    expect(bus.detail).toMatch(/virtual function: no secondary bus reset/);
    expect((await host()).stateHash).toBe(after.stateHash);
  });

  it.each([
    [{ method: 'warm' }, /method must be one of flr, bus, backdoor/],
    [{}, /method must be one of/],
    [{ method: 'flr', extra: 1 }, /property extra should not exist/],
  ])('refuses reset body %o with 400', async (body, detail) => {
    expect((await problem(await post(`/nodedevs/${VF}/reset`, body), 400)).detail).toMatch(detail);
  });

  it('answers 400 for a malformed BDF, 404 for an unknown device or host', async () => {
    expect((await problem(await post('/nodedevs/0000:01:10/detach'), 400)).detail).toMatch(
      /^bdf: malformed PCI address/,
    );
    expect((await problem(await post('/nodedevs/0000:07:00.0/detach'), 404)).code).toBe(
      'unknown-device',
    );
    const noHost = await t.http(`/api/v1/hosts/nope/nodedevs/${VF}/detach`, { method: 'POST' });
    expect((await problem(noHost, 404)).code).toBe('not-found');
    expect((await problem(await t.http('/api/v1/hosts/nope/pciback/assignable'), 404)).code).toBe(
      'not-found',
    );
  });

  describe('a device a running domain uses', () => {
    beforeAll(async () => {
      expect((await post(`/nodedevs/${VF}/detach`)).status).toBe(200);
      const defined = await post('/domains', {
        name: PV,
        type: 'pv',
        memoryMiB: 1024,
        vcpus: 1,
        hostdevs: [{ bdf: VF }],
      });
      expect(defined.status).toBe(201);
      expect((await post(`/domains/${PV}/start`)).status).toBe(200);
    });

    it('is assigned, and no longer assignable', async () => {
      const vf = (await (await t.http(`/api/v1/hosts/lab/nodedevs/${VF}`)).json()) as NodeDevice;
      expect(vf.assignedTo).toEqual({ domain: PV, domid: 1 });
      expect(await assignable()).toEqual([]);
    });

    it.each(['detach', 'reattach'])(
      'refuses %s with 409 device-busy, changing nothing',
      async (verb) => {
        const before = await host();
        const slotsBefore = await slots();
        const p = await problem(await post(`/nodedevs/${VF}/${verb}`), 409);
        expect(p.code).toBe('device-busy');
        expect(p.detail).toBe(`${VF} is assigned to domain '${PV}'`);
        const after = await host();
        expect(after.stateHash).toBe(before.stateHash);
        expect(after.clock.virtualTimeNs).toBe(before.clock.virtualTimeNs);
        expect(await slots()).toEqual(slotsBefore);
        const vf = (await (await t.http(`/api/v1/hosts/lab/nodedevs/${VF}`)).json()) as NodeDevice;
        expect(vf).toMatchObject({ driver: 'pciback', assignedTo: { domain: PV } });
      },
    );

    it('refuses a reset with 409 too', async () => {
      const before = await host();
      expect(
        (await problem(await post(`/nodedevs/${VF}/reset`, { method: 'flr' }), 409)).code,
      ).toBe('device-busy');
      expect((await host()).stateHash).toBe(before.stateHash);
    });

    it('answers the same refusal through GraphQL', async () => {
      const res = await t.gql(`mutation { detachNodeDevice(host: "lab", bdf: "${VF}") { bdf } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('device-busy');
    });

    afterAll(async () => {
      expect((await post(`/domains/${PV}/destroy`)).status).toBe(200);
    });
  });

  it('detaches, lists, resets and reattaches through GraphQL', async () => {
    const detached = await t.gql<{ detachNodeDevice: { bdf: string; driver: string } }>(
      `mutation { detachNodeDevice(host: "lab", bdf: "01:10.1") { bdf driver } }`,
    );
    expect(detached.errors).toBeUndefined();
    expect(detached.data?.detachNodeDevice).toEqual({ bdf: VF2, driver: 'pciback' });
    const listed = await t.gql<{ assignableDevices: { bdf: string }[] }>(
      `{ assignableDevices(host: "lab") { bdf } }`,
    );
    expect(listed.data?.assignableDevices.map((d) => d.bdf)).toEqual([VF, VF2]);
    const reset = await t.gql<{ resetNodeDevice: { bdf: string } }>(
      `mutation { resetNodeDevice(host: "lab", bdf: "${VF2}", input: { method: "flr" }) { bdf } }`,
    );
    expect(reset.data?.resetNodeDevice.bdf).toBe(VF2);
    const badReset = await t.gql(
      `mutation { resetNodeDevice(host: "lab", bdf: "${VF2}", input: { method: "cold" }) { bdf } }`,
    );
    expect(badReset.errors?.[0]?.message).toMatch(/method must be one of/);
    const reattached = await t.gql<{ reattachNodeDevice: { driver: string } }>(
      `mutation { reattachNodeDevice(host: "lab", bdf: "${VF2}") { driver } }`,
    );
    expect(reattached.data?.reattachNodeDevice.driver).toBe('igbvf');
    expect(await slots()).toEqual([VF]);
  });
});
