import { randomUUID } from 'node:crypto';

/**
 * Unique across every process sharing a store or an inbox: a random prefix
 * per process and a counter. What a dedup claim and a lease taken as its
 * entry is stored are identified by; a randomUUID for each costs more than
 * the memory store's whole claim.
 */
const PROCESS_PREFIX = randomUUID();
let issued = 0;

export function nextUniqueToken(): string {
  return `${PROCESS_PREFIX}.${(++issued).toString(36)}`;
}
