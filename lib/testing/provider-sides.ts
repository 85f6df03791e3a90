import type { DeliveryResult } from './notification';

/**
 * How each provider judges an answer and when it retries: the provider's side
 * of the protocol, as documented (the provider's documentation). The simulator and the demo
 * use these, so a merchant sees what the real provider would do.
 */
export type ProviderName = 'sgate' | 'card-issuing' | 'pay247' | 'pingpong-kyb' | 'crypto-gateway';

/** The answer a provider judges: the same as what sendNotification returns. */
export type Answer = DeliveryResult;

export interface ProviderSide {
  provider: ProviderName;
  /** Delays before each retry, in ms; attempts in total = retries + 1. */
  retryDelaysMs: readonly number[];
  /** Whether the schedule is the provider's documented one or our default for a merchant setting. */
  scheduleSource: 'documented' | 'merchant setting (default shown)';
  /** True when the provider takes this answer as "done" and stops retrying. */
  isAcknowledged(answer: Answer): boolean;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const PROVIDER_SIDES: Readonly<Record<ProviderName, ProviderSide>> = {
  sgate: {
    provider: 'sgate',
    // 5 notifications in total, 5 s apart, while the status is not 200.
    retryDelaysMs: [5 * SECOND, 5 * SECOND, 5 * SECOND, 5 * SECOND],
    scheduleSource: 'documented',
    isAcknowledged: (a) => a.status === 200,
  },
  'card-issuing': {
    provider: 'card-issuing',
    retryDelaysMs: [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE],
    scheduleSource: 'merchant setting (default shown)',
    isAcknowledged: (a) => a.status === 200 && jsonCode(a.body) === 0,
  },
  pay247: {
    provider: 'pay247',
    // Anything but the success string: 5 more tries after 3/9/27/81/243 s.
    retryDelaysMs: [3 * SECOND, 9 * SECOND, 27 * SECOND, 81 * SECOND, 243 * SECOND],
    scheduleSource: 'documented',
    isAcknowledged: (a) => a.status === 200 && a.body.trim().toUpperCase() === 'SUCCESS',
  },
  'pingpong-kyb': {
    provider: 'pingpong-kyb',
    retryDelaysMs: [5 * SECOND, 5 * SECOND, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 3 * HOUR, 3 * HOUR],
    scheduleSource: 'documented',
    isAcknowledged: (a) => a.status >= 200 && a.status < 300 && a.body.trim() !== 'FAIL',
  },
  'crypto-gateway': {
    provider: 'crypto-gateway',
    retryDelaysMs: [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE],
    scheduleSource: 'merchant setting (default shown)',
    isAcknowledged: (a) => a.status === 200 && a.body.trim() === 'success',
  },
};

function jsonCode(body: string): unknown {
  try {
    return (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}
