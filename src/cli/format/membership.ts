/** A family and a census as a person reads them (PHI: shown only to whoever runs the command). */
import type { Census } from '../../membership/census.js';
import type { FamilyView } from '../../membership/member-view.js';

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
  return lines.join('\n');
}
