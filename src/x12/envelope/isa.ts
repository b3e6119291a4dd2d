/**
 * The ISA's fixed-width fields and what each fault is called in a TA1 (TA105).
 */
import type { Ta105 } from '../codes.js';
import type { Segment } from '../tokenize/segment.js';
import { isValidDateText, isValidTimeText } from '../validate/values.js';

/** ISA01..ISA16 widths: the ISA is fixed-width so its delimiters can be found by position. */
const WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
/** ISA05/ISA07 interchange ID qualifiers of the HIPAA guides. */
export const ID_QUALIFIERS: ReadonlySet<string> = new Set(['01', '14', '20', '27', '28', '29', '30', '33', 'ZZ']);
const SUPPORTED_VERSIONS = new Set(['00501']);

export interface IsaFields {
  authQualifier: string;
  securityQualifier: string;
  senderQualifier: string;
  sender: string;
  receiverQualifier: string;
  receiver: string;
  date: string;
  time: string;
  standards: string;
  version: string;
  control: string;
  ackRequested: string;
  usage: string;
}

export function readIsa(seg: Segment): IsaFields {
  return {
    authQualifier: seg.element(1),
    securityQualifier: seg.element(3),
    senderQualifier: seg.element(5),
    sender: seg.element(6),
    receiverQualifier: seg.element(7),
    receiver: seg.element(8),
    date: seg.element(9),
    time: seg.element(10),
    standards: seg.element(11),
    version: seg.element(12),
    control: seg.element(13),
    ackRequested: seg.element(14),
    usage: seg.element(15),
  };
}

export interface IsaCheckOptions {
  /** ISA08 values (trimmed) that are ours; empty means accept any receiver. */
  receiverIds?: ReadonlySet<string> | undefined;
}

/** Every fault in the ISA, in element order (the TA1 carries the first). */
export function checkIsa(seg: Segment, repetitionSeparatorValid: boolean, options: IsaCheckOptions): Ta105[] {
  const notes: Ta105[] = [];
  if (seg.count !== 16) notes.push('022');
  const f = readIsa(seg);
  const width = (i: number) => seg.length(i) === WIDTHS[i - 1];
  const blank = (s: string) => s.trim() === '';
  if (!width(1) || !['00', '03'].includes(f.authQualifier)) notes.push('010');
  if (!width(2)) notes.push('011');
  if (!width(3) || !['00', '01'].includes(f.securityQualifier)) notes.push('012');
  if (!width(4)) notes.push('013');
  if (!width(5) || !ID_QUALIFIERS.has(f.senderQualifier)) notes.push('005');
  if (!width(6) || blank(f.sender)) notes.push('006');
  if (!width(7) || !ID_QUALIFIERS.has(f.receiverQualifier)) notes.push('007');
  if (!width(8) || blank(f.receiver)) notes.push('008');
  else if (options.receiverIds && options.receiverIds.size > 0 && !options.receiverIds.has(f.receiver.trim())) notes.push('009');
  if (!width(9) || !isValidDateText(f.date)) notes.push('014');
  if (!width(10) || !isValidTimeText(f.time)) notes.push('015');
  if (!/^\d{5}$/.test(f.version)) notes.push('017');
  else if (f.version <= '00401' && f.standards !== 'U') notes.push('002');
  else if (!SUPPORTED_VERSIONS.has(f.version)) notes.push('003');
  // Many 5010 senders still write the 4010 "U" here: read it as "no repetition separator".
  else if (!repetitionSeparatorValid && f.standards !== 'U') notes.push('016');
  if (!/^\d{9}$/.test(f.control)) notes.push('018');
  if (!['0', '1'].includes(f.ackRequested)) notes.push('019');
  if (!['P', 'T'].includes(f.usage)) notes.push('020');
  return notes;
}
