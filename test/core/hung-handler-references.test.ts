/**
 * A handler that never settles must not keep its request and response alive
 * forever: once the run is given up at hardTimeoutMs, nothing the package
 * holds (nor the `ctx` the handler holds) refers to them. Checked with
 * WeakRefs and a forced garbage collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createPay247WebhookMiddleware, type WebhookError } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { deferred, sleep } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post } from '../helpers/server';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collected(refs: WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    // WeakRefs are cleared only once the job that created or read them is over.
    await sleep(1);
    gc();
  }
  return refs.every((ref) => ref.deref() === undefined);
}

describe.each(EXPRESS_VERSIONS)('a hung handler on $name', (express) => {
  test('holds its request and response until hardTimeoutMs, and lets go of them then', async () => {
    const SECRET = 's';
    // Lives as long as the test: what a handler waiting on a pool that never answers looks like.
    const never = new Promise<never>(() => undefined);
    const abandoned = deferred();
    let givenUp = false;
    let refs: WeakRef<object>[] = [];
    const app = express.create();
    app.use((req: object, res: object, next: () => void) => {
      refs = [new WeakRef(req), new WeakRef(res)];
      next();
    });
    app.post(
      '/n',
      createPay247WebhookMiddleware({
        secret: SECRET,
        handlerTimeoutMs: 20,
        // Room for the forced collections before it, on a loaded machine.
        hardTimeoutMs: 3000,
        onError: (error: WebhookError) => {
          if (error.code !== 'HANDLER_ABANDONED') return;
          givenUp = true;
          abandoned.resolve();
        },
        // The handler's own frame keeps ctx for as long as `never` is pending.
        onEvent: async (_event, ctx) => {
          await never;
          return ctx;
        },
      }),
    );
    const server = await listen(app);
    try {
      const n = buildPay247Notification({ secret: SECRET });
      expect((await post(`${server.url}/n`, n.body as string, { ...n.headers, connection: 'close' })).status).toBe(500);
      // Answered, but the run still holds its claim, and through ctx its request.
      expect(await collected(refs.slice(0, 1))).toBe(false);
      expect(givenUp).toBe(false);
      await abandoned.promise;
      expect(await collected(refs)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
