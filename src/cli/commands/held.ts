/**
 * `edibridge held list [--state S] [--group G] [--limit N] [--json]` — full files held because
 * they would end or queue more than a group's share of its members (src/enrollment/held-files.ts).
 * `edibridge held show <id> [--json]` — one, with what it would change.
 * `edibridge held release <id> [--note T] [--as USER] [--json]` — applies it (read again from the archive).
 * `edibridge held reject <id> --note T [--as USER] [--json]` — applies nothing.
 * The person acting: --as, else EDIBRIDGE_USER, else the login name. Exit 0 on success, 1
 * for an unknown or already decided file or a database or store error, 2 for usage.
 */
import { userInfo } from 'node:os';
import { signedDollars } from '../../enrollment/apply/apply-set.js';
import {
  ListHeldFilesInput,
  RejectHeldFileInput,
  ReleaseHeldFileInput,
  getHeldFile,
  listHeldFiles,
  rejectHeldFile,
  releaseHeldFile,
  type HeldFile,
} from '../../enrollment/held-files.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { minuteUtc } from '../format/exceptions.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const HELD_USAGE =
  'usage: edibridge held list [--state held|released|rejected] [--group G] [--limit N] [--json]\n' +
  '       edibridge held show <id> [--json]\n' +
  '       edibridge held release <id> [--note T] [--as USER] [--json]\n' +
  '       edibridge held reject <id> --note T [--as USER] [--json]';

/** The person acting: --as, else EDIBRIDGE_USER, else the login name. */
function actorOf(given: string | undefined, io: Io): string | undefined {
  if (given !== undefined) return given;
  if (io.env['EDIBRIDGE_USER']) return io.env['EDIBRIDGE_USER'];
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export async function heldCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      state: { type: 'string' },
      group: { type: 'string' },
      limit: { type: 'string' },
      note: { type: 'string' },
      as: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    HELD_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  const [sub, ...ids] = positionals;
  const usage = (): number => {
    io.err(`${HELD_USAGE}\n`);
    return 2;
  };
  const listing = v.state !== undefined || v.group !== undefined || v.limit !== undefined;
  const acting = v.note !== undefined || v.as !== undefined;
  switch (sub) {
    case 'list': {
      if (ids.length > 0 || acting) return usage();
      const input = parseInput(ListHeldFilesInput, { ...(v.state !== undefined ? { state: v.state } : {}), ...(v.group !== undefined ? { group: v.group } : {}), ...(v.limit !== undefined ? { limit: v.limit } : {}) }, HELD_USAGE, io);
      if (typeof input === 'number') return input;
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const rows = await listHeldFiles(await app.db(), input);
        if (v.json) io.out(`${JSON.stringify(rows)}\n`);
        else io.out(rows.length ? `${rows.map(formatHeldLine).join('\n')}\n${rows.length} held file${rows.length === 1 ? '' : 's'}\n` : 'no held files match\n');
        return 0;
      });
    }
    case 'show': {
      if (ids.length !== 1 || listing || acting) return usage();
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const h = await getHeldFile(await app.db(), ids[0]!);
        io.out(v.json ? `${JSON.stringify(h)}\n` : formatHeld(h));
        return 0;
      });
    }
    case 'release': {
      if (ids.length !== 1 || listing) return usage();
      const input = parseInput(ReleaseHeldFileInput, { id: ids[0], actor: actorOf(v.as, io), ...(v.note !== undefined ? { note: v.note } : {}) }, HELD_USAGE, io, { id: '<id>', actor: '--as' });
      if (typeof input === 'number') return input;
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const r = await releaseHeldFile({ db: await app.db(), store: app.store(), phi: await app.phi(), now: () => app.now(), log: app.log }, input);
        if (v.json) io.out(`${JSON.stringify(r)}\n`);
        else {
          const c = r.outcome.counts;
          io.out(`held file ${r.heldFile.id}: released by ${r.heldFile.decidedBy}; set ${r.outcome.setControl} ${r.outcome.status}: added ${c.added}, changed ${c.changed}, terminated ${c.terminated}, cancelled ${c.cancelled}, unchanged ${c.unchanged}, held for a person ${c.held}, queued ${r.outcome.queued}\n`);
        }
        return 0;
      });
    }
    case 'reject': {
      if (ids.length !== 1 || listing) return usage();
      const input = parseInput(RejectHeldFileInput, { id: ids[0], actor: actorOf(v.as, io), note: v.note }, HELD_USAGE, io, { id: '<id>', actor: '--as' });
      if (typeof input === 'number') return input;
      return withApp(io, options, { json: v.json, failure: 1 }, async (app) => {
        const h = await rejectHeldFile(await app.db(), input);
        io.out(v.json ? `${JSON.stringify(h)}\n` : `held file ${h.id}: rejected by ${h.decidedBy}; nothing of it was applied\n`);
        return 0;
      });
    }
    default:
      return usage();
  }
}

function formatHeldLine(h: HeldFile): string {
  const p = h.preview;
  const g = p.groups.find((x) => x.group === p.group);
  return `#${h.id} ${h.state} ${h.groupNumber} file ${h.fileId} (${h.fileName}) set ${h.setControl}, held ${minuteUtc(h.heldAt)}: ends or queues ${g?.omitted ?? 0} of ${g?.inForce ?? 0} members, premium ${signedDollars(p.premiumChangeCents)}/month`;
}

function formatHeld(h: HeldFile): string {
  const p = h.preview;
  const lines = [
    `held file ${h.id}: ${h.state}`,
    `  file ${h.fileId} (${h.fileName}) from ${h.partner}, set ${h.setControl} (BGN02 ${h.reference ?? '-'}), received ${minuteUtc(h.receivedAt)}, held ${minuteUtc(h.heldAt)}`,
    `  exception: ${h.exceptionId ?? '-'}`,
    ...p.groups.map((g) => `  group ${g.group}: ${g.omitted} of ${g.inForce} members in force omitted (ended or queued); the group holds above ${g.holdPercent}%`),
    `  if released: added ${p.added}, changed ${p.changed}, ended ${p.ended}, queued ${p.queued}, held ${p.held}, unchanged ${p.unchanged}, reinstated ${p.reinstated}`,
    `  monthly premium on ${p.premiumDay}: ${signedDollars(p.premiumBeforeCents).slice(1)} before, ${signedDollars(p.premiumAfterCents).slice(1)} after (${signedDollars(p.premiumChangeCents)})`,
  ];
  if (h.state !== 'held') lines.push(`  ${h.state} by ${h.decidedBy ?? '-'} at ${h.decidedAt ? minuteUtc(h.decidedAt) : '-'}${h.note ? `: ${h.note}` : ''}`);
  if (h.result) lines.push(`  applied: ${h.result.status}, added ${h.result.counts.added}, changed ${h.result.counts.changed}, terminated ${h.result.counts.terminated}, cancelled ${h.result.counts.cancelled}`);
  return `${lines.join('\n')}\n`;
}
