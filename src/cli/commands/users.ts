/**
 * `edibridge orgs add <name> --kind plan|partner [--group G]... [--partner P]...` makes an
 * organisation (or grants more groups and partners to one);
 * `edibridge users add <login> --name N --role R --org O` adds a user and prints its first
 * password once (to change at the first sign-in); `users disable <login> --reason T`;
 * `users reset <login>` prints a new password and unlocks and re-enables the account;
 * `users list`. These bootstrap the first ops admin, with no one signed in. Exit 0 done, 1
 * refused (unknown, already there) or a database error, 2 usage.
 */
import { NewUserInput, OrganisationInput, createUser, disableUser, ensureOrganisation, listUsers, resetUser, type UserRecord } from '../../access/users.js';
import { ROLES } from '../../access/roles.js';
import { parseCommandArgs, parseInput } from '../args.js';
import type { CommandOptions, Io } from '../io.js';
import { withApp } from '../run.js';

export const USERS_USAGE = [
  `usage: edibridge users add <login> --name N --role ${ROLES.join('|')} --org O [--json]`,
  '       edibridge users disable <login> --reason T',
  '       edibridge users reset <login> [--json]',
  '       edibridge users list [--json]',
].join('\n');
export const ORGS_USAGE = 'usage: edibridge orgs add <name> --kind plan|partner [--group G]... [--partner P]...';

function line(u: UserRecord): string {
  const state = u.disabledAt ? `disabled (${u.disabledReason})` : u.lockedAt ? 'locked' : 'active';
  return `${u.login.padEnd(28)} ${u.role.padEnd(14)} ${u.organisationName.padEnd(28)} ${state}`;
}

export async function usersCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false } },
    USERS_USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, login, ...extra] = positionals;
  const usage = (): number => {
    io.err(`${USERS_USAGE}\n`);
    return 2;
  };
  if (extra.length > 0) return usage();
  const json = values.json;
  const issued = (verb: string, u: UserRecord, password: string): void => {
    if (json) io.out(`${JSON.stringify({ login: u.login, role: u.role, organisation: u.organisationName, password }, null, 2)}\n`);
    else io.out(`${verb} ${u.login} (${u.role}, ${u.organisationName})\npassword: ${password}\nGive it to the person once; it must be changed at the first sign-in.\n`);
  };
  switch (sub) {
    case 'add': {
      const input = parseInput(NewUserInput, { login, displayName: values.name, role: values.role, organisation: values.org }, USERS_USAGE, io, { login: '<login>', displayName: '--name', role: '--role', organisation: '--org' });
      if (typeof input === 'number') return input;
      return withApp(io, options, { json, failure: 1 }, async (app) => {
        const { user, password } = await createUser(await app.db(), input, app.now());
        issued('added', user, password);
        return 0;
      });
    }
    case 'disable':
      if (!login || !values.reason) return usage();
      return withApp(io, options, { json, failure: 1 }, async (app) => {
        const u = await disableUser(await app.db(), login, values.reason!, app.now());
        io.out(json ? `${JSON.stringify({ login: u.login, disabled: true }, null, 2)}\n` : `disabled ${u.login}\n`);
        return 0;
      });
    case 'reset':
      if (!login) return usage();
      return withApp(io, options, { json, failure: 1 }, async (app) => {
        const { user, password } = await resetUser(await app.db(), login, app.now());
        issued('reset', user, password);
        return 0;
      });
    case 'list':
      if (login) return usage();
      return withApp(io, options, { json, failure: 1 }, async (app) => {
        const users = await listUsers(await app.db());
        io.out(json ? `${JSON.stringify(users.map((u) => ({ login: u.login, role: u.role, organisation: u.organisationName, locked: !!u.lockedAt, disabled: !!u.disabledAt })), null, 2)}\n` : `${users.map(line).join('\n')}\n`);
        return 0;
      });
    default:
      return usage();
  }
}

export async function orgsCommand(argv: string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { kind: { type: 'string' }, group: { type: 'string', multiple: true }, partner: { type: 'string', multiple: true } }, ORGS_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, name, ...extra] = positionals;
  if (sub !== 'add' || extra.length > 0) {
    io.err(`${ORGS_USAGE}\n`);
    return 2;
  }
  const input = parseInput(OrganisationInput, { name, kind: values.kind, groups: values.group ?? [], partners: values.partner ?? [] }, ORGS_USAGE, io, { name: '<name>', kind: '--kind', groups: '--group', partners: '--partner' });
  if (typeof input === 'number') return input;
  return withApp(io, options, { json: false, failure: 1 }, async (app) => {
    await ensureOrganisation(await app.db(), input);
    io.out(`organisation ${input.name} (${input.kind})${input.groups.length ? ` groups ${input.groups.join(', ')}` : ''}${input.partners.length ? ` partners ${input.partners.join(', ')}` : ''}\n`);
    return 0;
  });
}
