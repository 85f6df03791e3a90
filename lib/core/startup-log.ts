import { logNotice, resolveLogger, type WebhookLogger } from './log';
import type { WebhookOptions } from './options';

/**
 * The middleware's logger (option `logger`), after the notices worth one line
 * at startup. Called once per middleware.
 */
export function startupLog(provider: string, options: Pick<WebhookOptions<never>, 'logger' | 'store' | 'inbox'>): WebhookLogger | undefined {
  const where = `express-payment-webhooks (${provider})`;
  const logger = resolveLogger(where, options.logger);
  // With an inbox, its storage recognises a provider's retry however late; without either, only this process's memory does.
  if (process.env.NODE_ENV === 'production' && options.store === undefined && options.inbox === undefined) {
    logNotice(
      logger,
      where,
      'warn',
      'no store given: duplicates are only caught within this process\'s lifetime (not after a restart, not across instances). Give store: new RedisDedupStore({ url }) to catch them everywhere.',
    );
  }
  return logger;
}
