export type ClaimState = 'claimed' | 'in-flight' | 'done';

/**
 * Where the pipeline records which notifications are being handled and which
 * are done. `token` identifies one claim: `complete` and `release` act only
 * while that claim still holds the key, so a request whose lock expired can
 * neither mark done nor free a key another request has since claimed.
 */
export interface DedupStore {
  /** 'claimed': run the handler; 'in-flight': another request is running it; 'done': already handled. */
  claim(key: string, lockTtlMs: number, token: string): Promise<ClaimState>;
  /** The handler finished: remember the key as done for `doneTtlMs`. */
  complete(key: string, doneTtlMs: number, token: string): Promise<void>;
  /** The handler failed: forget the claim so the provider's retry runs it. */
  release(key: string, token: string): Promise<void>;
}
