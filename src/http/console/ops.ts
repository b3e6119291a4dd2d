/** The ops console's pages: dashboard, queue (filters, saved views, bulk), item, files, partners, invoices. */
import { z } from 'zod';
import { recordPhiView, Reason } from '../../access/audit.js';
import { scopeParams, type Principal, requireGroup } from '../../access/principal.js';
import { OPS_ROLES, isOpsRole } from '../../access/roles.js';
import { getInvoice, listInvoices } from '../../billing/statements.js';
import { AGE_BUCKETS, AssignInput, CloseInput, assignExceptions, closeExceptions, commentException, isDueSoon, queueReport, selectItems } from '../../exceptions/actions.js';
import { EXCEPTION_CATEGORY_LIST, EXCEPTION_STATES, categoryTitle } from '../../exceptions/categories.js';
import { EXCEPTION_SORT_KEYS, exceptionHistory, type ExceptionRecord } from '../../exceptions/store.js';
import { dailyActivity } from '../../ingest/activity.js';
import { ListFilesInput, fileDetail, listFiles } from '../../mailbox/files.js';
import { partnerStatuses } from '../../mailbox/partner-status.js';
import { FilesQuery } from '../api/activity.js';
import { QueueQuery, itemPhi, outcome, queuePage, rerunItem, visibleItem } from '../api/queue.js';
import { IdParam, route, type RouteDef } from '../routes.js';
import { activityChart, barChart } from './charts.js';
import { act, sendPage } from './forms.js';
import { html, money, qs, type Html } from './html.js';
import { csrfField, page } from './layout.js';
import { Messages } from './account.js';

const ACTION_NOTE = z.string().trim().min(1).max(4000);

function stateBadge(e: Pick<ExceptionRecord, 'state' | 'overdue' | 'dueAt'>, now: Date): Html {
  return html`<span class="badge ${e.state}">${e.state.replace('_', ' ')}</span> ${e.overdue ? html`<span class="badge overdue">overdue</span>` : isDueSoon(e, now) ? html`<span class="badge due-soon">due soon</span>` : ''}`;
}

function queueTable(items: ReadonlyArray<Record<string, unknown>>, now: Date, partner: boolean): Html {
  return html`<table><thead><tr><th>#</th><th>Category</th><th>Group</th><th>Partner</th><th>Received</th><th>Due</th><th>State</th><th>Owner</th>${partner ? html`<th>What to send</th>` : ''}</tr></thead><tbody>
${items.map((raw) => {
  const e = raw as unknown as ExceptionRecord & { dueSoon: boolean };
  return html`<tr class="${e.overdue ? 'overdue' : e.dueSoon ? 'due-soon' : ''}"><td><a href="/queue/${e.id}">${e.id}</a></td><td>${categoryTitle(e.category)}</td><td>${e.groupNumber ?? '—'}</td><td>${e.partner}</td>
<td>${e.receivedAt}</td><td>${e.dueAt}</td><td>${stateBadge(e, now)}</td><td>${e.owner ?? '—'}</td>${partner ? html`<td>${e.description}</td>` : ''}</tr>`;
})}</tbody></table>`;
}

async function savedViews(ctx: { db: import('../../db/db.js').Db; principal: Principal }): Promise<Array<{ id: string; name: string; query: string }>> {
  const { rows } = await ctx.db.query<{ id: string; name: string; query: string }>('select id::text as id, name, query from saved_view where user_id = $1::bigint order by name', [ctx.principal.userId]);
  return rows;
}

