/** The console's page frame: navigation by role, the signed-in user, sign-out, and the CSS. */
import type { Principal } from '../../access/principal.js';
import { isOpsRole } from '../../access/roles.js';
import { html, raw, type Html } from './html.js';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;background:#f4f6f9}
header{display:flex;align-items:center;gap:18px;background:#14324f;color:#fff;padding:0 20px;height:48px}
header .brand{font-weight:700;letter-spacing:.3px}header nav a{color:#cfe0f2;text-decoration:none;margin-right:14px}header nav a.on,header nav a:hover{color:#fff;text-decoration:underline}
header .me{margin-left:auto;display:flex;gap:10px;align-items:center;color:#cfe0f2}header form{margin:0}
main{padding:18px 22px;max-width:1280px}h1{font-size:20px;margin:4px 0 14px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dee6}th,td{text-align:left;padding:6px 9px;border-bottom:1px solid #e6ebf0;vertical-align:top}
th{background:#eef2f6;font-weight:600;font-size:13px}tr.overdue td{background:#fff1f0}tr.due-soon td{background:#fff9e6}
.cards{display:flex;gap:12px;flex-wrap:wrap}a.card{color:inherit;text-decoration:none}.card{background:#fff;border:1px solid #d8dee6;border-radius:6px;padding:12px 16px;min-width:150px}
.card .n{font-size:28px;font-weight:700}.card.warn{border-color:#e0a800}.card.bad{border-color:#c0392b;color:#c0392b}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;background:#e6ebf0}.badge.overdue{background:#c0392b;color:#fff}.badge.due-soon{background:#e0a800;color:#1d2733}
.badge.open{background:#dbe9f7}.badge.in_progress{background:#fdebd0}.badge.resolved{background:#d4efdf}.badge.rejected{background:#eadbd8}
form.inline{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap;margin:4px 0}input,select,textarea,button{font:inherit}input,select,textarea{padding:4px 6px;border:1px solid #b8c2cc;border-radius:4px}
button{padding:5px 12px;border:1px solid #14324f;background:#14324f;color:#fff;border-radius:4px;cursor:pointer}button.secondary{background:#fff;color:#14324f}
.panel{background:#fff;border:1px solid #d8dee6;border-radius:6px;padding:12px 16px;margin:10px 0}.flash{background:#e8f6ec;border:1px solid #8fd19e;padding:8px 12px;border-radius:4px;margin-bottom:12px}
.error{background:#fdecea;border:1px solid #e6a19a;padding:8px 12px;border-radius:4px;margin-bottom:12px}.muted{color:#5d6b7a}pre.segments{background:#0f1b26;color:#d7e3ee;padding:10px;border-radius:4px;overflow:auto}
pre.segments .hit{background:#8a6d00;color:#fff}.phi{border-left:4px solid #c0392b}.grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.signin{max-width:360px;margin:80px auto;background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:24px}.signin label{display:block;margin:10px 0 4px}.signin input{width:100%}
`;

interface NavItem {
  href: string;
  label: string;
  show(p: Principal): boolean;
}

const NAV: NavItem[] = [
  { href: '/dashboard', label: 'Dashboard', show: (p) => isOpsRole(p.role) },
  { href: '/portal', label: 'Portal', show: (p) => !isOpsRole(p.role) },
  { href: '/queue', label: 'Queue', show: () => true },
  { href: '/held', label: 'Held files', show: (p) => isOpsRole(p.role) },
  { href: '/files', label: 'Files', show: () => true },
  { href: '/partners', label: 'Partners', show: (p) => isOpsRole(p.role) },
  { href: '/invoices', label: 'Invoices', show: () => true },
  { href: '/users', label: 'Users', show: (p) => p.role === 'ops-admin' || p.role === 'partner-admin' },
  { href: '/audit', label: 'Audit', show: (p) => p.role === 'ops-admin' },
];

export interface PageOptions {
  title: string;
  principal?: Principal;
  csrf?: string;
  /** The path of the page, to mark its navigation link. */
  path?: string;
  flash?: string | undefined;
  error?: string | undefined;
}

export function page(o: PageOptions, body: Html): Html {
  const p = o.principal;
  const nav = p
    ? html`<nav>${NAV.filter((n) => n.show(p)).map((n) => html`<a href="${n.href}" class="${o.path?.startsWith(n.href) ? 'on' : ''}">${n.label}</a>`)}</nav>
        <div class="me"><span>${p.displayName} · ${p.role} · ${p.organisationName}</span>
        <form method="post" action="/sign-out"><input type="hidden" name="_csrf" value="${o.csrf ?? ''}"><button class="secondary" type="submit">Sign out</button></form></div>`
    : html``;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · edibridge</title><style>${raw(CSS)}</style></head>
<body><header><span class="brand">edibridge</span>${nav}</header><main>
${o.flash ? html`<div class="flash" role="status">${o.flash}</div>` : ''}${o.error ? html`<div class="error" role="alert">${o.error}</div>` : ''}
<h1>${o.title}</h1>${body}</main></body></html>`;
}

/** A hidden CSRF field for a form. */
export const csrfField = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}">`;
