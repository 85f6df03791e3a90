/**
 * Per-account credentials, remembered for a short while: a merchant's
 * resolveCredentials (a database query, say) is asked once per account per
 * TTL, not once per notification. Known and unknown accounts are kept apart,
 * each bounded, so a flood of made-up account ids neither grows memory nor
 * pushes the real accounts out. A failed lookup is never remembered: the
 * next request asks again.
 */
export interface CredentialsCacheOptions {
  /** How long a known account's credentials are kept. 0: not kept. */
  ttlMs: number;
  /** How long "no such account" is kept. 0: not kept. */
  unknownTtlMs: number;
  /** The most accounts kept, known and unknown each. */
  maxEntries: number;
  /** The clock, in ms (tests inject one). Default: Date.now. */
  now?: () => number;
}

/** A lookup's result: the account's credentials, or undefined for an account that does not exist. */
export type Lookup<C> = () => Promise<C | undefined>;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** A Map in least-recently-used order (a Map iterates in insertion order; a hit is re-inserted), cut at `max`. */
class LruMap<T> {
  readonly #entries = new Map<string, Entry<T>>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, value: T, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    while (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** What the cache holds for an account, when it holds something. */
export type Cached<C> = { known: true; credentials: C } | { known: false };

export class CredentialsCache<C> {
  readonly #known: LruMap<C>;
  readonly #unknown: LruMap<true>;
  /** Lookups under way, one per account: a burst for one account waits on one lookup. */
  readonly #loading = new Map<string, Promise<C | undefined>>();
  readonly #now: () => number;

  constructor(private readonly options: CredentialsCacheOptions) {
    this.#known = new LruMap(options.maxEntries);
    this.#unknown = new LruMap(options.maxEntries);
    this.#now = options.now ?? Date.now;
  }

  /** How many accounts are held, known and unknown (for tests and diagnostics). */
  get size(): { known: number; unknown: number } {
    return { known: this.#known.size, unknown: this.#unknown.size };
  }

  /** The fresh cached answer for `account`, without waiting; undefined when it must be looked up. */
  peek(account: string): Cached<C> | undefined {
    const now = this.#now();
    const known = this.#known.get(account, now);
    if (known !== undefined) return { known: true, credentials: known.value };
    if (this.#unknown.get(account, now) !== undefined) return { known: false };
    return undefined;
  }

  /**
   * Looks `account` up, or joins the lookup already under way for it. The
   * result is kept (credentials for ttlMs, "unknown" for unknownTtlMs); a
   * rejection is passed on and not kept.
   */
  load(account: string, lookup: Lookup<C>): Promise<C | undefined> {
    const under = this.#loading.get(account);
    if (under !== undefined) return under;
    const loading = lookup().then(
      (credentials) => {
        this.#loading.delete(account);
        this.#keep(account, credentials);
        return credentials;
      },
      (error: unknown) => {
        this.#loading.delete(account);
        throw error;
      },
    );
    this.#loading.set(account, loading);
    return loading;
  }

  #keep(account: string, credentials: C | undefined): void {
    const now = this.#now();
    if (credentials === undefined) {
      this.#known.delete(account);
      if (this.options.unknownTtlMs > 0) this.#unknown.set(account, true, now + this.options.unknownTtlMs);
      return;
    }
    this.#unknown.delete(account);
    if (this.options.ttlMs > 0) this.#known.set(account, credentials, now + this.options.ttlMs);
  }
}
