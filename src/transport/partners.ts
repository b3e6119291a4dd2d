/**
 * Partner connections: how edibridge reaches each trading partner's SFTP server, read from
 * the YAML file EDIBRIDGE_PARTNERS_FILE names (see samples/partners.yaml) and validated with
 * zod. Every problem is reported at once, by path (`partners[1].sftp.hostKey: …`), never
 * quoting a value.
 *
 * Secrets are never in the file: a partner names the environment variable that holds its
 * password or private key (`passwordEnv`, `privateKeyEnv`), or a private key file
 * (`privateKeyFile`, relative to the partners file). They are resolved when the file is
 * loaded, into `Secret` values that print as `[secret]` in logs and JSON; a variable that is
 * not set is named (the variable, not its value).
 *
 * Words: the *inbound* folder is where the partner leaves files for us (we pull from it);
 * the *outbound* folder is where we leave files for the partner (acknowledgements).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';
import { validate as validateCron } from 'node-cron';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { EdiBridgeError, InvalidDataError } from '../core/errors.js';
import { formatIssues, formatPath } from '../core/issues.js';
import { FINGERPRINT_PATTERN } from './sftp/host-key.js';

/** A secret resolved from the environment or a key file: `reveal()` it where it is used, nowhere else. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[secret]';
  }
  toString(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return 'Secret([secret])';
  }
}

/** A file-name pattern: a glob (`*.x12`, `ACME_??.{x12,edi}`) or a regex written `/…/flags`. */
export interface FilePattern {
  /** As written in the file. */
  source: string;
  regex: RegExp;
}

export type SftpAuth =
  | { kind: 'password'; password: Secret; /** the variable it came from */ from: string }
  | { kind: 'privateKey'; privateKey: Secret; /** the variable or file it came from */ from: string };

/** When a file in the inbound folder is complete enough to pull. */
export type StabilityRule =
  /** Same size and mtime on `looks` listings `seconds` apart. */
  | { kind: 'looks'; looks: number; seconds: number }
  /** Ready once `<name><suffix>` (e.g. `834_0601.x12.done`) is in the same folder. */
  | { kind: 'doneMarker'; suffix: string };

export type AfterPull = { kind: 'move'; folder: string } | { kind: 'delete' };

export interface SftpSettings {
  host: string;
  port: number;
  user: string;
  auth: SftpAuth;
  /** The pinned host key fingerprint, `SHA256:…` as `ssh-keygen -lf` prints it. */
  hostKey: string;
  inbound: string;
  outbound: string;
  pattern: FilePattern;
  afterPull: AfterPull;
  stable: StabilityRule;
}

export interface AckSettings {
  /** TA1: `on-error` (default), `always` or `never`; sent regardless on envelope errors or when ISA14 = 1. */
  ta1: 'on-error' | 'always' | 'never';
  /** Whether 999s are sent (default true). */
  '999': boolean;
  /** Remote folder acknowledgements are uploaded to (default: the outbound folder). */
  folder: string;
}

/** One trading partner's connection, secrets resolved. */
export interface PartnerConnection {
  /** The trading-partner id of the reference data (`partners[].id`). */
  id: string;
  sftp: SftpSettings;
  /** When to pull: a cron expression (node-cron: 5 fields, or 6 with seconds first). */
  schedule: string;
  acks: AckSettings;
}

/** An invalid partners file: `issues` lists every problem as `path: message`. */
export class PartnersFileError extends InvalidDataError {}

// ---------------------------------------------------------------------------------------
// Patterns

/** Compiles a glob (`*`, `?`, `[…]`, `{a,b}`; no `/`) or a `/regex/flags` into an anchored RegExp. */
export function compilePattern(source: string): RegExp {
  const re = /^\/(.+)\/([imsu]*)$/.exec(source);
  if (re) return new RegExp(re[1] ?? '', re[2]);
  let out = '';
  let inBraces = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = source.indexOf(']', i + 2);
      if (end < 0) throw new Error('an unclosed [');
      let body = source.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{' && !inBraces) {
      inBraces = true;
      out += '(?:';
    } else if (c === '}' && inBraces) {
      inBraces = false;
      out += ')';
    } else if (c === ',' && inBraces) out += '|';
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  if (inBraces) throw new Error('an unclosed {');
  return new RegExp(`^${out}$`);
}

// ---------------------------------------------------------------------------------------
// Schema (the file as written)

