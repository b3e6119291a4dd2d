/**
 * ID-card requests as ops and the card printer see them. The enrollment rules write them
 * (src/enrollment/apply/write.ts): a card lists the subscriber and at most five dependents;
 * children whose custodial parent is named are on cards mailed to that parent; a family's
 * new cards replace (cancel) its cards not yet printed. Here they are read (a family's
 * cards, the printer's queue) and marked sent once printed.
 *
 * Where a card is mailed is computed from the member rows when read: for the subscriber,
 * the mailing address, else the home address; for a custodial parent, the name and address
 * the file sent for the first child on the card. Addresses are PHI: returned to whoever
 * runs the command, never logged, and not copied into id_card_request.
 */
import type { Db } from '../db/db.js';
import { EdiBridgeError } from '../core/errors.js';
import type { Address } from './model.js';

export type CardStatus = 'pending' | 'printed';

export interface CardMember {
  memberId: string;
  subscriber: boolean;
  /** INS02: 18 self, 01 spouse, 19 child … */
  relationship: string;
  name: string;
}

export interface CardMailing {
  to: 'subscriber' | 'custodial-parent';
  /** The addressee's name as on file (PHI). */
  name: string;
  /** Null when nothing is on file: the card cannot be mailed until an address comes. */
  address: Address | null;
}

export interface IdCardView {
  /** The request's id: what `cards mark-sent` takes. */
  requestId: string;
  groupNumber: string;
  subscriberNumber: string;
  /** 1, 2 … within the family's request. */
  cardNumber: number;
  /** pending: waiting for the printer; printed: sent. */
  status: CardStatus;
  requestedAt: Date;
  /** When it was marked sent (null while pending, and for cards printed before that was recorded). */
  printedAt: Date | null;
  /** The file whose changes asked for it. */
  fileId: string;
  /** The subscriber first, then the dependents on the card. */
  members: CardMember[];
  mailTo: CardMailing;
}

interface CardRow {
  id: string;
  group_number: string;
  subscriber_number: string;
  card_number: number;
  status: CardStatus;
  requested_at: Date;
  printed_at: Date | null;
  file_id: string;
  mail_to: 'subscriber' | 'custodial-parent';
  members: Array<{
    memberId: string;
    subscriber: boolean;
    relationship: string;
    first: string | null;
    middle: string | null;
    last: string | null;
    suffix: string | null;
    custodialParent: { name?: { first?: string; middle?: string; last?: string; suffix?: string }; address?: Partial<Address> | null } | null;
    home: Address;
    mailing: Address;
  }> | null;
}

/** The columns of a card row with its members (in card order) and their addresses. */
const CARD_SELECT = `
  select r.id::text as id, r.group_number, r.subscriber_number, r.card_number, r.status, r.requested_at, r.printed_at,
         r.file_id::text as file_id, r.mail_to,
         (select json_agg(json_build_object(
                   'memberId', m.member_id, 'subscriber', m.is_subscriber, 'relationship', m.relationship,
                   'first', m.first_name, 'middle', m.middle_name, 'last', m.last_name, 'suffix', m.name_suffix,
                   'custodialParent', m.custodial_parent,
                   'home', json_build_object('line1', m.home_line1, 'line2', m.home_line2, 'city', m.home_city, 'state', m.home_state, 'zip', m.home_zip),
                   'mailing', json_build_object('line1', m.mailing_line1, 'line2', m.mailing_line2, 'city', m.mailing_city, 'state', m.mailing_state, 'zip', m.mailing_zip))
                 order by u.ord)
            from unnest(r.member_ids) with ordinality as u(member_id, ord)
            join member m on m.id = u.member_id) as members
    from id_card_request r`;

const personName = (n: { first?: string | null; middle?: string | null; last?: string | null; suffix?: string | null }): string =>
  [n.first, n.middle, n.last, n.suffix].filter(Boolean).join(' ');

const isEmpty = (a: Address): boolean => !a.line1 && !a.line2 && !a.city && !a.state && !a.zip;

