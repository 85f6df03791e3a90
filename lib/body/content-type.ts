import { WebhookError } from '../core/errors';

export type BodyFormat = 'json' | 'form' | 'xml';

/** The media types one provider sends, each with the parser it needs. */
export type MediaTypes = Readonly<Record<string, BodyFormat>>;

/**
 * Picks the parser from the Content-Type. Only what the provider is documented
 * to send is accepted, and only in UTF-8: anything else is a 415, never a guess.
 */
export function formatFor(contentType: string | undefined, accepted: MediaTypes): BodyFormat {
  if (contentType === undefined || contentType === '') {
    throw new WebhookError('UNSUPPORTED_MEDIA_TYPE', 'The request has no Content-Type.');
  }
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const format = Object.hasOwn(accepted, mediaType) ? accepted[mediaType] : undefined;
  if (format === undefined) {
    throw new WebhookError('UNSUPPORTED_MEDIA_TYPE', `This provider never sends Content-Type "${mediaType.slice(0, 80)}".`);
  }
  if (semicolon !== -1) assertUtf8Charset(contentType.slice(semicolon + 1));
  return format;
}

function assertUtf8Charset(parameters: string): void {
  for (const parameter of parameters.split(';')) {
    const eq = parameter.indexOf('=');
    if (eq === -1) continue;
    if (parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = parameter.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new WebhookError('UNSUPPORTED_MEDIA_TYPE', `Unsupported charset "${charset.slice(0, 40)}": only UTF-8 is accepted.`);
    }
  }
}
