import { createHash } from 'node:crypto';

/**
 * The advisory-lock key of one notification key in one table: 64 bits of a
 * SHA-256, as the decimal text of a signed bigint (PostgreSQL's advisory
 * locks take one bigint). Two keys sharing a lock is possible but harmless:
 * one of them is answered "in flight" and retried a moment later.
 */
export function advisoryKey(table: string, key: string): string {
  return createHash('sha256').update(table).update('\0').update(key).digest().readBigInt64BE(0).toString();
}
