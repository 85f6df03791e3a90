/**
 * Many merchant accounts through every server that is not Express (Express 5
 * and 4 have the full set in test/core/multi-account.test.ts): the account's
 * own notification is handled with event.account, another account's key is
 * refused, an unknown account and a failing resolver get their answers.
 */
import type { AnyWebhookEvent, CredentialsContext } from '../../lib';
import { ACCOUNT_CASES, testAccount } from '../helpers/account-cases';
import { SERVER_ADAPTERS, type ProviderStem } from '../helpers/adapters';
import type { Sendable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post, type Running } from '../helpers/server';

const STEMS: Record<string, ProviderStem> = {
  pay247: 'Pay247',
  sgate: 'Sgate',
  'card-issuing': 'CardIssuing',
  'pingpong-kyb': 'PingPongKyb',
  'crypto-gateway': 'CryptoGateway',
};
const A = testAccount('2001', 0);
const B = testAccount('2002', 1);
const expressNames = new Set(EXPRESS_VERSIONS.map((express) => express.name));
const servers = SERVER_ADAPTERS.filter((server) => !expressNames.has(server.name));
const send = (url: string, n: Sendable) => post(n.target ? n.target(url) : url, n.body, n.headers);

describe.each(servers.map((server) => [server.name, server] as const))('many accounts on %s', (_name, server) => {
  describe.each(ACCOUNT_CASES.map((c) => [c.provider, c] as const))('%s', (_provider, c) => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    async function start(resolveCredentials: (account: string, ctx: CredentialsContext) => unknown) {
      const events: AnyWebhookEvent[] = [];
      const errors: string[] = [];
      const options: Record<string, unknown> = {
        resolveCredentials,
        handlerTimeoutMs: 200,
        logger: false,
        onEvent: async (event: AnyWebhookEvent) => void events.push(event),
        onError: (error: { code: string }) => void errors.push(error.code),
      };
      if (c.provider === 'pingpong-kyb') options.acceptUnsignedStatus = true;
      running = await server.serve({ stem: STEMS[c.provider], options, path: '/notify' });
      return { url: `${running.url}/notify`, events, errors };
    }

    test("each account's own notification is handled with event.account; A's key on B's notification is refused; unknown and failing lookups answered", async () => {
      const rows = new Map([[A.id, c.credentials(A)]]);
      const asked: string[] = [];
      let failing = false;
      const { url, events, errors } = await start(async (account) => {
        asked.push(account);
        if (failing) throw new Error('accounts database down');
        return rows.get(account);
      });
      failing = true;
      expect((await send(url, c.notification(A.id, A))).status).toBe(503);
      failing = false;
      expect((await send(url, c.notification(A.id, A))).status).toBe(200);
      expect((await send(url, c.notification(B.id, B))).status).toBe(401);
      rows.set(B.id, c.credentials(B));
      // B unknown a moment ago (cached as such for a few seconds), so a fresh route is not needed: A's key naming B is refused either way.
      expect((await send(url, c.notification(B.id, A))).status).toBe(401);
      expect(events.map((event) => event.account)).toEqual([A.id]);
      expect(errors).toEqual(['CREDENTIALS_UNAVAILABLE', 'ACCOUNT_UNKNOWN', expect.stringMatching(/^(ACCOUNT_UNKNOWN|SIGNATURE_MISMATCH)$/)]);
      expect(asked.every((account) => account === A.id || account === B.id)).toBe(true);
    });

    test("A's key signing a notification that names a known B: 401 SIGNATURE_MISMATCH", async () => {
      const rows = new Map([
        [A.id, c.credentials(A)],
        [B.id, c.credentials(B)],
      ]);
      const { url, events, errors } = await start(async (account) => rows.get(account));
      expect((await send(url, c.notification(B.id, A))).status).toBe(401);
      expect((await send(url, c.notification(B.id, B))).status).toBe(200);
      expect(errors).toEqual(['SIGNATURE_MISMATCH']);
      expect(events.map((event) => event.account)).toEqual([B.id]);
    });
  });
});
