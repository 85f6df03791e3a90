/**
 * Text made safe for one log line: control and line-separator characters
 * become a space (so a value cannot forge further lines), and it is cut to
 * `max` characters.
 */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
