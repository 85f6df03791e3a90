/**
 * Many merchant accounts on one route (`resolveCredentials`), every provider,
 * over HTTP on Express 5 and 4: a notification is verified only with the
 * credentials of the account it names, unknown accounts and failing
 * resolvers get their own answers, lookups are cached per account (and a
 * rotation takes effect after the TTL), and dedup keys are per account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createWebhookHandler,
  createSgateWebhookMiddleware,
  SqliteInbox,
  type AnyWebhookEvent,
  type CredentialsContext,
  type ProviderSpec,
} from '../../lib';
import { ACCOUNT_CASES, testAccount, type AccountCase, type TestAccount } from '../helpers/account-cases';
import type { Sendable } from '../helpers/answers-table';
import { deferred, until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post } from '../helpers/server';
import { spyStore } from '../helpers/spy-store';
import { webhookApps } from '../helpers/webhook-app';

const A = testAccount('1001', 0);
const B = testAccount('1002', 1);
const send = (url: string, n: Sendable) => post(n.target ? n.target(url) : url, n.body, n.headers);

/** A merchant's account table and a resolver over it that records what it was asked. */
function accountTable(accounts: TestAccount[], c: AccountCase) {
  const rows = new Map(accounts.map((account) => [account.id, c.credentials(account)]));
  const asked: string[] = [];
  const contexts: CredentialsContext[] = [];
  return {
    rows,
    asked,
    contexts,
    resolveCredentials: async (account: string, ctx: CredentialsContext) => {
      asked.push(account);
      contexts.push(ctx);
      return rows.get(account);
    },
  };
}

