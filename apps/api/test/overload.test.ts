import { loadConfig, ConfigError, DEFAULT_MAX_COMMANDS_IN_FLIGHT } from '../src/config/config';
import { givenAccounts, uid } from './fixtures';
import { TestApp } from './test-app';

/** Overload is bounded: past MAX_COMMANDS_IN_FLIGHT a command is refused at once, as problem+json with Retry-After. */
describe('commands in flight', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ MAX_COMMANDS_IN_FLIGHT: '2' });
  });
  afterAll(() => t.close());

  const metric = async (name: string): Promise<number> => {
    const text = (await t.request('GET', '/metrics')).body as string;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  it('given a cap of 2, when 20 commands arrive at once, then the excess is 503 OVERLOADED with Retry-After and appends nothing', async () => {
    const A = uid('busy');
    await givenAccounts(t, null, [{ id: A }]);
    const before = await t.eventCount();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.request('PUT', `/v1/accounts/${A}/contacts/c${i}`, { body: { email: `c${i}@example.com` } })),
    );
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    expect(ok.length + refused.length).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body).toMatchObject({ status: 503, code: 'OVERLOADED' });
      expect(String(r.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(r.headers['retry-after']).toBe('1');
    }
    // One event per contact accepted; none for a refused one.
    expect(await t.eventCount()).toBe(before + ok.length);
    expect(await metric('mam_commands_refused_total')).toBe(refused.length);
    expect(await metric('mam_commands_in_flight_limit')).toBe(2);
    // Every slot is given back once its command is answered.
    expect(await metric('mam_commands_in_flight')).toBe(0);
    expect((await t.request('PUT', `/v1/accounts/${A}/contacts/after`, { body: { email: 'after@example.com' } })).status).toBe(200);
  });

  it('given the cap reached by commands, then reads sent with them are still answered: reads are not counted', async () => {
    const A = uid('busy-read');
    const position = await givenAccounts(t, null, [{ id: A }]);
    // Read-your-writes: without it a loaded machine answers 404 before the accounts view has the account.
    const commands = Array.from({ length: 10 }, (_, i) => t.request('PUT', `/v1/accounts/${A}/contacts/r${i}`, { body: { email: `r${i}@example.com` } }));
    const reads = Array.from({ length: 10 }, () => t.read(`/v1/accounts/${A}`, position));
    expect((await Promise.all(commands)).some((a) => a.status === 503)).toBe(true);
    expect((await Promise.all(reads)).map((a) => a.status)).toEqual(Array(10).fill(200));
  });
});

describe('MAX_COMMANDS_IN_FLIGHT and the boolean switches', () => {
  const env = (extra: Record<string, string>) => ({ NODE_ENV: 'test', ...extra });

  it('defaults to a cap sized for a 2-core machine, and takes a positive integer only', () => {
    expect(loadConfig(env({})).maxCommandsInFlight).toBe(DEFAULT_MAX_COMMANDS_IN_FLIGHT);
    expect(loadConfig(env({ MAX_COMMANDS_IN_FLIGHT: '8' })).maxCommandsInFlight).toBe(8);
    for (const bad of ['0', '-1', '1.5', 'lots', '1e3']) expect(() => loadConfig(env({ MAX_COMMANDS_IN_FLIGHT: bad }))).toThrow(ConfigError);
  });

  it('RUN_PROJECTIONS and RUN_SAGAS take true or false only: 0 or no must not silently mean true', () => {
    expect(loadConfig(env({ RUN_PROJECTIONS: 'false', RUN_SAGAS: 'true' }))).toMatchObject({ runProjections: false, runSagas: true });
    expect(loadConfig(env({}))).toMatchObject({ runProjections: true, runSagas: true });
    for (const bad of ['0', 'no', 'FALSE', 'off', '1']) {
      expect(() => loadConfig(env({ RUN_PROJECTIONS: bad }))).toThrow(/RUN_PROJECTIONS must be true or false/);
      expect(() => loadConfig(env({ RUN_SAGAS: bad }))).toThrow(/RUN_SAGAS must be true or false/);
    }
  });
});
