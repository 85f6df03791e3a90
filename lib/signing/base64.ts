const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard, padded base64 strictly. `Buffer.from(text, 'base64')`
 * silently skips characters it does not know, so garbage would decode to
 * something; here it decodes to nothing.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text === '' || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
