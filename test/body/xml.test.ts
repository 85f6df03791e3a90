import { parseXmlResponse } from '../../lib/body/xml';
import { WebhookError } from '../../lib';
import { CRYPTO_DEPOSIT_XML as DEPOSIT, CRYPTO_TRANSFER_XML as TRANSFER } from '../fixtures/provider-samples';

function refusal(text: string): { code: string; status: number } {
  try {
    parseXmlResponse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError);
    const { code, status } = error as WebhookError;
    return { code, status };
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseXmlResponse', () => {
  test('the documented deposit sample: every field, as a string, exactly as written', () => {
    const fields = parseXmlResponse(DEPOSIT);
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect({ ...fields }).toEqual({
      appkey: 'cbadf3d59e287036d5b71eba9af153f4',
      balance: '0.9900000000000000',
      ordid: '9571222555',
      symbol: 'FIL',
      address: 'f1trzl2fkdk7uu3jkmi63pw5zog25d3ktwsnhgbna',
      txid: 'bafy2bzacebi6prnvanvosowzf67csila37i43gdf3a6xhfce6ry7b3fedmwgu',
      type: 'recharge',
      timestamp: '1634023758',
      status: '1',
      fromaddr: 'f1wqr44i6tav4qkp32y3xaz2irs6py7eyuwjitp6i',
    });
  });

  test('the documented transfer sample: the empty <ordid> is ""', () => {
    const fields = parseXmlResponse(TRANSFER);
    expect(fields.ordid).toBe('');
    expect(fields.balance).toBe('0.1268300000000000');
    expect(Object.keys(fields)).toHaveLength(10);
  });

  test('values are not trimmed or normalised: they are what is signed', () => {
    const fields = parseXmlResponse('<response><a> x  y </a><b>\n\t</b><c> </c><d/></response>');
    expect({ ...fields }).toEqual({ a: ' x  y ', b: '\n\t', c: ' ', d: '' });
  });

  test('formatting whitespace between fields, a leading UTF-8 declaration and a BOM are fine', () => {
    const text = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <a>1</a>\n  <b>2</b>\n</response>\n';
    expect({ ...parseXmlResponse(text) }).toEqual({ a: '1', b: '2' });
    expect({ ...parseXmlResponse("<?xml version='1.0'?><response><a>1</a></response>") }).toEqual({ a: '1' });
  });

  test('character references and CDATA give their text, as XML defines', () => {
    const fields = parseXmlResponse('<response><a>&amp;&lt;&#20013;&#x6587;</a><b><![CDATA[x<y&z]]></b><c>1<![CDATA[2]]>3</c><d><![CDATA[ ]]></d></response>');
    expect({ ...fields }).toEqual({ a: '&<中文', b: 'x<y&z', c: '123', d: ' ' });
  });

  test('a CDATA section may contain what would otherwise be refused markup', () => {
    expect(parseXmlResponse('<response><a><![CDATA[<!DOCTYPE x><?pi?>]]></a></response>').a).toBe('<!DOCTYPE x><?pi?>');
  });

  test('<response/> and whitespace-only <response> have no fields', () => {
    expect(Object.keys(parseXmlResponse('<response/>'))).toEqual([]);
    expect(Object.keys(parseXmlResponse('<response>\n</response>'))).toEqual([]);
  });

  const XXE = '<?xml version="1.0"?><!DOCTYPE response [<!ENTITY x SYSTEM "file:///etc/passwd">]><response><a>&x;</a></response>';
  const LAUGHS =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><response><a>&lol2;</a></response>';

  test.each([
    ['a DOCTYPE with an external entity (XXE)', XXE, 'BODY_MALFORMED'],
    ['a billion-laughs DOCTYPE', LAUGHS, 'BODY_MALFORMED'],
    ['a bare DOCTYPE', '<!DOCTYPE response><response><a>1</a></response>', 'BODY_MALFORMED'],
    ['a lower-case doctype', '<!doctype response><response><a>1</a></response>', 'BODY_MALFORMED'],
    ['a DOCTYPE after "< "', '< !DOCTYPE response><response><a>1</a></response>', 'BODY_MALFORMED'],
    ['an ENTITY declaration outside a DOCTYPE', '<!ENTITY x "y"><response><a>1</a></response>', 'BODY_MALFORMED'],
    ['an ENTITY declaration inside the root', '<response><!ENTITY x "y"><a>1</a></response>', 'BODY_MALFORMED'],
    ['an undeclared entity', '<response><a>&x;</a></response>', 'BODY_MALFORMED'],
    ['a comment', '<response><a>1<!-- x -->2</a></response>', 'BODY_MALFORMED'],
    ['a processing instruction', '<response><a>1<?pi x?>2</a></response>', 'BODY_MALFORMED'],
    ['a stylesheet instruction at the start', '<?xml-stylesheet href="x"?><response><a>1</a></response>', 'BODY_MALFORMED'],
    ['an XML declaration not at the start', '<response><?xml version="1.0"?><a>1</a></response>', 'BODY_MALFORMED'],
    ['an unterminated CDATA section', '<response><a><![CDATA[1</a></response>', 'BODY_MALFORMED'],
    ['a repeated element', '<response><status>1</status><status>2</status></response>', 'BODY_INVALID'],
    ['a nested element', '<response><a><b>1</b></a></response>', 'BODY_INVALID'],
    ['text mixed with an element', '<response><a>x<b>1</b></a></response>', 'BODY_INVALID'],
    ['text between fields', '<response>x<a>1</a></response>', 'BODY_INVALID'],
    ['text as the whole root', '<response>1</response>', 'BODY_INVALID'],
    ['an attribute on a field', '<response><a x="1">1</a></response>', 'BODY_INVALID'],
    ['an attribute on the root', '<response x="1"><a>1</a></response>', 'BODY_INVALID'],
    ['a namespace declaration', '<response xmlns="urn:x"><a>1</a></response>', 'BODY_INVALID'],
    ['another root element', '<xml><a>1</a></xml>', 'BODY_INVALID'],
    ['a prefixed root element', '<x:response xmlns:x="urn:x"><a>1</a></x:response>', 'BODY_INVALID'],
    ['an empty document', '', 'BODY_MALFORMED'],
    ['a whitespace-only document', ' \n ', 'BODY_MALFORMED'],
    ['a truncated document', DEPOSIT.slice(0, -5), 'BODY_MALFORMED'],
    ['a document cut inside a tag', '<response><a>1</a><b', 'BODY_MALFORMED'],
    ['an unclosed field', '<response><a>1</response>', 'BODY_MALFORMED'],
    ['two roots', `${DEPOSIT}${DEPOSIT}`, 'BODY_MALFORMED'],
    ['a second, different root', `${DEPOSIT}\n<x/>`, 'BODY_MALFORMED'],
    ['text after the root', `${DEPOSIT}x`, 'BODY_MALFORMED'],
    ['text before the root', `x${DEPOSIT}`, 'BODY_MALFORMED'],
    ['JSON', '{"a":"1"}', 'BODY_MALFORMED'],
    ['an element named __proto__', '<response><__proto__>1</__proto__></response>', 'BODY_MALFORMED'],
    ['an element named constructor', '<response><constructor>1</constructor></response>', 'BODY_MALFORMED'],
    ['an element named prototype', '<response><prototype>1</prototype></response>', 'BODY_MALFORMED'],
    ['an element named toString', '<response><toString>1</toString></response>', 'BODY_MALFORMED'],
    ['an element named hasOwnProperty', '<response><a>1</a><hasOwnProperty>1</hasOwnProperty></response>', 'BODY_MALFORMED'],
  ])('refuses %s with a 400', (_name, text, code) => {
    expect(refusal(text)).toEqual({ code, status: 400 });
  });

  test('an XML declaration naming another encoding is a 415', () => {
    expect(refusal('<?xml version="1.0" encoding="GBK"?><response><a>1</a></response>')).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
  });

  test('no prototype is ever touched, and a refusal leaves the parser ready for the next document', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const name of ['__proto__', 'constructor', 'prototype', 'polluted']) {
      try {
        parseXmlResponse(`<response><${name}><polluted>yes</polluted></${name}></response>`);
      } catch {
        // refused: that is the point
      }
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Each refusal above and the two-roots case must not leak state into the next parse.
    expect(() => parseXmlResponse(`${DEPOSIT}${DEPOSIT}`)).toThrow(WebhookError);
    expect(parseXmlResponse(TRANSFER).type).toBe('transfer');
    expect(() => parseXmlResponse(DEPOSIT.slice(0, 40))).toThrow(WebhookError);
    expect(parseXmlResponse(DEPOSIT).type).toBe('recharge');
  });
});
