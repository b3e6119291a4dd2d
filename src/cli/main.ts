/**
 * The `edibridge` command. Each subcommand returns its exit status; nothing here
 * calls process.exit, so output is flushed and tests can run commands in-process.
 */
import { processIo, type Io } from './io.js';
import { DB_USAGE, dbCommand } from '../db/cli.js';
import { EXCEPTIONS_USAGE, exceptionsCommand } from '../exceptions/cli.js';
import { INGEST_USAGE, ingestCommand } from '../ingest/cli.js';
import { CENSUS_USAGE, MEMBERS_USAGE, censusCommand, membersCommand } from '../membership/cli.js';
import { SETUP_USAGE, setupCommand } from '../reference/cli.js';
import { VALIDATE_USAGE, validateCommand } from './validate-command.js';

const USAGE = `edibridge — HIPAA X12 834/820 intake

commands:
  ${VALIDATE_USAGE.replace('usage: ', '')}
      Validate X12 files (envelopes, 005010X220A1 834, 005010X218 820, 005010X231A1 999);
      print a report; with --ack-dir write the TA1/999 that would be sent.
  ${DB_USAGE.replace('usage: ', '')}
      Apply (migrate) or show (status) database migrations: PostgreSQL at DATABASE_URL,
      else the embedded PGlite database in ./data/pglite.
  ${SETUP_USAGE.replace('usage: ', '')}
      Validate a reference data file (partners, groups, plans, rates; YAML or JSON) and make it
      the database's reference set (rows it no longer lists are removed); migrates first.
  ${INGEST_USAGE.replace('usage: ', '')}
      Validate a file, write its TA1/999 (default folder out/acks), apply its accepted 834 sets
      to the membership model (each set in one transaction) and print what changed; a resend
      (same bytes, sender + ISA13, or BGN02) applies nothing. Migrates first.
  ${MEMBERS_USAGE.replace('usage: ', '')}
      Show a family (by a member ID we issued or the employer's subscriber number): members,
      status, coverages, recent history with its source file; SSN masked.
  ${CENSUS_USAGE.replace('usage: ', '')}
      Enrollment totals of a group by family composition, and coverages by line and level.
  ${EXCEPTIONS_USAGE.replace('usage: ', '')}
      List the exception queue (items for a person, due 48 h after the file arrived):
      filter by state/category/group/partner, sort by due|age|category|group; overdue flagged.
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validateCommand(rest, io);
    case 'db':
      return dbCommand(rest, io);
    case 'setup':
      return setupCommand(rest, io);
    case 'exceptions':
      return exceptionsCommand(rest, io);
    case 'ingest':
      return ingestCommand(rest, io);
    case 'members':
      return membersCommand(rest, io);
    case 'census':
      return censusCommand(rest, io);
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
