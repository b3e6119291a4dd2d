/** The account rules of the plans' portals, in one place. */
export const ACCESS_POLICY = {
  /** Failed sign-ins in a row that lock an account until an administrator resets it. */
  lockoutAttempts: 7,
  /** Days a password lasts; after that the next sign-in must change it. */
  passwordMaxAgeDays: 90,
  /** Days without a sign-in after which an account is disabled (two years). */
  inactiveDisableDays: 730,
  /** A session ends after this much idle time… */
  sessionIdleMinutes: 30,
  /** …and at the latest this long after sign-in. */
  sessionMaxHours: 12,
} as const;

export const DAY_MS = 24 * 60 * 60 * 1000;
