/** A notification as a provider would POST it. */
export interface Notification {
  headers: Record<string, string>;
  body: string;
  /** The fields it carries, for assertions. */
  fields: Record<string, unknown>;
}

/** `application/x-www-form-urlencoded`, as PHP's http_build_query writes it. */
export function encodeForm(fields: Readonly<Record<string, string | number | null>>): string {
  return Object.keys(fields)
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(fields[key] ?? '')).replace(/%20/g, '+')}`)
    .join('&');
}

/** The answer a notification got. */
export interface DeliveryResult {
  status: number;
  body: string;
}

/** POSTs a notification to a URL (the merchant's endpoint) and returns the answer. */
export async function sendNotification(url: string, notification: Pick<Notification, 'headers' | 'body'>, init: { signal?: AbortSignal } = {}): Promise<DeliveryResult> {
  const response = await fetch(url, { method: 'POST', headers: notification.headers, body: notification.body, signal: init.signal });
  return { status: response.status, body: await response.text() };
}

/** `<response><k>v</k>…</response>`, text escaped, as the crypto gateway writes XML. */
export function encodeXmlResponse(fields: Readonly<Record<string, string | number | null>>): string {
  let xml = '<response>';
  for (const key of Object.keys(fields)) xml += `<${key}>${escapeXmlText(String(fields[key] ?? ''))}</${key}>`;
  return `${xml}</response>`;
}

function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