function toView(r: CardRow): IdCardView {
  const members = r.members ?? [];
  let mailTo: CardMailing;
  if (r.mail_to === 'custodial-parent') {
    const parent = members.find((m) => !m.subscriber && m.custodialParent)?.custodialParent ?? null;
    const a = parent?.address ?? null;
    const address: Address | null = a ? { line1: a.line1 ?? null, line2: a.line2 ?? null, city: a.city ?? null, state: a.state ?? null, zip: a.zip ?? null } : null;
    mailTo = { to: 'custodial-parent', name: personName(parent?.name ?? {}), address: address && !isEmpty(address) ? address : null };
  } else {
    const s = members.find((m) => m.subscriber) ?? members[0];
    const address = s ? (isEmpty(s.mailing) ? s.home : s.mailing) : null;
    mailTo = { to: 'subscriber', name: s ? personName(s) : '', address: address && !isEmpty(address) ? address : null };
  }
  return {
    requestId: r.id,
    groupNumber: r.group_number,
    subscriberNumber: r.subscriber_number,
    cardNumber: r.card_number,
    status: r.status,
    requestedAt: r.requested_at,
    printedAt: r.printed_at,
    fileId: r.file_id,
    members: members.map((m) => ({ memberId: m.memberId, subscriber: m.subscriber, relationship: m.relationship, name: personName(m) })),
    mailTo,
  };
}

/** A family's cards pending or sent (not the cancelled ones), newest request first. */
export async function familyCards(db: Db, groupNumber: string, subscriberNumber: string, limit = 20): Promise<IdCardView[]> {
  const { rows } = await db.query<CardRow>(
    `${CARD_SELECT}
      where r.group_number = $1 and r.subscriber_number = $2 and r.status in ('pending', 'printed')
      order by (r.status = 'pending') desc, r.id desc limit $3`,
    [groupNumber, subscriberNumber, limit],
  );
  return rows.map(toView);
}

/** The printer's queue: pending requests, oldest first, optionally of one group. */
export async function pendingCards(db: Db, options: { groupNumber?: string; limit: number }): Promise<{ cards: IdCardView[]; more: boolean }> {
  const { rows } = await db.query<CardRow>(
    `${CARD_SELECT}
      where r.status = 'pending' and ($1::text is null or r.group_number = $1)
      order by r.requested_at, r.id limit $2`,
    [options.groupNumber ?? null, options.limit + 1],
  );
  return { cards: rows.slice(0, options.limit).map(toView), more: rows.length > options.limit };
}

export interface MarkSentResult {
  /** sent: done (or refused, nothing changed, when some ids are unknown). */
  status: 'marked' | 'refused';
  at: Date;
  /** Marked sent by this call. */
  marked: string[];
  /** Already marked sent before: unchanged (marking is idempotent). */
  alreadySent: string[];
  /** Replaced by a newer card of the family before it was marked: left cancelled. */
  cancelled: string[];
  /** No such request: the whole call is refused and nothing is marked. */
  unknown: string[];
}

/**
 * Marks the requests sent (status printed, printed_at = `at`) in one transaction. Every id
 * must name a request: one unknown id refuses the whole call (nothing changes), so a typo
 * never half-records a print run. A request already sent is left as it is; a cancelled one
 * (replaced by a newer card before the printer reported) stays cancelled and is listed.
 */
export async function markCardsSent(db: Db, requestIds: readonly string[], at: Date): Promise<MarkSentResult> {
  const ids = [...new Set(requestIds)];
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; status: string }>(
      'select id::text as id, status from id_card_request where id = any($1::bigint[]) order by id for update',
      [ids],
    );
    const status = new Map(rows.map((r) => [r.id, r.status]));
    const result: MarkSentResult = { status: 'marked', at, marked: [], alreadySent: [], cancelled: [], unknown: [] };
    for (const id of ids) {
      const s = status.get(id);
      if (s === undefined) result.unknown.push(id);
      else if (s === 'printed') result.alreadySent.push(id);
      else if (s === 'cancelled') result.cancelled.push(id);
      else if (s === 'pending') result.marked.push(id);
      else throw new EdiBridgeError('INTERNAL', `card request ${id} has an unknown status`);
    }
    if (result.unknown.length) return { ...result, status: 'refused', marked: [] };
    if (result.marked.length) {
      await tx.query(
        `update id_card_request set status = 'printed', printed_at = $2 where id = any($1::bigint[]) and status = 'pending'`,
        [result.marked, at.toISOString()],
      );
    }
    return result;
  });
}
