/** Invoices, balances and payments: ops see every group's, a partner its own groups'. */
import { z } from 'zod';
import { requireGroup, scopeParams } from '../../access/principal.js';
import { OPS_ROLES } from '../../access/roles.js';
import { getInvoice, groupBalance, listInvoices } from '../../billing/statements.js';
import { EdiBridgeError } from '../../core/errors.js';
import { getPayments } from '../../remittance/payments.js';
import { Paging, page, route, type RouteDef } from '../routes.js';

const GroupKey = z.string().trim().min(1).max(50);

export const billingRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/invoices',
    access: 'signed-in',
    tag: 'billing',
    summary: 'List invoices',
    query: z.object({ group: GroupKey.optional(), ...Paging }).strict(),
    async handler({ db, principal, query }) {
      const items = await listInvoices(db, { ...(query.group ? { group: query.group } : {}), limit: query.limit, offset: query.offset, groups: scopeParams(principal.scope)[0] });
      return page(items, query.limit, query.offset);
    },
  }),
  route({
    method: 'GET',
    url: '/api/invoices/:number',
    access: 'signed-in',
    tag: 'billing',
    summary: 'Show an invoice with its lines',
    params: z.object({ number: z.string().regex(/^INV-[0-9]{6}-[0-9]{6}$/, 'must be an invoice number') }).strict(),
    async handler({ db, principal, params }) {
      const inv = await getInvoice(db, params.number);
      requireGroup(principal.scope, inv.groupNumber, 'invoice');
      return inv;
    },
  }),
  route({
    method: 'GET',
    url: '/api/groups/:group/balance',
    access: 'signed-in',
    tag: 'billing',
    summary: "Show a group's balance",
    params: z.object({ group: GroupKey }).strict(),
    async handler({ db, principal, params }) {
      requireGroup(principal.scope, params.group);
      return groupBalance(db, params.group);
    },
  }),
  route({
    method: 'GET',
    url: '/api/payments/:trace',
    access: OPS_ROLES,
    tag: 'billing',
    summary: 'Show where a payment went',
    params: z.object({ trace: z.string().trim().min(1).max(80) }).strict(),
    async handler({ db, params }) {
      const items = await getPayments(db, params.trace);
      if (items.length === 0) throw new EdiBridgeError('NOT_FOUND', `no payment with trace ${params.trace}`);
      return { items };
    },
  }),
];
