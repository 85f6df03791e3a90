/**
 * Every server the package supports, each a real one on a loopback port:
 * the same provider and options served through each adapter, so one table
 * of answers runs against all of them.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as root from '../../lib';
import * as fastifyAdapter from '../../lib/fastify';
import * as fetchAdapter from '../../lib/fetch';
import * as koaAdapter from '../../lib/koa';
import * as nodeAdapter from '../../lib/node';
import { EXPRESS_VERSIONS } from './express-versions';
import { bridgedClientIp, fetchBridge } from './fetch-bridge';
import { listen, type Running } from './server';

/** The part of the factory names that names the provider: create<Stem>WebhookMiddleware / create<Stem>WebhookHandler. */
export type ProviderStem = 'Pay247' | 'Sgate' | 'CardIssuing' | 'PingPongKyb' | 'CryptoGateway';

export interface Route {
  stem: ProviderStem;
  /** The provider's options (secret, onEvent, …). */
  options: Record<string, unknown>;
  /** Where the handler is mounted; every method is routed to it. */
  path: string;
  /** Read the whole body before the webhook handler runs, keeping nothing of it. */
  consumeBodyFirst?: boolean;
}

export interface ServerAdapter {
  name: string;
  /** Express: a request that is not a POST goes on to the app's next route (which answers 404 with NEXT_ROUTE). */
  otherMethodsGoOn?: boolean;
  serve(route: Route): Promise<Running>;
}

/** What the Express apps' route after the webhook answers. */
export const NEXT_ROUTE = 'next route';

type Factory = (options: any, ...rest: any[]) => any;
const factory = (module: object, name: string): Factory => (module as Record<string, Factory>)[name];

/** Reads a Node request to its end, as a body reader that keeps nothing would. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on('data', () => undefined);
    req.on('end', () => resolve());
  });
}

const expressAdapters: ServerAdapter[] = EXPRESS_VERSIONS.map((express) => ({
  name: express.name,
  otherMethodsGoOn: true,
  serve: (route) => {
    const app = express.create();
    if (route.consumeBodyFirst) app.use((req: IncomingMessage, _res: unknown, next: () => void) => void drain(req).then(next));
    app.all(route.path, factory(root, `create${route.stem}WebhookMiddleware`)(route.options));
    app.all(route.path, (_req: unknown, res: any) => res.status(404).send(NEXT_ROUTE));
    return listen(app);
  },
}));

const nodeHttp: ServerAdapter = {
  name: 'node:http',
  serve: (route) => {
    const listener = factory(nodeAdapter, `create${route.stem}WebhookHandler`)(route.options);
    return listen(async (req: IncomingMessage, res: any) => {
      if (!(req.url ?? '').startsWith(route.path)) return void res.writeHead(404).end();
      if (route.consumeBodyFirst) await drain(req);
      listener(req, res);
    });
  },
};

const fetchApi: ServerAdapter = {
  name: 'Fetch API',
  serve: (route) => {
    const handler = factory(fetchAdapter, `create${route.stem}WebhookHandler`)(route.options, { clientIp: (request: Request) => bridgedClientIp.get(request) });
    const readFirst = route.consumeBodyFirst ? async (request: Request) => void (await request.arrayBuffer()) : undefined;
    return listen(fetchBridge(handler, readFirst));
  },
};

const fastifyServer: ServerAdapter = {
  name: 'Fastify',
  serve: async (route) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Fastify = require('fastify') as typeof import('fastify').default;
    const app = Fastify({ forceCloseConnections: true });
    if (route.consumeBodyFirst) app.addHook('onRequest', (request, _reply, done) => void drain(request.raw).then(() => done()));
    await app.register(factory(fastifyAdapter, `create${route.stem}WebhookHandler`)(route.options), { path: route.path });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
  },
};

const koaServer: ServerAdapter = {
  name: 'Koa',
  serve: (route) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Koa = require('koa') as typeof import('koa');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Router } = require('@koa/router') as typeof import('@koa/router');
    const app = new Koa();
    const router = new Router();
    if (route.consumeBodyFirst) app.use(async (ctx, next) => {
      await drain(ctx.req);
      await next();
    });
    router.all(route.path, factory(koaAdapter, `create${route.stem}WebhookHandler`)(route.options));
    app.use(router.routes());
    return listen(app.callback());
  },
};

export const SERVER_ADAPTERS: ServerAdapter[] = [...expressAdapters, nodeHttp, fetchApi, fastifyServer, koaServer];
