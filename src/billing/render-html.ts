/**
 * The invoice as the employer reads it, as one self-contained HTML page (no scripts, no
 * external assets): header (plan, group, invoice number, period, bill and due dates), the
 * account summary (prior balance, payments received, current charges, adjustments, amount
 * due), the active members section, the adjustments section, and retroactive activity
 * awaiting review. Every value is escaped.
 */
import type { InvoiceStatement } from './statements.js';

const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Cents as dollars: 1234567 → "$12,345.67", −500 → "−$5.00". */
export function dollars(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}$${whole}.${String(abs % 100).padStart(2, '0')}`;
}

const LEVELS: Record<string, string> = { EMP: 'Employee', ESP: 'Employee + spouse', ECH: 'Employee + children', FAM: 'Family' };

function lineRows(lines: InvoiceStatement['lines']): string {
  if (lines.length === 0) return '<tr><td colspan="6" class="none">None</td></tr>';
  return lines
    .map(
      (l) =>
        `<tr><td>${esc(l.name)}<br><small>${esc(l.memberId)} · subscriber ${esc(l.subscriberNumber)}</small></td><td>${esc(l.planName)}</td>` +
        `<td>${esc(LEVELS[l.coverageLevel] ?? l.coverageLevel)}</td><td>${esc(l.periodStart)} – ${esc(l.periodEnd)}</td>` +
        `<td class="n">${l.months} × ${esc(dollars(l.monthlyRateCents))}</td><td class="n">${esc(dollars(l.amountCents))}</td></tr>`,
    )
    .join('\n');
}

export function renderInvoiceHtml(inv: InvoiceStatement, issuer = 'EDIBRIDGE HEALTH PLAN'): string {
  const active = inv.lines.filter((l) => l.section === 'active');
  const adjustments = inv.lines.filter((l) => l.section === 'adjustment');
  const review = inv.reviewItems
    .map((r) => `<tr><td>${esc(r.memberId)}</td><td>${esc(r.kind)}</td><td class="n">${r.months}</td><td class="n">${esc(dollars(r.amountCents))}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${esc(inv.invoiceNumber)} · ${esc(inv.groupName)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.5em 0 .5em;border-bottom:2px solid #245;padding-bottom:.2em}
header{display:flex;justify-content:space-between;gap:2em}dl{display:grid;grid-template-columns:auto auto;gap:.2em 1em;margin:0}dt{color:#555}dd{margin:0;text-align:right}
table{border-collapse:collapse;width:100%}th,td{padding:.35em .5em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}th{background:#f2f4f7}
.n{text-align:right;white-space:nowrap}.total td{font-weight:bold;border-top:2px solid #245}.due{font-size:1.3em;font-weight:bold}.none{color:#777;font-style:italic}
.flag{color:#a00;font-weight:bold}small{color:#666}
</style></head><body>
<header><div><h1>${esc(issuer)}</h1><p>Premium statement (list bill)</p><p><strong>${esc(inv.groupName)}</strong><br>Group ${esc(inv.groupNumber)}</p></div>
<dl><dt>Invoice</dt><dd>${esc(inv.invoiceNumber)}</dd><dt>Coverage period</dt><dd>${esc(inv.periodStart)} – ${esc(inv.periodEnd)}</dd>
<dt>Bill date</dt><dd>${esc(inv.billDate)}</dd><dt>Due date</dt><dd>${esc(inv.dueDate)}</dd>${inv.pastDue ? '<dt class="flag">Status</dt><dd class="flag">Past due</dd>' : ''}</dl></header>
<h2>Account summary</h2>
<table><tbody>
<tr><td>Prior balance</td><td class="n">${esc(dollars(inv.priorBalanceCents))}</td></tr>
<tr><td>Current charges (${active.length} active member line${active.length === 1 ? '' : 's'})</td><td class="n">${esc(dollars(inv.currentChargesCents))}</td></tr>
<tr><td>Adjustments (${adjustments.length})</td><td class="n">${esc(dollars(inv.adjustmentsCents))}</td></tr>
<tr class="total"><td>Amount due by ${esc(inv.dueDate)}</td><td class="n due">${esc(dollars(inv.amountDueCents))}</td></tr>
<tr><td>Payments received against this invoice</td><td class="n">${esc(dollars(inv.paidCents))}</td></tr>
</tbody></table>
<h2>Active members</h2>
<table><thead><tr><th>Subscriber</th><th>Plan</th><th>Coverage level</th><th>Period</th><th class="n">Months × rate</th><th class="n">Amount</th></tr></thead><tbody>
${lineRows(active)}
<tr class="total"><td colspan="5">Current charges</td><td class="n">${esc(dollars(inv.currentChargesCents))}</td></tr>
</tbody></table>
<h2>Adjustments</h2>
<p><small>Retroactive additions and terminations up to six months back.</small></p>
<table><thead><tr><th>Subscriber</th><th>Plan</th><th>Coverage level</th><th>Months</th><th class="n">Months × rate</th><th class="n">Amount</th></tr></thead><tbody>
${lineRows(adjustments)}
<tr class="total"><td colspan="5">Adjustments</td><td class="n">${esc(dollars(inv.adjustmentsCents))}</td></tr>
</tbody></table>
${review ? `<h2>Retroactive activity under review</h2><p><small>Older than six months: not billed until reviewed with you.</small></p>
<table><thead><tr><th>Member</th><th>Kind</th><th class="n">Months</th><th class="n">Amount</th></tr></thead><tbody>
${review}
</tbody></table>` : ''}
<p><small>Please quote invoice ${esc(inv.invoiceNumber)} in your payment remittance (RMR*IK).</small></p>
</body></html>
`;
}
