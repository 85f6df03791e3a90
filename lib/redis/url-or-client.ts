/**
 * Redis-backed classes take `url` or `client`, exactly one. The message says
 * which is wrong: an unset environment variable (`url: process.env.REDIS_URL`)
 * is the usual way to end up with neither.
 */
export function requireUrlOrClient(where: string, options: { url?: unknown; client?: unknown }): void {
  const { url, client } = options;
  if (url !== undefined && client !== undefined) throw new TypeError(`${where}: give either url or client, not both.`);
  if (url !== undefined || client !== undefined) return;
  const missing = 'url' in options ? 'url is undefined (is the environment variable it comes from set?)' : 'url or client is missing';
  throw new TypeError(`${where}: ${missing}: give url: 'redis://127.0.0.1:6379', or client: an ioredis client.`);
}
