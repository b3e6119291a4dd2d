/**
 * Scheduled tasks (each partner's pull on its cron expression, the daily billing run), run by
 * node-cron in every replica and fired once across all of them: node-cron asks its run coordinator before each run, with
 * the task's name and the scheduled slot, and ours answers yes only to the replica whose
 * insert of (task, slot) into `schedule_run` wins. A replica that is down simply does not
 * ask; the others still fire. What a run does (send the pull and delivery jobs) is the
 * caller's `fire`.
 */
import { createTask, type ScheduledTask as CronTask } from 'node-cron';
import type { Logger } from '../core/logger.js';
import { coerceError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import type { PartnerConnection } from '../transport/partners.js';

export interface ScheduleDeps {
  db: Db;
  log: Logger;
  /** This replica, as recorded on the runs it wins. */
  replica: string;
  /** Time zone of the cron expressions (default the process's, TZ). */
  timezone?: string;
}

export interface Schedules {
  stop(): Promise<void>;
}

/** Runs older than this are forgotten (their slots are long past). */
const KEEP_RUNS_DAYS = 7;

/** Claims (task, slot) for this replica; true when it is the one to run it. */
export async function claimScheduledRun(db: Db, task: string, slot: Date, replica: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into schedule_run (task, slot, run_by) values ($1, $2, $3) on conflict do nothing`,
    [task, slot.toISOString(), replica],
  );
  return rowCount === 1;
}

/** Each partner's pull on its schedule: `fire` sends it. */
export function startSchedules(deps: ScheduleDeps, partners: readonly PartnerConnection[], fire: (partner: PartnerConnection, slot: Date) => Promise<void>): Schedules {
  return startScheduledTasks(deps, partnerPullTasks(partners, fire));
}

/** A task run on a cron schedule, once per slot across every replica. */
export interface ScheduledTask {
  /** Unique, without ':' (node-cron's coordinator key is `<name>:<slot>`). */
  name: string;
  cron: string;
  run(slot: Date): Promise<void>;
}

/** Each partner's pull as a scheduled task. */
export function partnerPullTasks(partners: readonly PartnerConnection[], fire: (partner: PartnerConnection, slot: Date) => Promise<void>): ScheduledTask[] {
  return partners.map((partner) => ({ name: `pull-${partner.id}`, cron: partner.schedule, run: (slot) => fire(partner, slot) }));
}

export function startScheduledTasks(deps: ScheduleDeps, scheduled: readonly ScheduledTask[]): Schedules {
  const log = deps.log.child({ component: 'schedule' });
  const tasks: CronTask[] = [];
  for (const { name, cron, run } of scheduled) {
    const task = createTask(
      cron,
      async (ctx) => {
        try {
          await run(ctx.date);
          await deps.db.query(`delete from schedule_run where task = $1 and slot < now() - make_interval(days => ${KEEP_RUNS_DAYS})`, [name]);
        } catch (err) {
          log.warn({ err: coerceError(err), task: name }, 'scheduled task failed: the next slot tries again');
        }
      },
      {
        name,
        distributed: true,
        runCoordinator: {
          // node-cron's key is `<name>:<slot ISO>`; the name has no ':'.
          shouldRun: (key) => claimScheduledRun(deps.db, name, new Date(key.slice(name.length + 1)), deps.replica),
        },
        noOverlap: true,
        suppressMissedWarning: true,
        ...(deps.timezone ? { timezone: deps.timezone } : {}),
      },
    );
    task.on('execution:skipped', (ctx) => {
      if (ctx.reason === 'coordinator-error') log.warn({ task: name, slot: ctx.date.toISOString() }, 'schedule could not be claimed (database unreachable?): slot skipped');
    });
    tasks.push(task);
  }
  for (const t of tasks) void t.start();
  log.info({ tasks: scheduled.map((t) => ({ task: t.name, schedule: t.cron })) }, 'schedules started');
  return {
    async stop() {
      await Promise.all(tasks.map(async (t) => t.destroy()));
    },
  };
}
