/**
 * Compiled, never run (test/types/types.test.ts): what narrows and what must
 * not. Each `@ts-expect-error` must meet an error, or tsc fails (TS2578).
 */
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  isEventType,
  type CardIssuingEvent,
  type CryptoGatewayEvent,
  type KnownEventType,
  type Pay247Event,
  type PingPongKybEvent,
  type SgateEvent,
  type UnlistedEventType,
} from '../../lib';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Equal<A, B>) => proof;

export function pay247(event: Pay247Event): string {
  switch (event.type) {
    case 'payout.failed':
      return event.data.remarks;
    case 'payout.succeeded': {
      const status: 2 | '2' = event.data.status;
      return String(status);
    }
    default:
      // @ts-expect-error only a failed payout's status is 3
      return (event.data.status satisfies 3 | '3').toString();
  }
}

export function cryptoGateway(event: CryptoGatewayEvent): string {
  switch (event.type) {
    case 'recharge':
      return event.data.address + event.data.fromaddr;
    case 'transfer':
      // @ts-expect-error a withdrawal has no receiving address
      return event.data.toaddr + event.data.address;
    default: {
      const tag: string = event.type;
      // @ts-expect-error an unlisted type's fields are not a deposit's: `address` may be absent
      const address: string = event.data.address;
      return tag + address;
    }
  }
}

export function cryptoGatewayIf(event: CryptoGatewayEvent): string {
  if (event.type === 'recharge' && event.data.status === '1') return event.data.address;
  if (event.type === 'transfer') return event.data.toaddr;
  // A tag the package does not list is compared as a string...
  if ((event.type as string) === 'withdraw') return String(event.data.status);
  // @ts-expect-error ...not as one of the listed tags (it is none of them)
  if (event.type === 'withdraw') return '';
  return '';
}

export function cardIssuing(event: CardIssuingEvent): string {
  switch (event.type) {
    case 'card.status.freeze':
    case 'card.status.lost':
      return event.data.card_id;
    default: {
      // @ts-expect-error an unlisted notification's fields are JSON values, not a card
      const cardId: string = event.data.card_id;
      return cardId;
    }
  }
}

export function sgate(event: SgateEvent): string {
  switch (event.type) {
    case 'CUSTOM_STATUS_CHANGE':
      return event.data.customid;
    case 'SALARY_STATUS_CHANGE':
      // @ts-expect-error a payout order has no Arabic name (a customer does)
      return event.data.ticketid + event.data.name_a;
    case 'OFFLINE_TRANSFER_NOTIFICATION':
    case 'RECEIVING_TRANS_NOTIFICATION':
      return event.data.uuid;
    default:
      // @ts-expect-error an unlisted event's data may be an array, not a customer
      return event.data.customid;
  }
}

export function pingPongKyb(event: PingPongKybEvent): string {
  switch (event.type) {
    case 'SM_STORE_REVIEW':
      return event.data.accId + event.data.merchantAccId;
    case 'SM_KYC_REVIEW': {
      const bizType: 'SM_KYC_REVIEW' = event.data.bizType;
      // @ts-expect-error a KYC review has no store account
      return bizType + event.data.accId.length;
    }
    default: {
      // @ts-expect-error an unlisted review may have no store account
      const accId: string = event.data.accId;
      return accId;
    }
  }
}

// isEventType takes the listed types only, and narrows as switch does.
export function guards(events: CryptoGatewayEvent[], cards: CardIssuingEvent[]): string[] {
  same<KnownEventType<CryptoGatewayEvent>, 'recharge' | 'transfer'>(true);
  same<KnownEventType<PingPongKybEvent>, 'SM_KYC_REVIEW' | 'SM_STORE_REVIEW'>(true);
  same<Extract<CryptoGatewayEvent['type'], UnlistedEventType>, UnlistedEventType>(true);
  // @ts-expect-error the fallback's type is not a listed one
  isEventType(events[0], 'withdraw');
  const frozen = cards.filter((event) => isEventType(event, 'card.status.freeze')).map((event) => event.data.card_id);
  return [...frozen, ...events.filter((event) => isEventType(event, 'transfer')).map((event) => event.data.toaddr)];
}

// In the factories' options, ctx.req and onError's req are Express' Request (undefined for inbox deliveries).
export const middlewares = [
  createPay247WebhookMiddleware({
    secret: 'k',
    onEvent: async (event, ctx) => {
      const agent: string | undefined = ctx.req?.get('user-agent');
      const path: string | undefined = ctx.req?.path;
      // @ts-expect-error the request is undefined when the event comes from the inbox
      ctx.req.get('user-agent');
      return [event.id, agent, path];
    },
    onError: (error, req) => void [error.code, req?.get('user-agent'), req?.ip],
    confirm: async (_event, ctx) => ctx.req?.is('json') !== false,
  }),
  createSgateWebhookMiddleware({ publicKey: 'k', apiKey: 'a', privateKey: 'p', onEvent: async (_event, ctx) => ctx.req?.get('x-sgate-signature') }),
  createCardIssuingWebhookMiddleware({ secret: 'k'.repeat(16), onEvent: async (_event, ctx) => ctx.req?.get('x-webhook-token') }),
  createPingPongKybWebhookMiddleware({ secret: 'k', onEvent: async (_event, ctx) => ctx.req?.get('x') }),
  createCryptoGatewayWebhookMiddleware({ secret: 'k', onEvent: async (_event, ctx) => ctx.req?.originalUrl.length }),
];
