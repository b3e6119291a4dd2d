/** The held full files as pages: the list, and one file's preview with release and reject. */
import { z } from 'zod';
import { OPS_ROLES } from '../../access/roles.js';
import { getHeldFile, listHeldFiles, rejectHeldFile } from '../../enrollment/held-files.js';
import { releaseHeld } from '../api/held.js';
import { IdParam, route, type RouteDef } from '../routes.js';
import { Messages } from './account.js';
import { act, sendPage } from './forms.js';
import { html, money } from './html.js';
import { csrfField, page } from './layout.js';

export const heldPages: RouteDef[] = [
  route({
    method: 'GET',
    url: '/held',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Show held full files',
    query: z.object(Messages),
    async handler({ db, principal, session, reply }) {
      const items = await listHeldFiles(db, { limit: 200 });
      return sendPage(
        reply,
        page(
          { title: 'Held full files', principal, csrf: session.csrfToken, path: '/held' },
          html`<p class="muted">A full (replace) file that would end or queue more than its group's share of members waits here for a person.</p>
<table><thead><tr><th>#</th><th>File</th><th>Group</th><th>Would end or queue</th><th>Premium change / month</th><th>State</th></tr></thead><tbody>
${items.map((h) => html`<tr><td><a href="/held/${h.id}">${h.id}</a></td><td>${h.fileName}</td><td>${h.groupNumber}</td><td>${h.preview.ended + h.preview.queued}</td><td>${money(h.preview.premiumChangeCents)}</td><td><span class="badge ${h.state === 'held' ? 'open' : h.state === 'released' ? 'resolved' : 'rejected'}">${h.state}</span></td></tr>`)}</tbody></table>`,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/held/:id',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Show a held full file',
    params: IdParam,
    query: z.object(Messages),
    async handler({ db, principal, session, params, query, reply }) {
      const h = await getHeldFile(db, params.id);
      const p = h.preview;
      return sendPage(
        reply,
        page(
          { title: `Held full file ${h.id}: ${h.fileName}`, principal, csrf: session.csrfToken, path: '/held', flash: query.flash, error: query.error },
          html`<div class="panel"><p><span class="badge ${h.state === 'held' ? 'open' : h.state === 'released' ? 'resolved' : 'rejected'}">${h.state}</span> · partner ${h.partner} · group <strong>${h.groupNumber}</strong> · set ${h.setControl} · received ${h.receivedAt}${h.exceptionId ? html` · item <a href="/queue/${h.exceptionId}">${h.exceptionId}</a>` : ''}</p>
${h.decidedBy ? html`<p>Decided by ${h.decidedBy} at ${h.decidedAt}: ${h.note ?? ''}</p>` : ''}</div>
<h2>What it would change</h2><div class="cards" id="preview">
<div class="card"><div class="n" data-count="added">${p.added}</div>members added</div>
<div class="card"><div class="n" data-count="changed">${p.changed}</div>changed</div>
<div class="card bad"><div class="n" data-count="ended">${p.ended}</div>ended</div>
<div class="card warn"><div class="n" data-count="queued">${p.queued}</div>queued for review</div>
<div class="card"><div class="n" data-count="premium">${money(p.premiumChangeCents)}</div>monthly premium (${money(p.premiumBeforeCents)} → ${money(p.premiumAfterCents)} on ${p.premiumDay})</div></div>
<h2>By group</h2><table><thead><tr><th>Group</th><th>Members in force</th><th>Omitted by the file</th><th>Share</th><th>Hold above</th></tr></thead><tbody>
${p.groups.map((g) => html`<tr><td>${g.group}</td><td>${g.inForce}</td><td>${g.omitted}</td><td>${g.inForce ? ((100 * g.omitted) / g.inForce).toFixed(1) : '—'}%</td><td>${g.holdPercent}%</td></tr>`)}</tbody></table>
${h.state === 'held' ? html`<div class="panel"><form class="inline" method="post" action="/held/${h.id}/release">${csrfField(session.csrfToken)}<input name="note" placeholder="note (optional)" size="30"><button>Release: apply the file</button></form>
<form class="inline" method="post" action="/held/${h.id}/reject">${csrfField(session.csrfToken)}<input name="note" placeholder="why it is rejected" required size="30"><button class="secondary">Reject: apply nothing</button></form></div>` : ''}`,
        ),
      );
    },
  }),
  route({
    method: 'POST',
    url: '/held/:id/release',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Release a held full file',
    params: IdParam,
    body: z.object({ note: z.string().trim().max(4000).optional() }),
    handler: ({ db, app, principal, params, body, reply }) =>
      act(reply, `/held/${params.id}`, async () => {
        const r = await releaseHeld(db, app, params.id, principal.login, body.note || undefined);
        return `Released: the file was applied (${r.outcome.counts.terminated} terminated, ${r.outcome.counts.added} added).`;
      }),
  }),
  route({
    method: 'POST',
    url: '/held/:id/reject',
    access: OPS_ROLES,
    page: true,
    tag: 'console',
    summary: 'Reject a held full file',
    params: IdParam,
    body: z.object({ note: z.string().trim().min(1).max(4000) }),
    handler: ({ db, principal, params, body, reply }) =>
      act(reply, `/held/${params.id}`, async () => {
        await rejectHeldFile(db, { id: params.id, actor: principal.login, note: body.note });
        return 'Rejected: nothing of the file was applied.';
      }),
  }),
];
