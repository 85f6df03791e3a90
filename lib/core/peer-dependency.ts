/** The optional peer dependencies: each is needed only by the features that name it. */
export type OptionalPeer = 'ioredis' | 'better-sqlite3';

/**
 * Loads an optional peer dependency when a feature is first used, so that
 * the package's main entry never requires it and apps without that feature
 * need not install it. When it is not installed the error says which
 * feature needs it and how to install it; any other failure to load it (a
 * native build for another Node version, a broken install) is passed on
 * as it is, since "npm install" would be the wrong advice.
 */
export function requirePeer<T>(name: OptionalPeer, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    throw notInstalled(error, name, feature);
  }
}

/**
 * Checks that an optional peer is installed without loading it, for a
 * feature that loads it elsewhere (the SQLite inbox, on its own thread):
 * the same error as requirePeer, said where the feature is set up.
 */
export function assertPeerInstalled(name: OptionalPeer, feature: string): void {
  try {
    require.resolve(name);
  } catch (error) {
    throw notInstalled(error, name, feature);
  }
}

function notInstalled(error: unknown, name: OptionalPeer, feature: string): unknown {
  if (!isNotFound(error, name)) return error;
  return new Error(`express-payment-webhooks: ${feature} needs the package "${name}", which is not installed. Install it with: npm install ${name}`, {
    cause: error,
  });
}

/** Whether `error` says that `name` itself was not found (not one of its own imports). */
function isNotFound(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.startsWith(`Cannot find module '${name}'`);
}