export const opsPages: RouteDef[] = [
  route({
    method: 'GET',
    url: '/',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Go to your start page',
    handler: async ({ principal, reply }) => reply.redirect(isOpsRole(principal.role) ? '/dashboard' : '/portal', 303),
  }),
  route({
    method: 'GET',
    url: '/dashboard',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Show the dashboard',
    query: z.object(Messages),
    async handler({ db, now, principal, session, reply }) {
      const r = await queueReport(db, now);
      const days = await dailyActivity(db, now);
      const colors: Record<string, string> = { '0-8h': '#7cc49a', '8-24h': '#a9cf6b', '24-40h': '#e0c24a', '40-48h': '#e0a800', overdue: '#c0392b' };
      return sendPage(
        reply,
        page(
          { title: 'Dashboard', principal, csrf: session.csrfToken, path: '/dashboard' },
          html`<div class="cards">
<a class="card" href="/queue"><div class="n" data-count="open">${r.open}</div>open</a>
<a class="card warn" href="/queue?dueSoon=1"><div class="n" data-count="due-soon">${r.dueSoon}</div>due within 8 hours</a>
<a class="card ${r.overdue ? 'bad' : ''}" href="/queue?overdue=true"><div class="n" data-count="overdue">${r.overdue}</div>overdue${r.overdue ? ' ⚠ escalated' : ''}</a></div>
<div class="grid2" style="margin-top:14px"><div>${barChart('Open items by age', AGE_BUCKETS.map((b) => ({ label: b, value: r.byAge[b], color: colors[b]! })))}</div>
<div class="panel"><h2 style="margin-top:0">By category</h2><table><tbody>${Object.entries(r.byCategory).sort((a, b) => b[1] - a[1]).map(([k, v]) => html`<tr><td><a href="/queue${qs({ category: k })}">${categoryTitle(k as ExceptionRecord['category'])}</a></td><td>${v}</td></tr>`)}</tbody></table></div></div>
<h2>Files and transaction sets</h2>${activityChart(days)}
${r.overdueItems.length ? html`<h2>Overdue</h2><table><thead><tr><th>#</th><th>Category</th><th>Partner</th><th>Group</th><th>Due</th><th>Owner</th></tr></thead><tbody>
${r.overdueItems.slice(0, 20).map((o) => html`<tr class="overdue"><td><a href="/queue/${o.id}">${o.id}</a></td><td>${o.category}</td><td>${o.partner}</td><td>${o.groupNumber ?? '—'}</td><td>${o.dueAt}</td><td>${o.owner ?? '—'}</td></tr>`)}</tbody></table>` : ''}
<p><a href="/api/exceptions/report?format=csv">Download the queue report (CSV)</a></p>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/queue',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show the queue',
    query: z.object({ ...Messages, ...QueueQuery.shape, dueSoon: z.string().optional() }),
    async handler({ db, now, principal, session, query, reply }) {
      const { flash, error, dueSoon, ...filters } = query;
      const p = await queuePage(db, principal, { ...filters, ...(dueSoon ? { sort: 'due' as const } : {}) }, now);
      const items = dueSoon ? p.items.filter((i) => i['dueSoon']) : p.items;
      const ops = isOpsRole(principal.role);
      const views = await savedViews({ db, principal });
      const current = qs({ state: query.state, category: query.category, group: query.group, partner: query.partner, overdue: query.overdue, sort: query.sort, desc: query.desc });
      const sel = (name: string, options: readonly string[], value: string | undefined, any = 'any') =>
        html`<select name="${name}" aria-label="${name}"><option value="">${any}</option>${options.map((o) => html`<option ${o === value ? 'selected' : ''}>${o}</option>`)}</select>`;
      return sendPage(
        reply,
        page(
          { title: 'Exception queue', principal, csrf: session.csrfToken, path: '/queue', flash, error },
          html`<form class="panel inline" method="get" action="/queue" id="filters">
state ${sel('state', EXCEPTION_STATES, query.state)} category ${sel('category', EXCEPTION_CATEGORY_LIST, query.category)}
<input name="group" placeholder="group" value="${query.group ?? ''}" size="10"> ${ops ? html`<input name="partner" placeholder="partner" value="${query.partner ?? ''}" size="10">` : ''}
<label><input type="checkbox" name="overdue" value="true" ${query.overdue ? 'checked' : ''}> overdue only</label>
sort ${sel('sort', EXCEPTION_SORT_KEYS, query.sort, 'due')} <button type="submit">Filter</button></form>
<div class="panel">Saved views: ${views.length ? views.map((v) => html`<a href="/queue${v.query}">${v.name}</a> · `) : html`<span class="muted">none yet</span>`}
<form class="inline" method="post" action="/queue/views">${csrfField(session.csrfToken)}<input type="hidden" name="query" value="${current}"><input name="name" placeholder="name this view" required size="14"><button class="secondary">Save view</button></form></div>
${queueTable(items, now, !ops)}
<p>${p.offset > 0 ? html`<a href="/queue${qs({ ...filters, offset: Math.max(0, p.offset - p.limit) })}">← previous</a> ` : ''}${p.next !== null ? html`<a href="/queue${qs({ ...filters, offset: p.next })}">next →</a>` : ''}</p>
${ops && query.category ? html`<h2>Every open item of this cause</h2><form class="panel inline" method="post" action="/queue/bulk">${csrfField(session.csrfToken)}
<input type="hidden" name="category" value="${query.category}">${query.group ? html`<input type="hidden" name="group" value="${query.group}">` : ''}${query.partner ? html`<input type="hidden" name="partner" value="${query.partner}">` : ''}
<select name="action"><option>assign</option><option>resolve</option><option>reject</option></select><input name="owner" placeholder="owner (assign)"><input name="reason" placeholder="reason (resolve, reject)" size="30"><button>Apply to all</button></form>` : ''}`,
        ),
      );
    },
  }),
  route({
    method: 'POST',
    url: '/queue/views',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Save a queue view',
    body: z.object({ name: z.string().trim().min(1).max(80), query: z.string().max(1000).regex(/^(\?[A-Za-z0-9_=&%.+-]*)?$/, 'must be a queue query') }),
    handler: ({ db, principal, body, reply }) =>
      act(reply, `/queue${body.query}`, async () => {
        await db.query('insert into saved_view (user_id, name, query) values ($1::bigint, $2, $3) on conflict (user_id, name) do update set query = excluded.query', [principal.userId, body.name, body.query]);
        return `View "${body.name}" saved.`;
      }),
  }),
  route({
    method: 'POST',
    url: '/queue/bulk',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Act on every open item of a cause',
    body: z.object({ action: z.enum(['assign', 'resolve', 'reject']), category: z.enum(EXCEPTION_CATEGORY_LIST), group: z.string().optional(), partner: z.string().optional(), owner: z.string().optional(), reason: z.string().optional() }),
    handler: ({ db, principal, body, reply }) =>
      act(reply, `/queue${qs({ category: body.category, group: body.group, partner: body.partner })}`, async () => {
        const ids = await selectItems(db, { category: body.category, ...(body.group ? { group: body.group } : {}), ...(body.partner ? { partner: body.partner } : {}) });
        const out =
          body.action === 'assign'
            ? await assignExceptions(db, AssignInput.parse({ ids, owner: body.owner ?? '', actor: principal.login }))
            : await closeExceptions(db, CloseInput.parse({ ids, actor: principal.login, reason: body.reason ?? '', outcome: body.action === 'resolve' ? 'resolved' : 'rejected' }));
        return `${body.action}: ${out.filter((o) => o.ok).length} of ${ids.length} items done.`;
      }),
  }),
  route({
    method: 'GET',
    url: '/queue/:id',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show an exception',
    params: IdParam,
    query: z.object({ ...Messages, reason: z.string().max(500).optional() }),
    async handler(ctx) {
      const { db, now, principal, session, params, query, reply, request } = ctx;
      const e = await visibleItem(db, principal, params.id, now);
      const history = await exceptionHistory(db, e.id);
      const ops = isOpsRole(principal.role);
      const open = e.state === 'open' || e.state === 'in_progress';
      let phi: Html = html``;
      if (ops && query.reason !== undefined) {
        const reason = Reason.parse(query.reason);
        await recordPhiView(db, principal, { action: 'exception-phi', subject: `exception ${e.id}`, reason, client: request.ip }, now);
        const d = await itemPhi(ctx, e, now.toISOString().slice(0, 10));
        phi = html`<div class="panel phi" id="phi"><h2 style="margin-top:0">Member data (PHI, viewed for: ${reason})</h2>
<p>Subscriber ID in the file: <strong>${d.subscriberId ?? '—'}</strong></p>
${d.families.flatMap((f) => f.members).map((m) => html`<p><strong>${m.name.last ?? ''}, ${m.name.first ?? ''}</strong> ${m.memberId} · ${m.subscriber ? 'subscriber' : `dependent (${m.relationship})`} · born ${m.birthDate ?? '—'} · SSN …${m.ssnLast4 ?? '—'} · ${m.status}
· ${m.homeAddress.line1 ?? ''} ${m.homeAddress.city ?? ''} ${m.homeAddress.state ?? ''} ${m.homeAddress.zip ?? ''}<br><span class="muted">${m.coverages.map((c) => `${c.insuranceLine} ${c.planId} ${c.begin}–${c.end ?? ''}${c.cancelled ? ' cancelled' : ''}`).join('; ')}</span></p>`)}
${d.families.length === 0 ? html`<p class="muted">No member on file matches this item.</p>` : ''}
<h2>Segments around position ${e.segmentPosition ?? '—'}</h2>${d.segments.length ? html`<pre class="segments">${d.segments.map((s) => html`<span class="${s.flagged ? 'hit' : ''}">${String(s.position).padStart(4)}  ${s.text}</span>\n`)}</pre>` : html`<p class="muted">${d.segmentsNote ?? 'not found in the archived file'}</p>`}</div>`;
      }
      const f = (action: string, inner: Html, label: string) => html`<form class="inline" method="post" action="/queue/${e.id}/${action}">${csrfField(session.csrfToken)}${inner}<button>${label}</button></form>`;
      return sendPage(
        reply,
        page(
          { title: `Exception ${e.id}: ${categoryTitle(e.category)}`, principal, csrf: session.csrfToken, path: '/queue', flash: query.flash, error: query.error },
          html`<div class="panel"><p>${stateBadge(e, now)} · owner <strong>${e.owner ?? 'nobody'}</strong> · received ${e.receivedAt} · due <strong>${e.dueAt}</strong></p>
<p>${e.description}</p>
<p class="muted">Partner ${e.partner} · group ${e.groupNumber ?? '—'} · subgroup ${e.subgroup ?? '—'} · class ${e.classCode ?? '—'} · ${e.fileId ? html`file <a href="/files/${e.fileId}">${e.fileId}</a>` : 'no file'} · set ${e.setControl ?? '—'} · segment ${e.segmentPosition ?? '—'}${e.memberId ? html` · member ${e.memberId}` : ''}</p></div>
${ops ? html`<div class="panel">${open ? html`${f('assign', html`<input name="owner" placeholder="owner" value="${principal.login}" required>`, 'Assign')}
${f('rerun', html``, 'Re-run')}
${f('resolve', html`<input name="reason" placeholder="how it was resolved" required size="30">`, 'Resolve')}
${f('reject', html`<input name="reason" placeholder="why it is rejected" required size="30">`, 'Reject')}` : ''}
${f('comment', html`<input name="note" placeholder="comment" required size="40">`, 'Comment')}
<form class="inline" method="get" action="/queue/${e.id}#phi"><input name="reason" placeholder="why you need the member's data" required size="34"><button class="secondary">Show member data (audited)</button></form></div>` : html`<div class="panel"><strong>What to send:</strong> ${e.description}</div>`}
${phi}
<h2>History</h2><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Note</th></tr></thead><tbody>
${history.map((h) => html`<tr><td>${h.at}</td><td>${h.actor}</td><td>${h.kind === 'state' ? `${h.fromState ?? '—'} → ${h.toState}` : h.kind}</td><td>${h.note ?? ''}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'POST',
    url: '/queue/:id/assign',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Assign an exception',
    params: IdParam,
    body: z.object({ owner: z.string().trim().min(1).max(100) }),
    handler: ({ db, principal, params, body, reply }) =>
      act(reply, `/queue/${params.id}`, async () => {
        const [r] = await assignExceptions(db, AssignInput.parse({ ids: [params.id], owner: body.owner, actor: principal.login }));
        outcome(r!);
        return `Assigned to ${body.owner}.`;
      }),
  }),
  route({
    method: 'POST',
    url: '/queue/:id/comment',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Comment on an exception',
    params: IdParam,
    body: z.object({ note: ACTION_NOTE }),
    handler: ({ db, principal, params, body, reply }) =>
      act(reply, `/queue/${params.id}`, async () => {
        await commentException(db, { id: params.id, actor: principal.login, note: body.note });
        return 'Comment added.';
      }),
  }),
  route({
    method: 'POST',
    url: '/queue/:id/rerun',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Re-run an exception',
    params: IdParam,
    handler: ({ db, app, principal, params, reply }) =>
      act(reply, `/queue/${params.id}`, async () => {
        const r = await rerunItem({ db, app }, params.id, principal.login);
        return r.outcome === 'applied' ? 'Re-run applied the change: the item is resolved.' : `Re-run: still held — ${r.hold?.description ?? r.reason ?? 'see the history'}`;
      }),
  }),
  ...(['resolve', 'reject'] as const).map((action) =>
    route({
      method: 'POST',
      url: `/queue/:id/${action}`,
      access: OPS_ROLES,
      page: true,
      tag: 'console',
      summary: `${action === 'resolve' ? 'Resolve' : 'Reject'} an exception`,
      params: IdParam,
      body: z.object({ reason: ACTION_NOTE }),
      handler: ({ db, principal, params, body, reply }) =>
        act(reply, `/queue/${params.id}`, async () => {
          const [r] = await closeExceptions(db, CloseInput.parse({ ids: [params.id], actor: principal.login, reason: body.reason, outcome: action === 'resolve' ? 'resolved' : 'rejected' }));
          outcome(r!);
          return action === 'resolve' ? 'Resolved.' : 'Rejected.';
        }),
    }),
  ),
  route({
    method: 'GET',
    url: '/files',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show files',
    query: FilesQuery.extend(Messages).strip(),
    async handler({ db, principal, session, query, reply }) {
      const { flash: _f, error: _e, ...q } = query;
      const files = await listFiles(db, ListFilesInput.parse({ ...q, undelivered: q.undelivered ?? false }), scopeParams(principal.scope)[1]);
      return sendPage(
        reply,
        page(
          { title: 'Files', principal, csrf: session.csrfToken, path: '/files' },
          html`<table><thead><tr><th>#</th><th>File</th><th>Partner</th><th>Received</th><th>Status</th><th>Acknowledgements</th></tr></thead><tbody>
${files.map((f) => html`<tr><td><a href="/files/${f.id}">${f.id}</a></td><td>${f.name}</td><td>${f.partner}</td><td>${f.receivedAt}</td><td>${f.status}</td>
<td>${f.acks.map((a) => html`<span class="badge">${a.kind} ${a.delivery}${a.lastError ? ` (failing: ${a.lastError})` : ''}</span> `)}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/files/:id',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show a file',
    params: IdParam,
    async handler({ db, principal, session, params, reply }) {
      const f = await fileDetail(db, params.id, scopeParams(principal.scope)[1]);
      return sendPage(
        reply,
        page(
          { title: `File ${f.id}: ${f.name}`, principal, csrf: session.csrfToken, path: '/files' },
          html`<div class="panel"><p><strong>${f.plainWords}</strong></p><p class="muted">Partner ${f.partner} · received ${f.receivedAt} · ${f.bytes} bytes · interchange ${f.interchange ?? '—'} · SHA-256 ${f.sha256.slice(0, 16)}… · pulled ${f.pulls}×</p></div>
<h2>Acknowledgements</h2><table><thead><tr><th>Kind</th><th>Delivery</th><th>Attempts</th><th>Where</th><th>Last error</th></tr></thead><tbody>
${f.acks.map((a) => html`<tr><td>${a.kind}</td><td>${a.delivery}</td><td>${a.attempts}</td><td>${a.remotePath ?? '—'}</td><td>${a.lastError ?? ''}</td></tr>`)}</tbody></table>
<h2>Transaction sets</h2><table><thead><tr><th>Set</th><th>Type</th><th>Action</th><th>Status</th><th>What it applied</th></tr></thead><tbody>
${f.sets.map((s) => html`<tr><td>${s.setControl}</td><td>${s.transactionSet}</td><td>${s.action ?? ''}</td><td>${s.status}</td><td><code>${summaryLine(s.summary)}</code></td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/partners',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Show partners',
    async handler({ db, principal, session, reply }) {
      const ps = await partnerStatuses(db);
      return sendPage(
        reply,
        page(
          { title: 'Partners', principal, csrf: session.csrfToken, path: '/partners' },
          html`<table><thead><tr><th>Partner</th><th>Last pull</th><th>Last file</th><th>Files</th><th>Acks to deliver</th><th>Last error</th></tr></thead><tbody>
${ps.map((p) => html`<tr><td><a href="/files?partner=${p.id}">${p.id}</a> <span class="muted">${p.name ?? ''}</span></td><td>${p.lastPullAt ?? 'never'}</td><td>${p.lastFileAt ?? '—'}</td><td>${p.files}</td><td>${p.undelivered}</td><td>${p.lastError ? html`${p.lastError.at}: ${p.lastError.what}` : '—'}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/invoices',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show invoices',
    async handler({ db, principal, session, reply }) {
      const items = await listInvoices(db, { limit: 200, groups: scopeParams(principal.scope)[0] });
      return sendPage(
        reply,
        page(
          { title: 'Invoices', principal, csrf: session.csrfToken, path: '/invoices' },
          html`<table><thead><tr><th>Invoice</th><th>Group</th><th>Period</th><th>Due</th><th>Amount due</th><th>Paid</th><th></th></tr></thead><tbody>
${items.map((i) => html`<tr class="${i.pastDue ? 'overdue' : ''}"><td><a href="/invoices/${i.invoiceNumber}">${i.invoiceNumber}</a></td><td>${i.groupNumber} ${i.groupName}</td><td>${i.periodStart} – ${i.periodEnd}</td><td>${i.dueDate}</td><td>${money(i.amountDueCents)}</td><td>${money(i.paidCents)}</td><td>${i.pastDue ? html`<span class="badge overdue">past due</span>` : ''}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/invoices/:number',
    access: 'signed-in',
    page: true,
    tag: 'console',
    summary: 'Show an invoice',
    params: z.object({ number: z.string().regex(/^INV-[0-9]{6}-[0-9]{6}$/) }),
    async handler({ db, principal, session, params, reply }) {
      const inv = await getInvoice(db, params.number);
      requireGroup(principal.scope, inv.groupNumber, 'invoice');
      return sendPage(
        reply,
        page(
          { title: `Invoice ${inv.invoiceNumber}`, principal, csrf: session.csrfToken, path: '/invoices' },
          html`<div class="panel">${inv.groupNumber} ${inv.groupName} · period ${inv.periodStart} – ${inv.periodEnd} · due ${inv.dueDate}<br>
prior balance ${money(inv.priorBalanceCents)} · current charges ${money(inv.currentChargesCents)} · adjustments ${money(inv.adjustmentsCents)} · <strong>amount due ${money(inv.amountDueCents)}</strong> · paid ${money(inv.paidCents)} ${inv.pastDue ? html`<span class="badge overdue">past due</span>` : ''}</div>
<table><thead><tr><th>Member</th><th>Section</th><th>Plan</th><th>Level</th><th>Months</th><th>Rate</th><th>Amount</th></tr></thead><tbody>
${inv.lines.map((l) => html`<tr><td>${l.memberId}</td><td>${l.section}</td><td>${l.planId}</td><td>${l.coverageLevel ?? ''}</td><td>${l.months}</td><td>${money(l.monthlyRateCents)}</td><td>${money(l.amountCents)}</td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
];

/** A set's summary counts on one line (no PHI: counts only). */
function summaryLine(summary: Record<string, unknown>): string {
  const counts = (summary['counts'] ?? summary) as Record<string, unknown>;
  return Object.entries(counts)
    .filter(([, v]) => typeof v === 'number' && v > 0)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
