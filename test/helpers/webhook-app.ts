/**
 * The harness most middleware tests share: an Express app with the
 * middleware mounted, served on a free loopback port, and everything it did
 * recorded (events handled, errors reported, lines logged). Apps started in
 * a test are closed after it.
 */
import type { AnyWebhookEvent, WebhookError, WebhookLogger, WebhookMiddleware } from '../../lib';
import { EXPRESS_VERSIONS, type ExpressVersion } from './express-versions';
import { listen, type Running } from './server';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  line: string;
}

/** A logger that keeps its lines. */
export function recordingLogger(lines: LogLine[] = []): WebhookLogger & { lines: LogLine[] } {
  return {
    lines,
    info: (line: string) => void lines.push({ level: 'info', line }),
    warn: (line: string) => void lines.push({ level: 'warn', line }),
    error: (line: string) => void lines.push({ level: 'error', line }),
  };
}

export interface Recorder<E extends AnyWebhookEvent = AnyWebhookEvent> {
  events: E[];
  errors: WebhookError[];
  lines: LogLine[];
  /** onEvent, onError and logger that record into the arrays above: spread them into the middleware's options. */
  options: { onEvent: (event: E) => void; onError: (error: WebhookError) => void; logger: WebhookLogger };
}

export interface StartedApp<E extends AnyWebhookEvent> extends Recorder<E> {
  /** The middleware's URL. */
  url: string;
  /** The server's origin, for other routes of the app. */
  origin: string;
}

export interface StartOptions {
  /** Where the middleware is mounted. Default '/notify'. */
  path?: string;
  /** `app.post(path, …)` (default), `app.use(…)` without a path, or your own, returning the path it mounted at. */
  mount?: 'post' | 'use' | ((app: any, middleware: WebhookMiddleware) => string);
  /** Runs before the middleware is mounted (other middlewares, routes). */
  setup?: (app: any) => void;
  express?: ExpressVersion;
}

/** Call at the top of a describe block; `start` serves one app per call. */
export function webhookApps() {
  const running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });

  return async function start<E extends AnyWebhookEvent = AnyWebhookEvent>(
    create: (recorder: Recorder<E>) => WebhookMiddleware,
    { path = '/notify', mount = 'post', setup, express = EXPRESS_VERSIONS[0] }: StartOptions = {},
  ): Promise<StartedApp<E>> {
    const recorder = newRecorder<E>();
    const app = express.create();
    setup?.(app);
    const middleware = create(recorder);
    let at = path;
    if (typeof mount === 'function') at = mount(app, middleware);
    else if (mount === 'use') app.use(middleware);
    else app.post(path, middleware);
    const server = await listen(app);
    running.push(server);
    return { ...recorder, url: `${server.url}${at}`, origin: server.url };
  };
}

function newRecorder<E extends AnyWebhookEvent>(): Recorder<E> {
  const events: E[] = [];
  const errors: WebhookError[] = [];
  const logger = recordingLogger();
  return {
    events,
    errors,
    lines: logger.lines,
    options: { onEvent: (event) => void events.push(event), onError: (error) => void errors.push(error), logger },
  };
}
