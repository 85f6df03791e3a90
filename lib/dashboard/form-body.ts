import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';

/** A posted form's fields: only own string values count, whatever parsed the body. */
export interface FormFields {
  get(name: string): string | undefined;
  getAll(name: string): string[];
}

export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Action forms are small: a token, a few choices and at most a page of keys. */
const parseForm = bodyParser.urlencoded({ extended: false, limit: '256kb', parameterLimit: 1000 });

/**
 * Reads an urlencoded body, or takes the one an app-wide body parser already
 * read (body-parser marks that request, and then leaves it alone). Another
 * content type gives no fields, so no token: the post is refused.
 */
export function readForm(req: IncomingMessage, res: ServerResponse): Promise<FormFields> {
  return new Promise((resolve, reject) => {
    parseForm(req, res, (error?: unknown) => {
      if (error !== undefined && error !== null) {
        const status = (error as { status?: number }).status;
        const type = (error as { type?: string }).type;
        if (status === 413) reject(new FormBodyError(413, 'The form is too large.'));
        else if (status === 415) reject(new FormBodyError(415, 'The form must be sent as UTF-8.'));
        else if (type === 'parameters.too.many') reject(new FormBodyError(413, 'The form has too many fields.'));
        else reject(new FormBodyError(400, 'The form could not be read.'));
        return;
      }
      resolve(fields((req as { body?: unknown }).body));
    });
  });
}

function fields(body: unknown): FormFields {
  const values = (name: string): string[] => {
    if (body === null || typeof body !== 'object' || !Object.hasOwn(body, name)) return [];
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') return [value];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  };
  return { get: (name) => values(name)[0], getAll: values };
}
