/** The ages the purge form offers: a fixed choice, nothing to parse. */
export const PURGE_AGES = [
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '1d', label: '1 day', ms: 86_400_000 },
  { value: '3d', label: '3 days', ms: 3 * 86_400_000 },
  { value: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: '30 days', ms: 30 * 86_400_000 },
  { value: '90d', label: '90 days', ms: 90 * 86_400_000 },
] as const;

export type PurgeAge = (typeof PURGE_AGES)[number];

export function purgeAge(value: unknown): PurgeAge | undefined {
  return PURGE_AGES.find((age) => age.value === value);
}
