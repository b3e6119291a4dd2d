/**
 * Roles and what each may do. Ops roles belong to the plan's organisation and see every
 * group; partner roles belong to an employer's or TPA's and see only its own groups and
 * files. Only ops roles see an exception's PHI (member data, raw segments).
 */
export const ROLES = ['ops-admin', 'ops', 'partner-admin', 'partner-user'] as const;
export type Role = (typeof ROLES)[number];

export const OPS_ROLES: readonly Role[] = ['ops-admin', 'ops'];
export const PARTNER_ROLES: readonly Role[] = ['partner-admin', 'partner-user'];
export const ALL_ROLES: readonly Role[] = ROLES;
/** Who manages users: ops admins any organisation's, partner admins their own. */
export const ADMIN_ROLES: readonly Role[] = ['ops-admin', 'partner-admin'];

export function isOpsRole(role: Role): boolean {
  return OPS_ROLES.includes(role);
}

/** The organisation kind a role belongs to. */
export function organisationKindOf(role: Role): 'plan' | 'partner' {
  return isOpsRole(role) ? 'plan' : 'partner';
}
