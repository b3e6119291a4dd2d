/** The employer portal's pages: files in plain words, open items and what to send, census, verification, ID cards. */
import { z } from 'zod';
import { recordPhiView, Reason } from '../../access/audit.js';
import { requireGroup, scopeParams } from '../../access/principal.js';
import { PARTNER_ROLES } from '../../access/roles.js';
import { ListFilesInput, listFiles, plainWords } from '../../mailbox/files.js';
import { censusOf } from '../../membership/service.js';
import { ReplacementInput, requestReplacementCard, verifyMembers } from '../../membership/portal.js';
import { queuePage } from '../api/queue.js';
import { route, type RouteDef } from '../routes.js';
import { Messages } from './account.js';
import { act, sendPage } from './forms.js';
import { html, qs } from './html.js';
import { csrfField, page } from './layout.js';

const COMPOSITION_WORDS: Record<string, string> = { employee: 'Employee only', 'employee-spouse': 'Employee + spouse', 'employee-children': 'Employee + children', family: 'Family' };

export const portalPages: RouteDef[] = [
  route({
    method: 'GET',
    url: '/portal',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show the employer portal',
    query: z.object(Messages),
    async handler({ db, now, principal, session, query, reply }) {
      const [groups, partners] = scopeParams(principal.scope);
      const { rows: gs } = await db.query<{ group_number: string; name: string }>('select group_number, name from employer_group where $1::text[] is null or group_number = any($1) order by group_number limit 200', [groups]);
      const files = await listFiles(db, ListFilesInput.parse({ limit: 20 }), partners);
      const items = await queuePage(db, principal, { sort: 'due', limit: 50, offset: 0, state: undefined, category: undefined, group: undefined, partner: undefined, overdue: undefined, desc: undefined }, now);
      const open = items.items.filter((i) => i['state'] === 'open' || i['state'] === 'in_progress');
      return sendPage(
        reply,
        page(
          { title: `${principal.organisationName}`, principal, csrf: session.csrfToken, path: '/portal', flash: query.flash, error: query.error },
          html`<div class="panel"><form class="inline" method="get" action="/portal/verify"><strong>Verify an employee or dependent</strong>
<input name="q" placeholder="member ID, or Last, First" required size="26"><input name="reason" placeholder="why (e.g. provider call)" required size="22"><button>Verify</button></form></div>
<h2>Your groups</h2><table><thead><tr><th>Group</th><th>Name</th><th>Enrollment</th></tr></thead><tbody>
${gs.map((g) => html`<tr><td>${g.group_number}</td><td>${g.name}</td><td><a href="/portal/census/${g.group_number}">census</a> · <a href="/api/groups/${g.group_number}/census?format=csv">download CSV</a> · <a href="/invoices">invoices</a></td></tr>`)}</tbody></table>
<h2>Open items: what we need from you</h2>${open.length === 0 ? html`<p class="muted">Nothing is waiting on you.</p>` : html`<table><thead><tr><th>#</th><th>Group</th><th>Due</th><th>What to send</th></tr></thead><tbody>
${open.map((i) => html`<tr class="${i['overdue'] ? 'overdue' : ''}"><td><a href="/queue/${String(i['id'])}">${String(i['id'])}</a></td><td>${String(i['groupNumber'] ?? '—')}</td><td>${i['dueAt'] as Date}</td><td>${String(i['description'])}</td></tr>`)}</tbody></table>`}
<h2>Your files</h2><table><thead><tr><th>Received</th><th>File</th><th>What happened</th></tr></thead><tbody>
${files.map((f) => html`<tr><td>${f.receivedAt}</td><td><a href="/files/${f.id}">${f.name}</a></td><td>${plainWords(f)}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/portal/census/:group',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: "Show a group's census",
    params: z.object({ group: z.string().trim().min(1).max(50) }),
    query: z.object({ on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }),
    async handler({ db, now, principal, session, params, query, reply }) {
      requireGroup(principal.scope, params.group);
      const on = query.on ?? now.toISOString().slice(0, 10);
      const c = await censusOf(db, { groupNumber: params.group, on });
      return sendPage(
        reply,
        page(
          { title: `Enrollment of ${params.group} on ${on}`, principal, csrf: session.csrfToken, path: '/portal' },
          c
            ? html`<div class="cards">${Object.entries(c.byComposition).map(([k, v]) => html`<div class="card"><div class="n">${v}</div>${COMPOSITION_WORDS[k] ?? k}</div>`)}
<div class="card"><div class="n">${c.subscribers}</div>employees</div><div class="card"><div class="n">${c.dependents}</div>dependents</div></div>
<h2>Coverages by line and level</h2><table><thead><tr><th>Line</th><th>Level</th><th>Members</th></tr></thead><tbody>
${Object.entries(c.coverages).flatMap(([line, levels]) => Object.entries(levels).map(([level, n]) => html`<tr><td>${line}</td><td>${level}</td><td>${n}</td></tr>`))}</tbody></table>
<p><a href="/api/groups/${params.group}/census${qs({ on, format: 'csv' })}">Download CSV</a></p>`
            : html`<p>No such group.</p>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/portal/verify',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Verify a member',
    query: z.object({ q: z.string().trim().min(2).max(120), reason: Reason, ...Messages }),
    async handler({ db, now, principal, session, query, reply, request }) {
      const items = await verifyMembers(db, scopeParams(principal.scope)[0], { q: query.q }, now.toISOString().slice(0, 10));
      await recordPhiView(db, principal, { action: 'member-verify', subject: `${items.length} member(s)${items.length ? `: ${items.slice(0, 5).map((m) => m.memberId).join(' ')}` : ''}`, reason: query.reason, client: request.ip }, now);
      const canAsk = PARTNER_ROLES.includes(principal.role);
      return sendPage(
        reply,
        page(
          { title: 'Verification', principal, csrf: session.csrfToken, path: '/portal', flash: query.flash, error: query.error },
          items.length === 0
            ? html`<p>No member of your groups matches.</p>`
            : html`<table><thead><tr><th>Member</th><th>Name</th><th>Group</th><th>Relationship</th><th>Covered today</th><th>Coverages</th><th>ID card</th></tr></thead><tbody>
${items.map((m) => html`<tr><td>${m.memberId}</td><td>${m.lastName ?? ''}, ${m.firstName ?? ''}</td><td>${m.groupNumber}</td><td>${m.subscriber ? 'employee' : m.relationship === '01' ? 'spouse' : 'dependent'}</td>
<td>${m.active ? html`<span class="badge resolved">yes</span>` : html`<span class="badge rejected">no</span>`} <span class="muted">${m.eligibilityBegin} – ${m.eligibilityEnd ?? ''}</span></td>
<td>${m.coverages.map((c) => `${c.insuranceLine} ${c.planId}`).join(', ')}</td>
<td>${m.card ? `${m.card.status} (${m.card.requestedAt.toISOString().slice(0, 10)})` : 'none'}${m.replacementRequested ? ' · replacement requested' : ''}
${canAsk && m.active && !m.replacementRequested ? html`<form class="inline" method="post" action="/portal/cards/replace">${csrfField(session.csrfToken)}<input type="hidden" name="memberId" value="${m.memberId}">
<input type="hidden" name="back" value="${`/portal/verify${qs({ q: query.q, reason: query.reason })}`}"><select name="reason"><option>lost</option><option>stolen</option><option>damaged</option><option value="wrong-information">wrong information</option><option>other</option></select><button class="secondary">Request a replacement card</button></form>` : ''}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'POST',
    url: '/portal/cards/replace',
    access: PARTNER_ROLES,
    page: true,
    tag: 'console',
    summary: 'Ask for a replacement ID card',
    body: ReplacementInput.extend({ back: z.string().max(500).regex(/^\/portal\//).default('/portal') }),
    handler: ({ db, now, principal, body, reply }) =>
      act(reply, body.back, async () => {
        const r = await requestReplacementCard(db, scopeParams(principal.scope)[0], principal.userId, { memberId: body.memberId, reason: body.reason }, now);
        return `A replacement card for ${r.memberId} is requested.`;
      }),
  }),
];
