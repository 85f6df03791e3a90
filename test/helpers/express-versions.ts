import type { Express } from 'express';

type ExpressFactory = () => Express;

/** Every test of the middleware runs on both Express majors we support. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express5 = require('express') as ExpressFactory & { json: Function; urlencoded: Function };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express4 = require('express4') as ExpressFactory & { json: Function; urlencoded: Function };

export interface ExpressVersion {
  name: string;
  create: () => Express;
  json: (options?: object) => any;
  urlencoded: (options?: object) => any;
}

/**
 * Each version's own defaults, as a merchant's `app.use(express.urlencoded())`
 * gets them: Express 4 parses extended (qs, nesting `a[b]`), Express 5 does
 * not. Express 4 prints a deprecation notice for the missing `extended`.
 */
export const EXPRESS_VERSIONS: ExpressVersion[] = [
  { name: 'Express 5', create: express5, json: (o) => express5.json(o), urlencoded: (o) => express5.urlencoded(o) },
  { name: 'Express 4', create: express4, json: (o) => express4.json(o), urlencoded: (o) => express4.urlencoded(o) },
];