describe.each(EXPRESS_VERSIONS)('many accounts on $name', (express) => {
  describe.each(ACCOUNT_CASES.map((c) => [c.provider, c] as const))('%s', (_provider, c) => {
    const startApp = webhookApps();
    afterEach(() => jest.restoreAllMocks());

    async function start(options: Record<string, unknown>, setup?: (app: any) => void) {
      const store = spyStore();
      const app = await startApp((r) => c.create({ store, ...r.options, ...options }), { express, setup });
      return { ...app, store };
    }

    test("each account's own notification is handled, with event.account; the resolver gets the account and the request's facts", async () => {
      const table = accountTable([A, B], c);
      const { url, events, errors } = await start({ resolveCredentials: table.resolveCredentials });
      for (const account of [A, B]) expect((await send(url, c.notification(account.id, account))).status).toBe(200);
      expect(errors).toEqual([]);
      expect(events.map((event) => event.account)).toEqual([A.id, B.id]);
      expect(table.asked).toEqual([A.id, B.id]);
      expect(table.contexts[0]).toMatchObject({ provider: c.provider, url: '/notify' });
      expect(table.contexts[0].headers['content-type']).toMatch(/json|form|xml/);
      expect(Object.isFrozen(table.contexts[0])).toBe(true);
    });

    test("account A's credentials signing a notification that names B: 401 SIGNATURE_MISMATCH, and only B's credentials were asked for", async () => {
      const table = accountTable([A, B], c);
      const { url, events, errors } = await start({ resolveCredentials: table.resolveCredentials });
      expect((await send(url, c.notification(B.id, A))).status).toBe(401);
      expect(errors.map((error) => error.code)).toEqual(['SIGNATURE_MISMATCH']);
      expect(table.asked).toEqual([B.id]);
      // With A's credentials cached (and B's), the forgery is still refused.
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect((await send(url, c.notification(B.id, A))).status).toBe(401);
      expect(table.asked).toEqual([B.id, A.id]);
      expect(errors.map((error) => error.code)).toEqual(['SIGNATURE_MISMATCH', 'SIGNATURE_MISMATCH']);
      expect(events.map((event) => event.account)).toEqual([A.id]);
    });

    test("with only A's credentials cached, a notification naming B signed with A's key is refused (B looked up, not A's used)", async () => {
      const table = accountTable([A, B], c);
      const { url, events } = await start({ resolveCredentials: table.resolveCredentials });
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect((await send(url, c.notification(B.id, A))).status).toBe(401);
      expect(table.asked).toEqual([A.id, B.id]);
      expect(events.map((event) => event.account)).toEqual([A.id]);
    });

    test('an unknown account: 401 ACCOUNT_UNKNOWN; a notification naming none: 400 BODY_INVALID, the resolver not asked', async () => {
      const table = accountTable([A], c);
      const { url, events, errors } = await start({ resolveCredentials: table.resolveCredentials });
      expect((await send(url, c.notification(B.id, B))).status).toBe(401);
      expect(errors.map((error) => error.code)).toEqual(['ACCOUNT_UNKNOWN']);
      expect(errors[0].message).not.toContain(B.id);
      expect(table.asked).toEqual([B.id]);
      expect((await send(url, c.notification('', A))).status).toBe(400);
      expect(errors.map((error) => error.code)).toEqual(['ACCOUNT_UNKNOWN', 'BODY_INVALID']);
      expect(table.asked).toEqual([B.id]);
      expect(events).toEqual([]);
    });

    test.each([
      ['throws', (): unknown => { throw new Error('db down'); }],
      ['rejects', (): unknown => Promise.reject(new Error('db down'))],
      ['hangs', (): unknown => new Promise(() => {})],
      // Its own fields, every value empty: refused by the provider's own checks (a bad secret, key or apiKey).
      ['returns malformed credentials', (): unknown => Object.fromEntries(Object.keys(c.credentials(A)).map((name) => [name, '']))],
      ['returns credentials with a misspelt field', (): unknown => ({ secrets: 'x' })],
      ['returns a string', (): unknown => 'secret'],
    ] as const)('a resolver that %s: 503 CREDENTIALS_UNAVAILABLE, not cached: the retry is looked up again and handled', async (_name, failure) => {
      const table = accountTable([A], c);
      let failing = true;
      let calls = 0;
      const { url, events, errors } = await start({
        handlerTimeoutMs: 100,
        resolveCredentials: (account: string, ctx: CredentialsContext) => {
          calls++;
          return failing ? failure() : table.resolveCredentials(account, ctx);
        },
      });
      const notification = c.notification(A.id, A);
      expect((await send(url, notification)).status).toBe(503);
      expect(errors.map((error) => error.code)).toEqual(['CREDENTIALS_UNAVAILABLE']);
      expect(events).toEqual([]);
      failing = false;
      expect((await send(url, notification)).status).toBe(200);
      expect(calls).toBe(2);
      expect(events.map((event) => event.account)).toEqual([A.id]);
    });

    test('cached per account: asked once within the TTL; a rotated key takes effect after it; an unknown account is asked again after the shorter negative TTL', async () => {
      let now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      const table = accountTable([A], c);
      const { url, events } = await start({ resolveCredentials: table.resolveCredentials, credentialsCacheMs: 60_000 });
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect(table.asked).toEqual([A.id]);

      // The merchant rotates A's key to B's material: the cached credentials still verify until the TTL passes.
      const rotated: TestAccount = { ...B, id: A.id };
      table.rows.set(A.id, c.credentials(rotated));
      now += 59_000;
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect((await send(url, c.notification(A.id, rotated))).status).toBe(401);
      now += 1_001;
      expect((await send(url, c.notification(A.id, rotated))).status).toBe(200);
      expect((await send(url, c.notification(A.id, A))).status).toBe(401);
      expect(table.asked).toEqual([A.id, A.id]);
      expect(events).toHaveLength(4);

      // Unknown: remembered for 5 s, then asked again, so a newly added account works soon.
      expect((await send(url, c.notification(B.id, B))).status).toBe(401);
      expect((await send(url, c.notification(B.id, B))).status).toBe(401);
      expect(table.asked).toEqual([A.id, A.id, B.id]);
      table.rows.set(B.id, c.credentials(B));
      now += 5_001;
      expect((await send(url, c.notification(B.id, B))).status).toBe(200);
      expect(table.asked).toEqual([A.id, A.id, B.id, B.id]);
    });

    test('credentialsCacheMs 0: asked for every notification', async () => {
      const table = accountTable([A], c);
      const { url } = await start({ resolveCredentials: table.resolveCredentials, credentialsCacheMs: 0 });
      for (let i = 0; i < 3; i++) expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect(table.asked).toEqual([A.id, A.id, A.id]);
    });

    test('a burst of 40 notifications for one account while its lookup is pending: one lookup, every one handled', async () => {
      const table = accountTable([A], c);
      const gate = deferred();
      let calls = 0;
      const arrived: IncomingMessage[] = [];
      const { url, events } = await start({
        resolveCredentials: async (account: string, ctx: CredentialsContext) => {
          calls++;
          await gate.promise;
          return table.resolveCredentials(account, ctx);
        },
      }, (app) => app.use((req: IncomingMessage, _res: unknown, next: () => void) => {
        arrived.push(req);
        next();
      }));
      const replies = Array.from({ length: 40 }, () => send(url, c.notification(A.id, A)));
      // Every body received (so every request reaches its credentials lookup) before the first lookup answers.
      await until(() => arrived.length === 40 && arrived.every((req) => req.complete));
      await until(() => calls > 0);
      gate.resolve();
      expect((await Promise.all(replies)).map((reply) => reply.status)).toEqual(Array(40).fill(200));
      expect(calls).toBe(1);
      expect(events).toHaveLength(40);
    });

    test('dedup is per account: the same order number from two accounts is handled for each, once', async () => {
      const table = accountTable([A, B], c);
      const { url, events, store } = await start({ resolveCredentials: table.resolveCredentials, dedupKey: () => 'order-1' });
      for (const account of [A, B, A, B]) expect((await send(url, c.notification(account.id, account, 'same'))).status).toBe(200);
      expect(events.map((event) => event.account)).toEqual([A.id, B.id]);
      expect(new Set(store.claims)).toEqual(new Set([`${c.provider}@${A.id}:order-1`, `${c.provider}@${B.id}:order-1`]));
    });

    test('static credentials: event.account stays undefined and the dedup key is provider:id, as before', async () => {
      const { url, events, store } = await start({ ...c.credentials(A), dedupKey: () => 'order-1' });
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect(events).toHaveLength(1);
      expect('account' in events[0]).toBe(false);
      expect(store.claims).toEqual([`${c.provider}:order-1`]);
    });

    test('static credentials and a resolver together, or a resolver that is not a function, or a bad credentialsCacheMs: thrown at construction', () => {
      const onEvent = () => {};
      const resolveCredentials = async () => undefined;
      expect(() => c.create({ onEvent, ...c.credentials(A), resolveCredentials })).toThrow(/either .* or resolveCredentials, not both/);
      expect(() => c.create({ onEvent, resolveCredentials: 'nope' })).toThrow(/resolveCredentials must be a function/);
      expect(() => c.create({ onEvent, resolveCredentials, credentialsCacheMs: -1 })).toThrow(/credentialsCacheMs must be/);
      expect(() => c.create({ onEvent, ...c.credentials(A), credentialsCacheMs: 1000 })).toThrow(/credentialsCacheMs applies only with resolveCredentials/);
      expect(() => c.create({ onEvent, resolveCredential: resolveCredentials })).toThrow(/unknown option "resolveCredential". Did you mean resolveCredentials\?/);
    });
  });
});