const text = (what = 'text') => z.string({ error: `must be ${what}` }).trim().min(1, 'must not be empty');
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string({ error: 'must be the name of an environment variable' }).regex(ENV_NAME, 'must be the name of an environment variable (letters, digits, _), not its value');
const remoteFolder = z
  .string({ error: 'must be a folder path on the server' })
  .regex(/^\/(?:[^/\0]+\/?)*$/, 'must be an absolute folder path on the server (starting with /, without empty segments)')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments')
  .transform((p) => (p.length > 1 ? p.replace(/\/$/, '') : p));

const AuthSchema = z.union(
  [
    z.strictObject({ privateKeyFile: text('a file path') }),
    z.strictObject({ privateKeyEnv: envName }),
    z.strictObject({ passwordEnv: envName }),
  ],
  { error: 'must be one of { privateKeyFile: <path> }, { privateKeyEnv: <variable name> } or { passwordEnv: <variable name> }' },
);

const StableSchema = z.union(
  [
    z.strictObject({
      looks: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(2, 'must be at least 2').max(10, 'must be at most 10'),
      seconds: z.number({ error: 'must be a number of seconds' }).positive('must be more than 0').max(3600, 'must be at most 3600'),
    }),
    z.strictObject({ doneMarker: z.string({ error: 'must be text' }).regex(/^[^/\0]+$/, 'must be a file-name suffix such as .done') }),
  ],
  { error: 'must be { looks: <n>, seconds: <s> } or { doneMarker: <suffix> }' },
);

const AfterPullSchema = z.union([z.literal('delete'), z.strictObject({ move: remoteFolder })], {
  error: "must be 'delete' or { move: <archive folder> }",
});

const PartnerSchema = z.strictObject({
  id: z.string({ error: 'must be text' }).regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1–63 lower-case letters, digits, '_' or '-' (the reference data's partner id)"),
  sftp: z.strictObject({
    host: z.string({ error: 'must be a host name or address' }).regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'must be a host name or IP address'),
    port: z.number({ error: 'must be a port number' }).int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535').default(22),
    user: text(),
    auth: AuthSchema,
    hostKey: z.string({ error: 'is required: the SHA256 fingerprint of the host key, as ssh-keygen -lf prints it' }).regex(FINGERPRINT_PATTERN, 'must be SHA256: followed by 43 base64 characters without padding, as ssh-keygen -lf prints it'),
    inbound: remoteFolder,
    outbound: remoteFolder,
    pattern: text('a glob or /regex/').superRefine((p, ctx) => {
      try {
        compilePattern(p);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `is not a valid glob or /regex/: ${err instanceof Error ? err.message : String(err)}` });
      }
    }),
    afterPull: AfterPullSchema,
    stable: StableSchema,
  }),
  schedule: z.string({ error: 'must be a cron expression' }).refine((s) => validateCron(s), 'must be a cron expression (5 fields, or 6 with seconds first)'),
  acks: z
    .strictObject({
      ta1: z.enum(['on-error', 'always', 'never'], { error: "must be 'on-error', 'always' or 'never'" }).default('on-error'),
      '999': z.boolean({ error: 'must be true or false' }).default(true),
      folder: remoteFolder.optional(),
    })
    .default({ ta1: 'on-error', '999': true }),
});

export const PartnersFileSchema = z
  .strictObject({ partners: z.array(PartnerSchema, { error: 'must be a list of partners' }) })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.partners.forEach((p, i) => {
      const first = seen.get(p.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['partners', i, 'id'], message: `repeats the id of partners[${first}]` });
      else seen.set(p.id, i);
    });
  });

export type PartnersFileInput = z.input<typeof PartnersFileSchema>;
type PartnerParsed = z.output<typeof PartnerSchema>;

// ---------------------------------------------------------------------------------------
// Loading

export interface ParsePartnersOptions {
  /** Where `passwordEnv` / `privateKeyEnv` are looked up. */
  env: NodeJS.ProcessEnv;
  /** Base of a relative `privateKeyFile` (default: the working directory). */
  baseDir?: string;
  /** Names the input in messages (a file name). */
  source?: string;
}

function fail(source: string, issues: string[], cause?: unknown): never {
  const n = issues.length;
  throw new PartnersFileError(
    `invalid partners file ${source}: ${n} problem${n === 1 ? '' : 's'}\n${issues.map((s) => `  - ${s}`).join('\n')}`,
    issues,
    { file: source },
    cause === undefined ? undefined : { cause },
  );
}

