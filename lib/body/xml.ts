import { WebhookError } from '../core/errors';
import type { FlatFields } from './fields';

/** XML bodies arrive with the crypto gateway provider (see its issue); no provider accepts XML yet. */
export function parseXmlResponse(_text: string): FlatFields {
  throw new WebhookError('UNSUPPORTED_MEDIA_TYPE', 'XML bodies are not supported by this provider.');
}
