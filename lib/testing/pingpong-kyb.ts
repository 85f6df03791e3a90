import { randomInt } from 'node:crypto';
import type { Fields } from '../body/fields';
import { pingPongKybSigningString, type PingPongKybSigningForm } from '../providers/pingpong-kyb';
import { md5Hex } from '../signing/digest';
import type { Notification } from './notification';

export interface PingPongKybSignOptions {
  /** 'trimmed' as PingPong's prose says (default), or 'untrimmed' as its reference Java signs. */
  form?: PingPongKybSigningForm;
}

/**
 * The `sign` PingPong puts on a notification: only the five signed fields,
 * each if non-blank, trimmed (or not: `form`), sorted `k=v&…`, the salt in
 * front, MD5, upper-case hex.
 */
export function signPingPongKyb(fields: Readonly<Record<string, unknown>>, salt: string, options: PingPongKybSignOptions = {}): string {
  return md5Hex(salt + pingPongKybSigningString(fields as Fields, options.form).text).toUpperCase();
}

export type PingPongKybSampleType = 'SM_KYC_REVIEW' | 'SM_STORE_REVIEW';

export interface PingPongKybNotificationOptions extends PingPongKybSignOptions {
  /** Your PingPong salt (the middleware's `secret`). */
  secret: string;
  /** Default 'SM_KYC_REVIEW'. */
  bizType?: PingPongKybSampleType;
  /** Fields to set or override on the documented sample (status, comment, reviewDetail, …). */
  fields?: Readonly<Record<string, unknown>>;
}

/** the documented sample notification of that bizType (unsigned), with a fresh bizId. */
export function samplePingPongKybFields(bizType: PingPongKybSampleType = 'SM_KYC_REVIEW'): Record<string, unknown> {
  const bizId = `SM${Date.now()}${randomInt(1e6).toString().padStart(6, '0')}`;
  const common = {
    bizId,
    bizType,
    institutionId: '2022070222130610237',
    merchantClientId: 'ws0002',
    signType: 'MD5',
    subClientId: 'SM2022071120365810274',
  };
  if (bizType === 'SM_STORE_REVIEW') {
    return { ...common, accId: bizId, comment: '上传身份证件为无关图片', merchantAccId: 'MAC10003', status: 'PENDING' };
  }
  return {
    ...common,
    comment: '请重新提交',
    reviewDetail: {
      additionalInfo: { comment: '需要传附件', needAdditionalInfos: ['银行开户许可证或银行流水', '股权架构申请', '拒付能力证明'], status: 'FAILED' },
      companyReviewResult: { comment: '证件图片有无关水印', status: 'FAILED' },
      personReviewResult: [
        { comment: '居住填写不够详细', customerId: 749, customerType: 1, idCardNumber: '123123123', status: 'FAILED' },
        { comment: '申请人未成年', customerId: 778, customerType: 2, idCardNumber: '123123123213', status: 'FAILED' },
      ],
    },
    status: 'MODIFY',
  };
}

/** A complete, correctly signed PingPong KYB notification (JSON), ready to POST. */
export function buildPingPongKybNotification(options: PingPongKybNotificationOptions): Notification {
  const fields: Record<string, unknown> = { ...samplePingPongKybFields(options.bizType), ...options.fields };
  fields.sign = signPingPongKyb(fields, options.secret, options);
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields), fields };
}