/** A private key given in a variable: the key's text, or that text in base64 (one line, for orchestrators). */
function keyText(value: string): string {
  const t = value.trim();
  if (t.startsWith('-----BEGIN')) return `${t}\n`;
  const decoded = Buffer.from(t, 'base64').toString('utf8').trim();
  return decoded.startsWith('-----BEGIN') ? `${decoded}\n` : `${t}\n`;
}

async function resolveAuth(
  auth: PartnerParsed['sftp']['auth'],
  path: (string | number)[],
  opts: ParsePartnersOptions,
  issues: string[],
): Promise<SftpAuth | undefined> {
  const fromEnv = (name: string, key: string): string | undefined => {
    const v = opts.env[name];
    if (v === undefined || v.trim() === '') {
      issues.push(`${formatPath([...path, key])}: environment variable ${name} is not set`);
      return undefined;
    }
    return v;
  };
  if ('passwordEnv' in auth) {
    const v = fromEnv(auth.passwordEnv, 'passwordEnv');
    return v === undefined ? undefined : { kind: 'password', password: new Secret(v), from: auth.passwordEnv };
  }
  if ('privateKeyEnv' in auth) {
    const v = fromEnv(auth.privateKeyEnv, 'privateKeyEnv');
    return v === undefined ? undefined : { kind: 'privateKey', privateKey: new Secret(keyText(v)), from: auth.privateKeyEnv };
  }
  const file = isAbsolute(auth.privateKeyFile) ? auth.privateKeyFile : resolve(opts.baseDir ?? process.cwd(), auth.privateKeyFile);
  try {
    return { kind: 'privateKey', privateKey: new Secret(await readFile(file, 'utf8')), from: file };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    issues.push(`${formatPath([...path, 'privateKeyFile'])}: cannot read the key file${typeof code === 'string' ? ` (${code})` : ''}`);
    return undefined;
  }
}

/** Validates already-parsed data and resolves its secrets; throws a PartnersFileError listing every problem. */
export async function parsePartners(input: unknown, opts: ParsePartnersOptions): Promise<PartnerConnection[]> {
  const source = opts.source ?? 'partners file';
  const r = PartnersFileSchema.safeParse(input);
  if (!r.success) fail(source, formatIssues(r.error.issues));
  const issues: string[] = [];
  const out: PartnerConnection[] = [];
  for (const [i, p] of r.data.partners.entries()) {
    const auth = await resolveAuth(p.sftp.auth, ['partners', i, 'sftp', 'auth'], opts, issues);
    if (!auth) continue;
    const s = p.sftp;
    out.push({
      id: p.id,
      sftp: {
        host: s.host,
        port: s.port,
        user: s.user,
        auth,
        hostKey: s.hostKey,
        inbound: s.inbound,
        outbound: s.outbound,
        pattern: { source: s.pattern, regex: compilePattern(s.pattern) },
        afterPull: s.afterPull === 'delete' ? { kind: 'delete' } : { kind: 'move', folder: s.afterPull.move },
        stable: 'doneMarker' in s.stable ? { kind: 'doneMarker', suffix: s.stable.doneMarker } : { kind: 'looks', looks: s.stable.looks, seconds: s.stable.seconds },
      },
      schedule: p.schedule,
      acks: { ta1: p.acks.ta1, '999': p.acks['999'], folder: p.acks.folder ?? s.outbound },
    });
  }
  if (issues.length > 0) fail(source, issues);
  return out;
}

/** Parses the YAML text (no validation). Syntax errors say where, never what. */
export function parsePartnersText(textIn: string, source = 'partners file'): unknown {
  const text = textIn.replace(/^\uFEFF/, '');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    fail(
      source,
      doc.errors.map((e) => {
        const before = text.slice(0, e.pos[0]).split('\n');
        return `(file): YAML ${e.code} at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/**
 * Reads, validates and resolves the partners file (config `partnersFile`, from
 * EDIBRIDGE_PARTNERS_FILE). A relative `privateKeyFile` is taken from the file's folder.
 * Unreadable: FILE_UNREADABLE; invalid: PartnersFileError (CONFIG_INVALID).
 */
export async function readPartnersFile(file: string, env: NodeJS.ProcessEnv): Promise<PartnerConnection[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new EdiBridgeError('FILE_UNREADABLE', `cannot read the partners file ${file}${typeof code === 'string' ? ` (${code})` : ''}`, { file }, { cause: err });
  }
  return parsePartners(parsePartnersText(content, file), { env, baseDir: dirname(file), source: file });
}
