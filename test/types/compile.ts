/**
 * Type-checks TypeScript and JavaScript text as a merchant's project would
 * (strict; JavaScript with checkJs), with `express-payment-webhooks` and
 * its subpaths resolved to this repo's sources. Returns tsc's messages.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  allowJs: true,
  checkJs: true,
  target: ts.ScriptTarget.ES2022,
  // Top-level await and both import and require, as a merchant's snippet may use them.
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  esModuleInterop: true,
  skipLibCheck: true,
  types: ['node', 'jest'],
  baseUrl: ROOT,
  paths: {
    'express-payment-webhooks': ['lib/index.ts'],
    'express-payment-webhooks/testing': ['lib/testing/index.ts'],
    'express-payment-webhooks/node': ['lib/node.ts'],
    'express-payment-webhooks/fetch': ['lib/fetch.ts'],
    'express-payment-webhooks/fastify': ['lib/fastify.ts'],
    'express-payment-webhooks/koa': ['lib/koa.ts'],
  },
};

export interface Diagnostic {
  file: string;
  line: number;
  code: number;
  message: string;
}

/**
 * `files`: name (relative, ending .ts, .d.ts or .js) → text. Paths on disk (`onDisk`) are compiled too.
 * `reuse`: the result of an earlier call, whose unchanged files (the libraries) are not parsed again.
 */
export function typeCheck(files: Record<string, string>, onDisk: string[] = [], reuse?: ts.Program): { diagnostics: Diagnostic[]; program: ts.Program } {
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(ROOT, '.virtual', name), text]));
  const host = ts.createCompilerHost(OPTIONS);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  host.getSourceFile = (name, language, onError) => {
    const text = virtual.get(name);
    return text === undefined ? getSourceFile(name, language, onError) : ts.createSourceFile(name, text, language, true);
  };
  const program = ts.createProgram([...virtual.keys(), ...onDisk.map((path) => join(ROOT, path))], OPTIONS, host, reuse);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const position = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return {
      file: d.file ? d.file.fileName.replace(`${ROOT}/`, '').replace(/^\.virtual\//, '') : '',
      line: position ? position.line + 1 : 0,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
  return { diagnostics, program };
}
