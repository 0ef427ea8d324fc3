/**
 * Confirmation by vCenter: drperm's computed effective access (./effective-access.ts) against
 * the server's own answer (FetchUserPrivilegeOnEntities / HasUserPrivilegeOnEntities) for each
 * tenant account and entity. Pure: the model, the resolved access and the answers in; per
 * entity statuses, findings and counts out. Auditors trust what vCenter says over what a
 * tool derives: an entity where the two differ is a `server-disagrees` finding with both
 * answers as evidence.
 */
import { finding } from './context';
import { grantingPermissions, type AccessModel, type ResolvedAccess } from './effective-access';
import type { Principals } from './principals';
import type { Finding } from './types';

/** What vCenter said for one entity: its privileges, or `null` = lacks System.View (asked with HasUserPrivilegeOnEntities). */
export type ServerAnswer = readonly string[] | null;

export type ConfirmStatus = 'yes' | 'differs' | 'not asked';

export interface ConfirmTenantInput {
  tenant: string;
  principal: string;
  principals: Principals;
  access: ReadonlyMap<string, ResolvedAccess>;
  /** Entity ref -> answer; entities absent were not asked (or no longer exist). */
  answers?: ReadonlyMap<string, ServerAnswer>;
  /**
   * Entities, besides `answers`, that vCenter says the account cannot see (no System.View)
   * and on which drperm computes nothing: agreed, counted without being kept one by one.
   */
  unseen?: number;
  /** Why the tenant was not asked (a group account cannot be asked about). */
  reason?: string;
}

export interface ConfirmationTenantRow {
  tenant: string;
  /** Fleet audits: the vCenter asked. */
  vcenter?: string;
  principal: string;
  asked: boolean;
  reason?: string;
  /** Entities vCenter answered for. */
  entitiesAsked: number;
  /** Of those, where vCenter and drperm agree. */
  agreed: number;
  differs: number;
}

export interface ServerConfirmation {
  /** How vCenter was asked. */
  method: string;
  /** What an auditor must know about groups. */
  groupNote: string;
  tenants: ConfirmationTenantRow[];
  totals: { entitiesAsked: number; agreed: number; differs: number };
}

export interface ConfirmOutcome {
  confirmation: ServerConfirmation;
  findings: Finding[];
  /** `${tenant}\u0000${ref}` -> status, for the Effective access rows. */
  status: (tenant: string, ref: string) => ConfirmStatus;
}

const SHOWN_PRIVILEGES = 12;

export const CONFIRM_METHOD =
  'HasUserPrivilegeOnEntities(System.View) for every entity, then FetchUserPrivilegeOnEntities where drperm computes any privilege or vCenter grants System.View';

export function groupNote(membershipFile: string | undefined): string {
  return (
    'vCenter answers for the user name and expands its group memberships itself (SSO and identity sources); ' +
    (membershipFile === undefined
      ? 'drperm had no --membership file, so it counted only the account’s own permissions: a difference where a group holds a permission means a membership drperm does not know.'
      : `drperm expanded groups from ${membershipFile}: a difference where a group holds a permission means that file is incomplete or out of date.`)
  );
}

export function compareWithServer(
  model: AccessModel,
  tenants: readonly ConfirmTenantInput[],
  membershipFile?: string,
): ConfirmOutcome {
  const statuses = new Map<string, ConfirmStatus>();
  const findings: Finding[] = [];
  const rows: ConfirmationTenantRow[] = [];
  for (const t of tenants) {
    if (!t.answers) {
      rows.push({
        tenant: t.tenant,
        principal: t.principal,
        asked: false,
        ...(t.reason !== undefined ? { reason: t.reason } : {}),
        entitiesAsked: 0,
        agreed: 0,
        differs: 0,
      });
      continue;
    }
    let agreed = t.unseen ?? 0;
    let differs = 0;
    for (const [ref, answer] of t.answers) {
      const access = t.access.get(ref);
      const ours = access?.privileges ?? [];
      const same = answer === null ? ours.length === 0 : sameSet(ours, answer);
      statuses.set(key(t.tenant, ref), same ? 'yes' : 'differs');
      if (same) {
        agreed++;
        continue;
      }
      differs++;
      findings.push(disagreement(model, t, ref, answer ?? [], access));
    }
    rows.push({
      tenant: t.tenant,
      principal: t.principal,
      asked: true,
      entitiesAsked: t.answers.size + (t.unseen ?? 0),
      agreed,
      differs,
    });
  }
  const totals = {
    entitiesAsked: rows.reduce((n, r) => n + r.entitiesAsked, 0),
    agreed: rows.reduce((n, r) => n + r.agreed, 0),
    differs: rows.reduce((n, r) => n + r.differs, 0),
  };
  return {
    confirmation: {
      method: CONFIRM_METHOD,
      groupNote: groupNote(membershipFile),
      tenants: rows,
      totals,
    },
    findings,
    status: (tenant, ref) => statuses.get(key(tenant, ref)) ?? 'not asked',
  };
}

function key(tenant: string, ref: string): string {
  return `${tenant}\u0000${ref}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  if (x.size !== y.size) return false;
  for (const p of x) if (!y.has(p)) return false;
  return true;
}

function disagreement(
  model: AccessModel,
  t: ConfirmTenantInput,
  ref: string,
  server: readonly string[],
  access: ResolvedAccess | undefined,
): Finding {
  const ours = access?.privileges ?? [];
  const entity = model.entityRef(ref);
  const onlyServer = server.filter((p) => !ours.includes(p)).sort();
  const onlyOurs = ours.filter((p) => !server.includes(p));
  const groups = t.principals.groupKeys.size;
  return finding('server-disagrees', {
    tenant: t.tenant,
    principal: t.principal,
    entity,
    message: `vCenter says ${t.principal} holds ${server.length} privilege(s) on ${entity.path}; drperm computes ${ours.length}`,
    evidence: access ? grantingPermissions(model, access).map((p) => model.evidence(p)) : [],
    details: [
      `vCenter (FetchUserPrivilegeOnEntities): ${shown(server)}`,
      `drperm: ${shown(ours)}`,
      ...(onlyServer.length > 0 ? [`only in vCenter's answer: ${shown(onlyServer)}`] : []),
      ...(onlyOurs.length > 0 ? [`only in drperm's: ${shown(onlyOurs)}`] : []),
      `groups: drperm counted ${groups} group(s) of the account; vCenter expands them itself`,
    ],
    remediation:
      'find out which answer is right: check the group memberships (--membership) and the permissions on the entity and its parents; if vCenter is right, report the difference as a drperm bug',
  });
}

function shown(privileges: readonly string[]): string {
  if (privileges.length === 0) return '(none)';
  const sorted = [...privileges].sort();
  const head = sorted.slice(0, SHOWN_PRIVILEGES).join(', ');
  return sorted.length > SHOWN_PRIVILEGES
    ? `${sorted.length}: ${head}, … ${sorted.length - SHOWN_PRIVILEGES} more`
    : head;
}
