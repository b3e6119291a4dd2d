/**
 * `edibridge members show <member-id|subscriber-number> [--group G] [--on DATE] [--json]` and
 * `edibridge census <group> [--on DATE] [--json]`. Exit 0 when found, 1 when nothing matches
 * or the database fails, 2 for usage errors or a bad setting.
 */
import { isoDay } from '../../enrollment/apply/dates.js';
import { CensusInput, ShowFamilyInput, censusOf, showFamily } from '../../membership/service.js';
import { parseCommandArgs, parseInput } from '../args.js';
import { formatCensus, formatFamily } from '../format/membership.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const MEMBERS_USAGE = 'usage: edibridge members show <member-id|subscriber-number> [--group G] [--on YYYY-MM-DD] [--json]';
export const CENSUS_USAGE = 'usage: edibridge census <group-number> [--on YYYY-MM-DD] [--json]';

export async function membersCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { group: { type: 'string' }, on: { type: 'string' }, json: { type: 'boolean', default: false } }, MEMBERS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, id, ...extra] = positionals;
  if (sub !== 'show' || id === undefined || extra.length > 0) {
    io.err(`${MEMBERS_USAGE}\n`);
    return 2;
  }
  const input = parseInput(ShowFamilyInput, {
    id,
    on: values.on ?? isoDay(io.now()),
    ...(values.group !== undefined ? { groupNumber: values.group } : {}),
  }, MEMBERS_USAGE, io, { id: 'member id', groupNumber: '--group', on: '--on' });
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const families = await showFamily(await app.db(), await app.phi(), input);
    if (families.length === 0) {
      io.err(`edibridge: no member with that member ID or subscriber number${input.groupNumber ? ' in that group' : ''}\n`);
      if (values.json) io.out('[]\n');
      return 1;
    }
    io.out(values.json ? `${JSON.stringify(families, null, 2)}\n` : `${families.map((f) => formatFamily(f, input.on)).join('\n')}\n`);
    return 0;
  });
}

export async function censusCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { on: { type: 'string' }, json: { type: 'boolean', default: false } }, CENSUS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [group, ...extra] = positionals;
  if (group === undefined || extra.length > 0) {
    io.err(`${CENSUS_USAGE}\n`);
    return 2;
  }
  const input = parseInput(CensusInput, { groupNumber: group, on: values.on ?? isoDay(io.now()) }, CENSUS_USAGE, io, { groupNumber: 'group number', on: '--on' });
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: values.json, failure: 1 }, async (app) => {
    const census = await censusOf(await app.db(), input);
    if (!census) {
      io.err(`edibridge: no group ${input.groupNumber} in the reference data\n`);
      return 1;
    }
    io.out(values.json ? `${JSON.stringify(census, null, 2)}\n` : formatCensus(census));
    return 0;
  });
}
