/** A family and a census as a person reads them (PHI: shown only to whoever runs the command). */
import type { Census } from '../../membership/census.js';
import type { IdCardView, MarkSentResult } from '../../membership/id-cards.js';
import type { FamilyView } from '../../membership/member-view.js';
import type { Address, Composition } from '../../membership/model.js';

const COMPOSITION_TITLES = {
  employee: 'Employee only',
  'employee-spouse': 'Employee + spouse',
  'employee-children': 'Employee + children',
  family: 'Family',
} as const;

export function formatCensus(c: Census): string {
  const lines = [`Group ${c.groupNumber} on ${c.on}: ${c.subscribers} subscribers, ${c.dependents} dependents, ${c.subscribers + c.dependents} members`];
  for (const [k, title] of Object.entries(COMPOSITION_TITLES) as Array<[keyof typeof COMPOSITION_TITLES, string]>) {
    lines.push(`  ${title.padEnd(22)}${String(c.byComposition[k]).padStart(9)}`);
  }
  const lines2 = Object.entries(c.coverages);
  if (lines2.length) {
    lines.push('Coverages in force:');
    for (const [line, levels] of lines2) {
      lines.push(`  ${line.padEnd(5)}${Object.entries(levels).map(([lvl, n]) => `${lvl} ${n}`).join(', ')}`);
    }
  }
  const byLine = Object.entries(c.levels);
  if (byLine.length) {
    const keys = Object.keys(COMPOSITION_TITLES) as Composition[];
    const widths = keys.map((k) => Math.max(COMPOSITION_TITLES[k].length, 5));
    lines.push('Subscribers by the coverage level sent (HD05) beside the dependents in force on the line:');
    lines.push(`  ${'line'.padEnd(6)}${'level'.padEnd(7)}${keys.map((k, i) => COMPOSITION_TITLES[k].padStart(widths[i]! + 2)).join('')}`);
    for (const [line, byLevel] of byLine) {
      for (const [level, counts] of Object.entries(byLevel)) {
        lines.push(`  ${line.padEnd(6)}${level.padEnd(7)}${keys.map((k, i) => String(counts[k]).padStart(widths[i]! + 2)).join('')}`);
      }
    }
    if (c.disagreements.length === 0) lines.push('  Every coverage level agrees with the dependents in force.');
    for (const d of c.disagreements) lines.push(`  ${d.explanation}.`);
  }
  return `${lines.join('\n')}\n`;
}

function addressLine(a: Address | null): string {
  if (!a) return 'no address on file';
  return [a.line1, a.line2, a.city, [a.state, a.zip].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** One card: request id, status, who is on it and where it is mailed (PHI). */
function cardLines(card: IdCardView, indent: string, withFamily: boolean): string[] {
  const when = card.status === 'pending' ? `pending since ${card.requestedAt.toISOString().slice(0, 16)}Z` : `sent${card.printedAt ? ` ${card.printedAt.toISOString().slice(0, 16)}Z` : ''}`;
  const family = withFamily ? ` group ${card.groupNumber} subscriber number ${card.subscriberNumber}` : '';
  const to = card.mailTo.to === 'subscriber' ? 'the subscriber' : 'the custodial parent';
  return [
    `${indent}request ${card.requestId}${family} card ${card.cardNumber}: ${when} (file ${card.fileId})`,
    `${indent}  on it: ${card.members.map((m) => `${m.memberId} ${m.name || '-'}${m.subscriber ? '' : ` (${m.relationship})`}`).join('; ')}`,
    `${indent}  mailed to ${to}: ${card.mailTo.name || '-'}, ${addressLine(card.mailTo.address)}`,
  ];
}

export function formatPendingCards(r: { cards: IdCardView[]; more: boolean }, limit: number): string {
  if (r.cards.length === 0) return 'No ID card waits for the printer.\n';
  const lines = [`${r.cards.length} ID card${r.cards.length === 1 ? '' : 's'} waiting for the printer, oldest first${r.more ? ` (the first ${limit}; more wait)` : ''}:`];
  for (const c of r.cards) lines.push(...cardLines(c, '  ', true));
  return `${lines.join('\n')}\n`;
}

export function formatMarkSent(r: MarkSentResult): string {
  const list = (ids: string[]): string => ids.join(', ');
  const lines: string[] = [];
  if (r.status === 'refused') {
    lines.push(`Nothing marked: no ID card request ${list(r.unknown)}. Check the ids (edibridge cards pending lists them).`);
  } else {
    lines.push(`${r.marked.length} ID card request${r.marked.length === 1 ? '' : 's'} marked sent at ${r.at.toISOString()}${r.marked.length ? `: ${list(r.marked)}` : ''}`);
    if (r.alreadySent.length) lines.push(`  already marked sent, unchanged: ${list(r.alreadySent)}`);
    if (r.cancelled.length) lines.push(`  cancelled before they were marked (a newer card replaces them), left cancelled: ${list(r.cancelled)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatFamily(f: FamilyView, on: string): string {
  const lines = [`Group ${f.groupNumber}, subscriber number ${f.subscriberNumber} (status on ${on})`];
  for (const m of f.members) {
    const name = [m.name.first, m.name.middle, m.name.last, m.name.suffix].filter(Boolean).join(' ');
    const ends = m.eligibilityEnd ? ` through ${m.eligibilityEnd}` : '';
    lines.push(
      `  ${m.memberId}  ${m.subscriber ? 'subscriber' : `dependent (${m.relationship})`}  ${name || '-'}  born ${m.birthDate ?? '-'}  SSN ${m.ssnLast4 ? `***-**-${m.ssnLast4}` : '-'}`,
      `    ${m.status}, eligible from ${m.eligibilityBegin}${ends}; class ${m.classCode}${m.subgroup ? `, subgroup ${m.subgroup}` : ''}${m.benefitStatus === 'C' ? ', COBRA' : ''}`,
    );
    for (const c of m.coverages) {
      lines.push(`    ${c.insuranceLine} ${c.planId} ${c.coverageLevel ?? '-'} ${c.begin} → ${c.cancelled ? 'cancelled' : c.end ?? 'open'}`);
    }
    for (const h of m.history) {
      lines.push(`    ${h.at.toISOString().slice(0, 16)}Z ${h.action}${h.effectiveDate ? ` effective ${h.effectiveDate}` : ''}${h.changed.length ? ` (${h.changed.join(', ')})` : ''} from file ${h.fileId} ISA13 ${h.interchangeControl} set ${h.setControl}${h.segmentPosition ? ` segment ${h.segmentPosition}` : ''}`);
    }
  }
  lines.push(f.cards.length ? '  ID cards:' : '  ID cards: none pending or sent');
  for (const c of f.cards) lines.push(...cardLines(c, '    ', false));
  return lines.join('\n');
}