describe('a spec written before resolveCredentials (no credential members)', () => {
  const spec: ProviderSpec<AnyWebhookEvent> = {
    provider: 'otherpay',
    mediaTypes: { 'application/json': 'json' },
    needsRawBody: false,
    authenticate: () => [],
    toEvent: (body) => ({ id: String(body.fields.id), type: 'paid', data: body.fields }),
    success: { contentType: 'text/plain', body: 'ok' },
    failure: () => ({ contentType: 'text/plain', body: 'no' }),
  };

  test('works as before, and refuses resolveCredentials at construction', () => {
    expect(typeof createWebhookHandler(spec, { onEvent: () => {} })).toBe('function');
    expect(() => createWebhookHandler(spec, { onEvent: () => {}, resolveCredentials: async () => undefined } as never)).toThrow(/does not take resolveCredentials/);
  });
});

describe('option types', () => {
  test('static credentials with a resolver, or neither, do not compile (and throw)', () => {
    const onEvent = () => {};
    const resolveCredentials = async () => ({ secret: A.secret });
    // @ts-expect-error: a secret and a resolver together
    expect(() => createPay247WebhookMiddleware({ secret: A.secret, resolveCredentials, onEvent })).toThrow(/not both/);
    // @ts-expect-error: SGATE's keys and a resolver together
    expect(() => createSgateWebhookMiddleware({ apiKey: 'k', resolveCredentials: async () => undefined, onEvent })).toThrow(/not both/);
    // @ts-expect-error: neither
    expect(() => createPay247WebhookMiddleware({ onEvent })).toThrow(/secret must be/);
    // A resolver alone: its result is typed as the provider's credentials.
    expect(typeof createCryptoGatewayWebhookMiddleware({ resolveCredentials, onEvent })).toBe('function');
  });
});

