export type ClaimState = 'claimed' | 'in-flight' | 'done';

/**
 * Where the pipeline records which notifications are being handled and which
 * are done. `token` identifies one claim: `renew` and `release` act only
 * while that claim still holds the key, so a request whose lock expired can
 * neither keep nor free a key another request has since claimed. `complete`
 * is the exception: work that succeeded is done, whoever holds the key now.
 */
export interface DedupStore {
  /** 'claimed': run the handler; 'in-flight': another request is running it; 'done': already handled. */
  claim(key: string, lockTtlMs: number, token: string): Promise<ClaimState>;
  /**
   * The handler is still running: extend the lock to `lockTtlMs` from now.
   * `false` when the claim is lost: the key is done, gone, or another token's.
   */
  renew(key: string, lockTtlMs: number, token: string): Promise<boolean>;
  /**
   * The handler succeeded: remember the key as done for `doneTtlMs`, even if
   * this claim's lock expired or another claim holds the key now (so that
   * claim's retry is answered 'done'). A done marker is final for its TTL.
   */
  complete(key: string, doneTtlMs: number, token: string): Promise<void>;
  /** The handler failed: forget the claim so the provider's retry runs it. Never removes a done marker. */
  release(key: string, token: string): Promise<void>;
}
