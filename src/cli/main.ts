/**
 * The `edibridge` command: an adapter over the services. Each subcommand parses its
 * arguments, calls a service through the application context (src/app) and formats the
 * answer; it returns its exit status, and nothing here calls process.exit, so output is
 * flushed and tests can run commands in-process.
 */
import { BALANCE_USAGE, BILL_USAGE, INVOICES_USAGE, PAYMENTS_USAGE, RECONCILE_USAGE, balanceCommand, billCommand, invoicesCommand, paymentsCommand, reconcileCommand } from './commands/billing.js';
import { CARDS_USAGE, cardsCommand } from './commands/cards.js';
import { DB_USAGE, dbCommand } from './commands/db.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { EXCEPTIONS_USAGE, exceptionsCommand } from './commands/exceptions.js';
import { FILES_USAGE, filesCommand } from './commands/files.js';
import { HELD_USAGE, heldCommand } from './commands/held.js';
import { INGEST_USAGE, ingestCommand } from './commands/ingest.js';
import { CENSUS_USAGE, MEMBERS_USAGE, censusCommand, membersCommand } from './commands/members.js';
import { SERVE_USAGE, serveCommand } from './commands/serve.js';
import { SETUP_USAGE, setupCommand } from './commands/setup.js';
import { ORGS_USAGE, USERS_USAGE, orgsCommand, usersCommand } from './commands/users.js';
import { VALIDATE_USAGE, validateCommand } from './commands/validate.js';
import { processIo, type CommandOptions, type Io } from './io.js';

const USAGE = `edibridge — HIPAA X12 834/820 intake

commands:
  ${DEMO_USAGE.replace('usage: ', '')}
      One full cycle on embedded defaults (PGlite, a local archive, an in-process SFTP server
      seeded with the samples): pull, archive, validate, acknowledge, apply, deliver; print
      what happened, then keep serving until Ctrl-C (--once: exit).
  ${VALIDATE_USAGE.replace('usage: ', '')}
      Validate X12 files (envelopes, 005010X220A1 834, 005010X218 820, 005010X231A1 999);
      print a report; with --ack-dir write the TA1/999 that would be sent.
  ${DB_USAGE.replace('usage: ', '')}
      Apply (migrate) or show (status) database migrations: PostgreSQL at DATABASE_URL,
      else the embedded PGlite database in ./data/pglite.
  ${SETUP_USAGE.replace('usage: ', '')}
      Validate a reference data file (partners, groups, plans, rates; YAML or JSON) and make it
      the database's reference set (rows it no longer lists are removed).
  ${INGEST_USAGE.replace('usage: ', '')}
      Validate a file, write its TA1/999 (default folder out/acks), hand its accepted sets to
      their handlers (834: the membership model, each set in one transaction) and print what
      changed; a resend (same bytes, sender + ISA13, or BGN02) applies nothing.
  ${MEMBERS_USAGE.replace('usage: ', '')}
      Show a family (by a member ID we issued or the employer's subscriber number): members,
      status, coverages, recent history with its source file, ID cards pending or sent;
      SSN masked.
  ${CENSUS_USAGE.replace('usage: ', '')}
      Enrollment totals of a group by family composition, and coverages by line and level;
      the coverage level sent beside the dependents in force, and where they disagree.
  ${CARDS_USAGE.replace('usage: ', '').replace('\n       ', '\n  ')}
      The ID cards waiting for the printer (who is on each, where it is mailed), and
      recording them sent (idempotent; an unknown request id marks nothing).
  ${EXCEPTIONS_USAGE.replace('usage: ', '').replaceAll('\n       ', '\n  ')}
      The exception queue (items for a person, due 48 h after the file arrived): list (filter,
      sort; due-soon and overdue flagged), show an item and its history, assign, comment,
      resolve or reject one item or every open item sharing a cause, and report by age,
      partner and category (CSV).
  ${BILL_USAGE.replace('usage: ', '')}
      Build a group's invoice for a period from coverages × rates: active members, retroactive
      adjustments up to six months back, prior balance; older activity queued for review.
  ${INVOICES_USAGE.replace('usage: ', '').replace('\n       ', '\n  ')}
      Invoices, and the statement an employer reads (--html: one self-contained page).
  ${BALANCE_USAGE.replace('usage: ', '')}
      A group's billed, paid, credit, balance, money in suspense and past-due invoices.
  ${PAYMENTS_USAGE.replace('usage: ', '')}
      A payment (820) by its trace number: where each remittance line's money went.
  ${RECONCILE_USAGE.replace('usage: ', '')}
      Members enrolled (834), billed (invoice) and paid (820) for a group and period, and each
      difference with its amount and source.
  ${FILES_USAGE.replace('usage: ', '').replace('\n       ', '\n  ')}
      Inbound files, newest first: status, pulls, each acknowledgement's delivery (attempts
      and last error of one not yet delivered); rerun processes an archived file again.
  ${HELD_USAGE.replace('usage: ', '').replaceAll('\n       ', '\n  ')}
      Full files held because they would end or queue more than a group's share of its
      members (default 5%): what each would change; release applies it, reject applies nothing.
  ${ORGS_USAGE.replace('usage: ', '')}
      Make an organisation: the plan's ops team (plan) or an employer or TPA (partner), with
      the groups and trading partners whose files, members and exceptions it may see.
  ${USERS_USAGE.replace('usage: ', '').replaceAll('\n       ', '\n  ')}
      Console users: add one (its first password printed once), disable, reset (new password,
      unlocked, re-enabled), list. Bootstraps the first ops-admin.
  ${SERVE_USAGE.replace('usage: ', '')}
      Run the service: each partner's scheduled SFTP pull (EDIBRIDGE_PARTNERS_FILE), the job
      engine's workers (pg-boss in the database: pull, process, deliver acknowledgements) and
      /healthz, /readyz, /metrics on EDIBRIDGE_HTTP_PORT (default 8080); SIGTERM stops it gracefully.

The database is brought up to date when a command first opens it (EDIBRIDGE_MIGRATE=off
refuses a database that is behind instead). Logs are JSON lines on stderr
(EDIBRIDGE_LOG_LEVEL, EDIBRIDGE_LOG_FILE); reports go to stdout.
`;

export async function main(argv: string[], io: Io = processIo, options: CommandOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validateCommand(rest, io, options);
    case 'db':
      return dbCommand(rest, io, options);
    case 'setup':
      return setupCommand(rest, io, options);
    case 'exceptions':
      return exceptionsCommand(rest, io, options);
    case 'ingest':
      return ingestCommand(rest, io, options);
    case 'members':
      return membersCommand(rest, io, options);
    case 'census':
      return censusCommand(rest, io, options);
    case 'cards':
      return cardsCommand(rest, io, options);
    case 'serve':
      return serveCommand(rest, io, options);
    case 'bill':
      return billCommand(rest, io, options);
    case 'invoices':
      return invoicesCommand(rest, io, options);
    case 'balance':
      return balanceCommand(rest, io, options);
    case 'reconcile':
      return reconcileCommand(rest, io, options);
    case 'payments':
      return paymentsCommand(rest, io, options);
    case 'files':
      return filesCommand(rest, io, options);
    case 'held':
      return heldCommand(rest, io, options);
    case 'demo':
      return demoCommand(rest, io, options);
    case 'users':
      return usersCommand(rest, io, options);
    case 'orgs':
      return orgsCommand(rest, io, options);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`edibridge: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}
