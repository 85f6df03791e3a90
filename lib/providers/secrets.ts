/** `secret: string | string[]` → a non-empty list; during a rotation any of them may match. */
export function secretList(provider: string, value: unknown, name = 'secret'): readonly string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new TypeError(`express-payment-webhooks (${provider}): ${name} must be a non-empty string or an array of them.`);
  }
  return Object.freeze([...list] as string[]);
}
