/**
 * The HTTP API and console as every role and as nobody (walking the route table), partner
 * isolation, the PHI audit, sign-in rules under a controllable clock (lockout, password age,
 * inactivity, idle sessions), CSRF and the session cookie's flags, and the OpenAPI document.
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/access/roles.js';
import { ALL_ROUTES } from '../../src/http/web.js';
import type { RouteDef } from '../../src/http/routes.js';
import { PASSWORD, USERS, WORLD_NOW, createWebWorld, signIn, type Client, type WebWorld } from './world.js';

const DAY = 24 * 3600e3;

describe('web API and console (PostgreSQL)', () => {
  let w: WebWorld;
  const clients = {} as Record<keyof typeof USERS, Client>;

  beforeAll(async () => {
    w = await createWebWorld();
    for (const k of Object.keys(USERS) as Array<keyof typeof USERS>) clients[k] = await signIn(w.base, USERS[k].login);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  const byRole = (role: Role): Client => clients[(Object.keys(USERS) as Array<keyof typeof USERS>).find((k) => USERS[k].role === role)!];

  /** A concrete path for a route: ids of things every role's organisation can name. */
  function pathOf(r: RouteDef): string {
    return r.url
      .replace(':id', r.url.startsWith('/files') || r.url.startsWith('/api/files') ? '1' : r.url.includes('held') ? '999999' : w.items.acmeHeld)
      .replace(':login', 'nobody.here')
      .replace(':number', 'INV-202612-000001')
      .replace(':group', 'GRP10045')
      .replace(':trace', 'NO-SUCH-TRACE');
  }

  /** Whether the answer is an access refusal (not signed in, or not allowed). */
  async function refusal(r: Response, page: boolean): Promise<'signed-out' | 'forbidden' | undefined> {
    if (page && r.status === 303 && (r.headers.get('location') ?? '').startsWith('/sign-in')) return 'signed-out';
    if (r.status !== 401 && r.status !== 403) return undefined;
    if (page) return r.status === 403 ? 'forbidden' : 'signed-out';
    const body = (await r.json()) as { error: { code: string } };
    return body.error.code === 'UNAUTHENTICATED' ? 'signed-out' : body.error.code === 'FORBIDDEN' ? 'forbidden' : undefined;
  }

  // Sign-out ends the caller's session: tested on its own below.
  const walked = ALL_ROUTES.filter((r) => !(r.url === '/api/session' && r.method === 'DELETE') && r.url !== '/sign-out');

  it('every route refuses nobody, refuses the roles it does not name, and serves the ones it does', async () => {
    const table: string[] = [];
    for (const r of walked) {
      const path = pathOf(r);
      const body = r.method === 'GET' ? undefined : {};
      const anon = await fetch(`${w.base}${path}`, { method: r.method, redirect: 'manual', ...(body ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      const anonRefused = await refusal(anon, r.page === true);
      if (r.access === 'public') expect(anonRefused, `${r.method} ${r.url} is public`).toBeUndefined();
      else expect(anonRefused, `${r.method} ${r.url} as nobody (${anon.status})`).toBe('signed-out');
      for (const role of ROLES) {
        const res = await byRole(role).call(r.method, path, body);
        const got = await refusal(res, r.page === true);
        const allowed = r.access === 'public' || r.access === 'signed-in' || r.access.includes(role);
        table.push(`${r.method} ${r.url} ${role}: ${res.status}`);
        if (allowed) expect(got, `${r.method} ${r.url} as ${role} (${res.status})`).toBeUndefined();
        else expect(got, `${r.method} ${r.url} as ${role} (${res.status})`).toBe('forbidden');
      }
    }
    expect(table.length).toBe(walked.length * ROLES.length);
  }, 120_000);

  it('a partner user sees only its own organisation’s items, files, groups and members', async () => {
    const acme = clients.acmeUser;
    const list = (await (await acme.call('GET', '/api/exceptions?limit=1000')).json()) as { items: Array<{ id: string; groupNumber: string | null; partner: string }> };
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((i) => i.groupNumber === 'GRP10045' || (i.groupNumber === null && i.partner === 'acme'))).toBe(true);
    expect(list.items.map((i) => i.id)).not.toContain(w.items.summitHeld);
    // Another organisation's item reads as unknown, through the API and the console.
    expect((await acme.call('GET', `/api/exceptions/${w.items.summitHeld}`)).status).toBe(404);
    expect((await acme.call('GET', `/queue/${w.items.summitHeld}`)).status).toBe(404);
    const page = await (await acme.call('GET', '/queue')).text();
    expect(page).toContain(`/queue/${w.items.acmeHeld}`);
    expect(page).not.toContain(`/queue/${w.items.summitHeld}`);
    // Summit sees its own, not Acme's.
    expect((await clients.summitUser.call('GET', `/api/exceptions/${w.items.summitHeld}`)).status).toBe(200);
    expect((await clients.summitUser.call('GET', `/api/exceptions/${w.items.acmeHeld}`)).status).toBe(404);
    // Files: only the partner's own.
    const files = (await (await acme.call('GET', '/api/files')).json()) as { items: Array<{ id: string; partner: string }> };
    expect(files.items.length).toBeGreaterThan(0);
    expect(files.items.every((f) => f.partner === 'acme')).toBe(true);
    const summitFile = ((await (await clients.ops.call('GET', '/api/files?partner=summit-tpa')).json()) as { items: Array<{ id: string }> }).items[0]!;
    expect((await acme.call('GET', `/api/files/${summitFile.id}`)).status).toBe(404);
    // Groups, census, members.
    const groups = (await (await acme.call('GET', '/api/groups')).json()) as { items: Array<{ groupNumber: string }> };
    expect(groups.items.map((g) => g.groupNumber)).toEqual(['GRP10045']);
    expect((await acme.call('GET', '/api/groups/GRP20311/census')).status).toBe(404);
    expect((await acme.call('GET', '/api/groups/GRP10045/census')).status).toBe(200);
    const summitMember = await w.db.query<{ member_id: string }>("select member_id from member where group_number <> 'GRP10045' limit 1");
    if (summitMember.rows[0]) {
      const v = (await (await acme.call('GET', `/api/members/verify?q=${summitMember.rows[0].member_id}&reason=provider%20call`)).json()) as { items: unknown[] };
      expect(v.items).toEqual([]);
    }
    const own = (await (await acme.call('GET', '/api/members/verify?q=EB0000000001&reason=provider%20call')).json()) as { items: Array<{ groupNumber: string }> };
    expect(own.items.every((m) => m.groupNumber === 'GRP10045')).toBe(true);
  });

  it('viewing an item’s PHI as ops writes an audit row; a partner user is refused and nothing is written', async () => {
    const before = await w.db.query<{ n: number }>('select count(*)::int as n from phi_audit');
    const r = await clients.ops.call('GET', `/api/exceptions/${w.items.acmeHeld}/phi?reason=${encodeURIComponent('calling the employer back')}`);
    expect(r.status).toBe(200);
    const phi = (await r.json()) as { subscriberId: string; segments: Array<{ text: string; flagged: boolean }> };
    expect(phi.subscriberId).toBe('880000001');
    expect(phi.segments.some((s) => s.flagged && s.text.startsWith('INS*Y*18*021'))).toBe(true);
    const rows = await w.db.query<{ user_login: string; action: string; subject: string; reason: string; at: Date }>('select user_login, action, subject, reason, at from phi_audit order by id desc limit 1');
    expect(rows.rows[0]).toMatchObject({ user_login: USERS.ops.login, action: 'exception-phi', subject: `exception ${w.items.acmeHeld}`, reason: 'calling the employer back', at: w.clock.now });
    // Without a reason: refused, and not audited.
    expect((await clients.ops.call('GET', `/api/exceptions/${w.items.acmeHeld}/phi`)).status).toBe(400);
    // A partner user: refused.
    const refused = await clients.acmeUser.call('GET', `/api/exceptions/${w.items.acmeHeld}/phi?reason=curious`);
    expect(refused.status).toBe(403);
    const after = await w.db.query<{ n: number }>('select count(*)::int as n from phi_audit');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    // The audit log: ops admins read and export it; ops do not.
    const csv = await clients.opsAdmin.call('GET', '/api/audit?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain(`exception-phi,exception ${w.items.acmeHeld},calling the employer back`);
    expect((await clients.ops.call('GET', '/api/audit')).status).toBe(403);
  });

  it('refuses a state-changing call without the session’s CSRF token, through the API and a console form', async () => {
    const ops = clients.ops;
    const noToken = await fetch(`${w.base}/api/exceptions/${w.items.acmeHeld}/comment`, { method: 'POST', headers: { cookie: ops.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'x' }) });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('CSRF_INVALID');
    const wrong = await ops.call('POST', `/api/exceptions/${w.items.acmeHeld}/comment`, { note: 'x' }, { 'x-csrf-token': clients.acmeUser.csrf });
    expect(wrong.status).toBe(403);
    const form = await fetch(`${w.base}/queue/${w.items.acmeHeld}/comment`, { method: 'POST', redirect: 'manual', headers: { cookie: ops.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=hello' });
    expect(form.status).toBe(403);
    const okForm = await fetch(`${w.base}/queue/${w.items.acmeHeld}/comment`, { method: 'POST', redirect: 'manual', headers: { cookie: ops.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `note=hello&_csrf=${encodeURIComponent(ops.csrf)}` });
    expect(okForm.status).toBe(303);
    const ok = await ops.call('POST', `/api/exceptions/${w.items.acmeHeld}/comment`, { note: 'called HR' });
    expect(ok.status).toBe(200);
    const history = (await (await ops.call('GET', `/api/exceptions/${w.items.acmeHeld}`)).json()) as { history: Array<{ kind: string; note: string; actor: string }> };
    expect(history.history.filter((h) => h.kind === 'comment').map((h) => h.note)).toEqual(['hello', 'called HR']);
  });

  it('sets the session cookie HttpOnly, Secure, SameSite=Strict, and ends it at sign-out', async () => {
    const r = await fetch(`${w.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: USERS.ops.login, password: PASSWORD }) });
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^edibridge_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\//);
    const c = await signIn(w.base, USERS.ops.login);
    expect((await c.call('GET', '/api/session')).status).toBe(200);
    expect((await c.call('DELETE', '/api/session')).status).toBe(204);
    expect((await c.call('GET', '/api/session')).status).toBe(401);
  });

  it('locks an account after 7 failed sign-ins, until an administrator resets it', async () => {
    const login = 'locky@acme.example';
    const add = await clients.acmeAdmin.call('POST', '/api/users', { login, displayName: 'Locky', role: 'partner-user', organisation: 'Acme Widgets' });
    expect(add.status).toBe(201);
    const { password } = (await add.json()) as { password: string };
    const attempt = (pw: string) => fetch(`${w.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: pw }) });
    for (let i = 1; i <= 6; i++) expect((await attempt('wrong-password-1')).status).toBe(401);
    const seventh = await attempt('wrong-password-1');
    expect(((await seventh.json()) as { error: { message: string } }).error.message).toMatch(/now locked after 7/);
    const right = await attempt(password);
    expect(right.status).toBe(401);
    expect(((await right.json()) as { error: { message: string } }).error.message).toMatch(/locked/);
    // Summit's user cannot reset Acme's; Acme's admin can.
    expect((await clients.summitUser.call('POST', `/api/users/${login}/reset`)).status).toBe(403);
    const reset = await clients.acmeAdmin.call('POST', `/api/users/${login}/reset`);
    expect(reset.status).toBe(200);
    const fresh = ((await reset.json()) as { password: string }).password;
    const again = await attempt(fresh);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { passwordExpired: boolean }).passwordExpired).toBe(true);
  });

  it('asks for a new password after 90 days, allows nothing else until then, and ends idle sessions after 30 minutes', async () => {
    const start = w.clock.now;
    try {
      w.clock.now = new Date(WORLD_NOW.getTime() + 91 * DAY);
      const c = await signIn(w.base, USERS.acmeUser.login);
      const s = (await (await c.call('GET', '/api/session')).json()) as { passwordExpired: boolean };
      expect(s.passwordExpired).toBe(true);
      const blocked = await c.call('GET', '/api/exceptions');
      expect(blocked.status).toBe(403);
      expect(((await blocked.json()) as { error: { message: string } }).error.message).toMatch(/password has expired/);
      const page = await c.call('GET', '/queue');
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/password');
      expect((await c.call('POST', '/api/session/password', { current: PASSWORD, next: 'short' })).status).toBe(400);
      expect((await c.call('POST', '/api/session/password', { current: PASSWORD, next: 'a-new-passphrase-7' })).status).toBe(200);
      expect((await c.call('GET', '/api/exceptions')).status).toBe(200);
      // Idle for 31 minutes: the session is over.
      w.clock.now = new Date(w.clock.now.getTime() + 31 * 60e3);
      expect((await c.call('GET', '/api/exceptions')).status).toBe(401);
      await w.db.query('update app_user set password_hash = (select password_hash from app_user where login = $2), password_changed_at = $3 where login = $1', [USERS.acmeUser.login, USERS.ops.login, WORLD_NOW]);
    } finally {
      w.clock.now = start;
    }
  });

  it('disables an account unused for two years at its next sign-in', async () => {
    const login = 'dormant@acme.example';
    await clients.opsAdmin.call('POST', '/api/users', { login, displayName: 'Dormant', role: 'partner-user', organisation: 'Acme Widgets' });
    const start = w.clock.now;
    try {
      w.clock.now = new Date(WORLD_NOW.getTime() + 731 * DAY);
      const r = await fetch(`${w.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: 'whatever-it-was-1' }) });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/unused for two years/);
      const row = await w.db.query<{ disabled_reason: string }>('select disabled_reason from app_user where login = $1', [login]);
      expect(row.rows[0]?.disabled_reason).toBe('unused for two years');
    } finally {
      w.clock.now = start;
    }
  });

  it('serves an OpenAPI document naming every API route, and errors with stable codes', async () => {
    const doc = (await (await fetch(`${w.base}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const api = ALL_ROUTES.filter((r) => r.url.startsWith('/api/'));
    for (const r of api) expect(doc.paths[r.url.replace(/:([a-zA-Z]+)/g, '{$1}')]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
    const bad = await clients.ops.call('GET', '/api/exceptions?sort=name');
    expect(bad.status).toBe(400);
    const e = (await bad.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(e.error.code).toBe('USAGE');
    expect(e.error.issues[0]?.path).toBe('sort');
    const page1 = (await (await clients.ops.call('GET', '/api/exceptions?limit=1&sort=age&desc=true')).json()) as { items: unknown[]; next: number | null };
    expect(page1.items).toHaveLength(1);
    expect(page1.next).toBe(1);
  });
});
