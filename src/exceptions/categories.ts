/**
 * Exception categories: what kind of decision a person must make, each with the title ops
 * read in the queue. The same list is the check constraint on `exception.category`
 * (schemas/sql/migrations/000003_exceptions.sql); a test keeps the two equal.
 *
 * Glossary (used exactly so in src/exceptions):
 * - **exception**: one item for a person: a change the rules do not apply automatically, or
 *   something in a file that cannot be matched. It names the partner, file, set (ST02) and
 *   segment position it came from, and is due 48 hours after the file was received.
 * - **event**: one row of an exception's history (exception_event), append-only.
 * - **state**: open → in_progress → resolved | rejected; open may go straight to resolved or
 *   rejected; resolved and rejected are final.
 * - **overdue**: not final, and its due time has passed.
 */

/** The plans answer within 48 hours of receiving the file. */
export const EXCEPTION_SLA_HOURS = 48;
export const EXCEPTION_SLA_MS = EXCEPTION_SLA_HOURS * 60 * 60 * 1000;

export const EXCEPTION_CATEGORIES = {
  // 834 enrollment
  'member-match-uncertain': 'Enrollment does not match an existing member with certainty (ID, SSN, name or birth date disagree)',
  'last-name-change': "Subscriber's last name changed",
  'dependent-birth-date-change': "Dependent's date of birth changed",
  'other-coverage': 'Other or prior coverage reported (coordination of benefits)',
  medicare: 'Medicare enrollment',
  'cobra-not-self-administered': 'COBRA enrollment for a group that does not administer its own COBRA',
  'class-after-hire': "Class takes effect after the member's hire date",
  'class-not-valid': 'Class or subgroup not valid on the hire or effective date',
  'dependent-age-26': 'Dependent child is 26 or older',
  'possible-unintended-termination': 'Member missing from a full file (possible unintended termination)',
  'retro-beyond-six-months': 'Retroactive change older than six months (billing decision needed)',
  'invalid-termination-date': 'Termination without a valid end date, or ending before it starts',
  'zip-state-mismatch': 'City, state or county does not agree with the ZIP code',
  'unknown-group': 'Group number not on file',
  'unknown-plan': 'Plan not offered by this group',
  'birth-date-in-future': 'Birth date after the file was received: the sender must send the correct date of birth',
  'coverage-ends-before-begin': 'Coverage ends before it begins: the sender must correct the coverage begin or end date',
  'eligibility-ends-before-begin': 'Eligibility ends before it begins: the sender must correct the eligibility begin or end date',
  'full-file-held': "Full file would end or queue more of a group's members than the group allows at once: release or reject it",
  // 820 premium payment
  'unknown-invoice': 'Payment for an invoice we cannot find',
  'unknown-member': 'Payment for a member we cannot find',
  'member-not-covered': 'Payment for a member not covered in the period paid for',
  'paid-billed-mismatch': 'Amount paid differs from the amount billed by more than the group\'s tolerance',
  'duplicate-payment': 'Payment trace number already received (possible duplicate payment)',
  'payment-total-mismatch': 'Payment total differs from the sum of its remittance lines',
  'terminated-group-payment': 'Payment for a group whose coverage has ended',
  // Transfers
  'unreadable-file': 'File from a partner has no readable interchange header (ISA): the partner must resend it',
  'sender-mismatch': "File's interchange sender (ISA06) is not the partner whose folder it came from",
  'duplicate-interchange': 'Interchange control number (ISA13) already used by another file from this sender',
  'host-key-changed': "Partner's SFTP server presented a host key other than the pinned one: verify it with the partner",
  // Either
  'rejected-set': 'Transaction set rejected (see its acknowledgement)',
  other: 'Other: see the description',
} as const satisfies Record<string, string>;

export type ExceptionCategory = keyof typeof EXCEPTION_CATEGORIES;

export const EXCEPTION_CATEGORY_LIST = Object.keys(EXCEPTION_CATEGORIES) as [ExceptionCategory, ...ExceptionCategory[]];

export function isExceptionCategory(value: string): value is ExceptionCategory {
  return Object.hasOwn(EXCEPTION_CATEGORIES, value);
}

/** The title ops read for a category. */
export function categoryTitle(category: ExceptionCategory): string {
  return EXCEPTION_CATEGORIES[category];
}

export const EXCEPTION_STATES = ['open', 'in_progress', 'resolved', 'rejected'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

/** The states an exception may move to from each state; resolved and rejected are final. */
export const EXCEPTION_TRANSITIONS: { readonly [S in ExceptionState]: readonly ExceptionState[] } = {
  open: ['in_progress', 'resolved', 'rejected'],
  in_progress: ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

export function isFinalState(state: ExceptionState): boolean {
  return EXCEPTION_TRANSITIONS[state].length === 0;
}
