/**
 * requirePeer: an optional peer that is not installed is named with the
 * command that installs it; any other failure to load it is passed on as it
 * is (npm install would be the wrong advice for a broken native build).
 */
import { requirePeer } from '../../lib/core/peer-dependency';

const failing = (name: string, error: Error & { code?: string }) => jest.doMock(name, () => {
  throw error;
});
const notFound = (name: string) => Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- x.js`), { code: 'MODULE_NOT_FOUND' });

afterEach(() => {
  jest.dontMock('ioredis');
  jest.dontMock('better-sqlite3');
  jest.resetModules();
});

test('an installed peer is returned', () => {
  expect(typeof requirePeer<typeof import('ioredis')>('ioredis', 'RedisInbox').Redis).toBe('function');
});

test.each([
  ['ioredis', 'RedisDedupStore'],
  ['better-sqlite3', 'SqliteInbox'],
] as const)('%s not installed: the error names the feature and the install command, and keeps the cause', (peer, feature) => {
  const cause = notFound(peer);
  failing(peer, cause);
  let thrown: unknown;
  try {
    requirePeer(peer, feature);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toEqual(new Error(`express-payment-webhooks: ${feature} needs the package "${peer}", which is not installed. Install it with: npm install ${peer}`));
  expect((thrown as Error).cause).toBe(cause);
});

test.each([
  ['a module of its own that is missing', notFound('cluster-key-slot')],
  ['a native build for another Node', Object.assign(new Error('The module was compiled against a different Node.js version'), { code: 'ERR_DLOPEN_FAILED' })],
  ['an error while it loads', new TypeError('boom')],
])('any other failure (%s) is passed on unchanged', (_what, error) => {
  failing('better-sqlite3', error);
  let thrown: unknown;
  try {
    requirePeer('better-sqlite3', 'SqliteInbox');
  } catch (caught) {
    thrown = caught;
  }
  expect(thrown).toBe(error);
});
