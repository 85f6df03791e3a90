import type { MeterProvider } from '@opentelemetry/api';
import type { InboxCount, InboxState } from '../inbox/inbox';
import { ATTR, METRIC, SCOPE } from './attributes';
import { metricsRecorded } from './instruments';
import { otelApi } from './otel-api';

interface Counted {
  counts(): Promise<InboxCount[]>;
}

const STATES: readonly InboxState[] = ['pending', 'dead', 'done'];
const observed = new Set<Counted>();
let observedOn: MeterProvider | undefined;

/**
 * `webhook.inbox.entries`: the entries of every open inbox by provider and
 * state, read when the app's metric reader collects (a Prometheus scrape).
 * Called when an inbox opens and again as it works, since the app may
 * register its meter provider after the inbox was made. Returns the undo.
 */
export function observeInbox(inbox: Counted): () => void {
  observed.add(inbox);
  watchProvider();
  return () => observed.delete(inbox);
}

/** Makes the gauge on the app's current meter provider, once per provider. */
export function watchProvider(): void {
  const otel = otelApi();
  if (otel === undefined || observed.size === 0) return;
  const provider = otel.metrics.getMeterProvider();
  if (provider === observedOn || !metricsRecorded(otel)) return;
  observedOn = provider;
  const gauge = provider.getMeter(SCOPE).createObservableGauge(METRIC.inboxEntries, {
    unit: '{notification}',
    description: 'Inbox entries by provider and state (pending includes those waiting for a retry; dead: dead letters).',
  });
  gauge.addCallback(async (result) => {
    for (const inbox of observed) {
      let counts: InboxCount[];
      try {
        counts = await inbox.counts();
      } catch {
        // Storage down: no points this time (the outage is reported by the inbox itself).
        continue;
      }
      // Every state of every provider seen, zeros included: a gauge that stops reporting reads as stale, not as 0.
      for (const provider of new Set(counts.map((c) => c.provider))) {
        for (const state of STATES) {
          const count = counts.find((c) => c.provider === provider && c.state === state)?.count ?? 0;
          result.observe(count, { [ATTR.provider]: provider, [ATTR.inboxState]: state });
        }
      }
    }
  });
}
