/** What a merchant's `onEvent` receives, whatever the provider. */
export interface WebhookEvent<P extends string = string, T extends string = string, D = unknown> {
  provider: P;
  /** The dedup key: the same notification delivered again has the same id. */
  id: string;
  type: T;
  /** The provider's fields as sent: strings stay strings ("100.0000" stays "100.0000"). */
  data: D;
  /** Top-level fields the provider's signature covers ([] where nothing is signed). */
  signedFields: readonly string[];
  receivedAt: Date;
}

/** Any provider's event; used where the pipeline does not care which. */
export type AnyWebhookEvent = WebhookEvent<string, string, unknown>;

export interface HandlerContext<Req = unknown> {
  /**
   * Aborted when `handlerTimeoutMs` passes: the provider has been told "not done".
   * Made on first read (a getter): use `ctx.signal` or destructure; `{ ...ctx }` does not copy it.
   */
  signal: AbortSignal;
  /** The framework's request object (Express: `req`). */
  req: Req;
}
