/**
 * The provider's side, for merchants' own tests: sign fields the way each
 * provider does, build complete notifications, and send them.
 */
export { encodeForm, sendNotification, type Notification, type DeliveryResult } from './notification';
export {
  signPay247,
  buildPay247Notification,
  samplePay247Fields,
  samplePay247CurrentFields,
  type Pay247Format,
  type Pay247SignOptions,
  type Pay247NotificationOptions,
} from './pay247';
export { PROVIDER_SIDES, type ProviderSide, type ProviderName, type Answer } from './provider-sides';
export { deliverLikeProvider, type Attempt, type DeliveryOptions, type DeliveryReport } from './deliver';
export {
  signSgateHeaders,
  encryptSgateField,
  buildSgateNotification,
  sampleSgateData,
  sampleSgateCustomer,
  type SgateSignOptions,
  type SgateNotificationOptions,
} from './sgate';
export { sgateSigningData, type SgateSigningInput } from '../providers/sgate';
export {
  buildCardIssuingNotification,
  sampleCardIssuingCard,
  cardIssuingCallbackUrl,
  type CardIssuingNotificationOptions,
} from './card-issuing';
export { encodeXmlResponse } from './notification';
export {
  signPingPongKyb,
  buildPingPongKybNotification,
  samplePingPongKybFields,
  type PingPongKybNotificationOptions,
  type PingPongKybSignOptions,
  type PingPongKybSampleType,
} from './pingpong-kyb';
export {
  signCryptoGateway,
  buildCryptoGatewayNotification,
  sampleCryptoGatewayFields,
  type CryptoGatewaySignOptions,
  type CryptoGatewayNotificationOptions,
  type CryptoGatewaySampleType,
} from './crypto-gateway';
export {
  buildProviderNotification,
  describeNotification,
  SimulatorUsageError,
  SIMULATOR_VARIANTS,
  type SimulatedNotificationOptions,
  type SimulatedNotification,
  type ProviderVariants,
} from './simulated-notification';
export {
  simulateProvider,
  withRetrySchedule,
  describeAnswer,
  summarizeDeliveries,
  type SimulationOptions,
  type SimulationReport,
  type DeliverySummary,
} from './simulate';