/** Account ids an attacker may write: each must reach its own credentials and its own dedup keys, never crash. */
const CRAFTED = ['__proto__', 'constructor', 'x:1', 'x', 'x%3A1', 'a@b', 'pay247', 'Ünïcødé-商户', 'z'.repeat(256)];

describe.each(EXPRESS_VERSIONS)('crafted account ids on $name', (express) => {
  describe.each(ACCOUNT_CASES.map((c) => [c.provider, c] as const))('%s', (_provider, c) => {
    const startApp = webhookApps();
    // SGATE names the account in a header, which carries Latin-1 text only.
    const ids = c.provider === 'sgate' ? CRAFTED.filter((id) => /^[\x21-\x7e]+$/.test(id)) : CRAFTED;
    const accounts = ids.map((id, n) => testAccount(id, n));

    test('each crafted account is handled under its own credentials and its own dedup key; another crafted id is unknown', async () => {
      const table = accountTable(accounts, c);
      const store = spyStore();
      // Ids chosen so that an unencoded key would collide: account "x:1" with key "2" and account "x" with key "1:2".
      const keyOf = (event: AnyWebhookEvent) => (event.account === 'x' ? '1:2' : '2');
      const app = await startApp((r) => c.create({ store, ...r.options, resolveCredentials: table.resolveCredentials, dedupKey: keyOf }), { express });
      for (const account of accounts) expect([account.id, (await send(app.url, c.notification(account.id, account))).status]).toEqual([account.id, 200]);
      expect(app.events.map((event) => event.account)).toEqual(ids);
      expect(new Set(store.claims).size).toBe(ids.length);
      // One account's key never verifies another's notification, whatever the ids.
      expect((await send(app.url, c.notification(accounts[1].id, accounts[0]))).status).toBe(401);
      expect((await send(app.url, c.notification('hasOwnProperty', accounts[0]))).status).toBe(401);
      expect(app.errors.map((error) => error.code)).toEqual(['SIGNATURE_MISMATCH', 'ACCOUNT_UNKNOWN']);
    });

    test('an account id longer than 256 characters is unknown without asking the resolver', async () => {
      const table = accountTable([testAccount('y'.repeat(257), 0)], c);
      const app = await startApp((r) => c.create({ ...r.options, resolveCredentials: table.resolveCredentials }), { express });
      expect((await send(app.url, c.notification('y'.repeat(257), testAccount('y'.repeat(257), 0)))).status).toBe(401);
      expect(app.errors.map((error) => error.code)).toEqual(['ACCOUNT_UNKNOWN']);
      expect(table.asked).toEqual([]);
    });
  });
});

describe('inbox mode (SqliteInbox)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epw-accounts-'));
  const startApp = webhookApps();
  const inboxes: SqliteInbox[] = [];
  afterEach(async () => void (await Promise.all(inboxes.splice(0).map((inbox) => inbox.close()))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(ACCOUNT_CASES.map((c) => [c.provider, c] as const))('%s: the delivery gives the handler event.account, and the inbox keys are per account', async (_provider, c) => {
    const inbox = new SqliteInbox({ path: join(dir, `${c.provider}.db`), pollIntervalMs: 10 });
    inboxes.push(inbox);
    const table = accountTable([A, B], c);
    const app = await startApp((r) => c.create({ ...r.options, inbox, resolveCredentials: table.resolveCredentials, dedupKey: () => 'order-1' }));
    for (const account of [A, B]) expect((await send(app.url, c.notification(account.id, account, 'same'))).status).toBe(200);
    await until(() => app.events.length === 2);
    expect(app.events.map((event) => event.account).sort()).toEqual([A.id, B.id]);
    const keys = (await inbox.list({ state: 'all', limit: 10 })).map((entry) => entry.key).sort();
    expect(keys).toEqual([`${c.provider}@${A.id}:order-1`, `${c.provider}@${B.id}:order-1`]);
  });
});
