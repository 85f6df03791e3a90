import type { WebhookError } from '../../lib';

/** The code of the WebhookError `fn` throws, or 'ok' when it returns: parser tests compare outcomes as one value. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as WebhookError).code;
  }
  return 'ok';
}
