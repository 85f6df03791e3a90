/**
 * An ioredis client of the merchant's, as the options of RedisDedupStore and
 * RedisInbox type it: a shape, not ioredis' own type, so that the package's
 * declarations compile in apps without ioredis (an optional peer), with
 * `skipLibCheck` off too. Every ioredis `Redis` has it.
 */
export interface IoredisClient {
  readonly status: string;
  evalsha(...args: never[]): unknown;
  quit(...args: never[]): unknown;
  disconnect(...args: never[]): unknown;
}
