/**
 * Every way to read a `k=v&k=v` string back as fields: cut it at any subset
 * of its '&', and each piece at any one of its '='. Only readings whose names
 * strictly increase can sign to the same string (the signer sorts), so only
 * those are produced; the rest would fail the signature anyway. `canSign`
 * prunes names that cannot take part (PingPong signs five names only).
 */
export type Reading = Array<[name: string, value: string]>;

export function readingsOf(text: string, canSign: (name: string) => boolean = () => true): Reading[] {
  const out: Reading[] = [];
  const walk = (start: number, previous: string | undefined, acc: Reading): void => {
    for (let end = text.indexOf('&', start); ; end = text.indexOf('&', end + 1)) {
      const stop = end === -1 ? text.length : end;
      const piece = text.slice(start, stop);
      for (let eq = piece.indexOf('='); eq !== -1; eq = piece.indexOf('=', eq + 1)) {
        const name = piece.slice(0, eq);
        if ((previous !== undefined && !(name > previous)) || !canSign(name)) continue;
        const next: Reading = [...acc, [name, piece.slice(eq + 1)]];
        if (stop === text.length) out.push(next);
        else walk(stop + 1, name, next);
      }
      if (end === -1) return;
    }
  };
  if (text !== '') walk(0, undefined, []);
  return out;
}

export function toFields(reading: Reading): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of reading) fields[name] = value;
  return fields;
}

/** What a handler could act on: the non-empty values, as PHP writes them (2 → "2"; "", null and false are empty). */
export function nonEmptyContent(fields: Readonly<Record<string, unknown>>, exclude: ReadonlySet<string>): string {
  const entries = Object.keys(fields)
    .filter((name) => !exclude.has(name))
    .map((name) => [name, phpText(fields[name])] as const)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

function phpText(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '';
  return String(value);
}
