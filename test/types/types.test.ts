/**
 * The public types, compiled as a merchant's strict project compiles them:
 * event-narrowing.types.ts says what narrows (switch, ===, isEventType, for
 * every provider) and, with `@ts-expect-error`, what must not; adapters.types.ts
 * that ctx.req is each server's own request object.
 */
import { typeCheck } from './compile';

test('switch (event.type) narrows event.data for every provider, and ctx.req is Express in the factories', () => {
  expect(typeCheck({}, ['test/types/event-narrowing.types.ts']).diagnostics).toEqual([]);
}, 60_000);

test("ctx.req is each server's own request: Request, IncomingMessage, the Koa Context, the FastifyRequest", () => {
  expect(typeCheck({}, ['test/types/adapters.types.ts']).diagnostics).toEqual([]);
}, 60_000);
