/**
 * The account registry's public shapes, defined once as zod (the API validates
 * with them and the OpenAPI document is generated from them; the types are
 * inferred from them). Workflow code imports this module for its types only,
 * except the playbook format, which takes the rule enum.
 */
import { z } from 'zod';
import { DOMAIN_PATTERN_SOURCE } from './keys';

const iso = z.string().describe('ISO-8601 date-time');
const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-11-27T09:00:00Z' });

/**
 * The playbook's rule for conflicting registrations: the registration that
 * reached the registry first keeps the account and later ones are rejected, or
 * a manager decides (both registrations wait for the decision).
 */
export const CONFLICT_RULES = ['first_registration_wins', 'manager_decides'] as const;
export const ConflictRule = z.enum(CONFLICT_RULES);
export type ConflictRule = z.infer<typeof ConflictRule>;

/** Like `opportunity_registered`'s `data.domain` (../types.ts). */
export const AccountDomain = z
  .string()
  .max(253)
  .regex(new RegExp(DOMAIN_PATTERN_SOURCE), { message: 'must be a domain name, e.g. initech.example' });

export const AccountKeyView = z.object({
  key: z.string().describe('the registry key: the domain, or the normalised name'),
  by: z.enum(['domain', 'name']),
  label: z.string(),
});

/** One side of a conflict. A partner side is shown to managers only (never in partner e-mails). */
export const PartyRef = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('partner'),
    partnerId: z.string(),
    name: z.string(),
    manager: z.object({ name: z.string(), email: z.string() }),
    opportunityIds: z.array(z.string()),
    account: z.string().optional(),
    amount: z.number().optional(),
    registeredAt: iso,
  }),
  z.object({ kind: z.literal('direct'), owner: z.string(), since: iso, crmId: z.string().optional() }),
]);
export type PartyRef = z.infer<typeof PartyRef>;

/** A conflict as the account registry keeps it. */
export const AccountConflict = z.object({
  conflictId: z.string().describe('`<account key>#<n>`'),
  rule: ConflictRule,
  status: z.enum(['open', 'resolved']),
  holder: PartyRef.describe('the side that held the account when the conflict opened'),
  challenger: PartyRef.describe('the side whose registration (or ownership) came later'),
  openedAt: iso,
  winner: z.enum(['holder', 'challenger']).optional(),
  decidedAt: iso.optional(),
  decidedBy: z.string().optional().describe("a manager, `playbook rule`, or what ended the conflict"),
  note: z.string().optional(),
});
export type AccountConflict = z.infer<typeof AccountConflict>;

export const AccountClaimView = z.object({
  partnerId: z.string(),
  opportunityId: z.string(),
  account: z.string().optional(),
  registeredAt: iso,
  status: z.enum(['held', 'contested', 'rejected', 'released']),
  conflictId: z.string().optional(),
});

/** `GET /v1/accounts/{account}`: who holds the account, every registration and every conflict. */
export const AccountState = z.object({
  account: AccountKeyView,
  holder: PartyRef.nullable(),
  direct: z.object({ owner: z.string(), since: iso, crmId: z.string().optional() }).nullable(),
  claims: z.array(AccountClaimView),
  conflicts: z.array(AccountConflict),
});
export type AccountState = z.infer<typeof AccountState>;

/** A conflict as one partner's OnboardingState shows it (`conflicts`). */
export const PartnerConflict = z.object({
  conflictId: z.string(),
  account: AccountKeyView,
  role: z.enum(['holder', 'challenger']),
  status: z.enum(['open', 'resolved']),
  outcome: z.enum(['kept', 'rejected', 'awaiting_decision', 'won', 'lost']),
  rule: ConflictRule,
  opportunityIds: z.array(z.string()),
  other: PartyRef,
  flaggedAt: iso,
  decidedAt: iso.optional(),
  decidedBy: z.string().optional(),
  note: z.string().optional(),
});
export type PartnerConflict = z.infer<typeof PartnerConflict>;

/** Direct-team ownership from the CRM (`POST /v1/accounts/events`). */
export const AccountEvent = z.object({
  eventId: z.string().min(1).max(128),
  type: z.enum(['direct_ownership_claimed', 'direct_ownership_released']),
  occurredAt: isoDate.optional(),
  data: z
    .object({
      account: z.string().min(1).max(200).optional(),
      domain: AccountDomain.optional(),
      owner: z.string().min(1).max(200).optional().describe('who owns it on the direct team, e.g. the account executive'),
      crmId: z.string().min(1).max(128).optional(),
    })
    .refine((d) => d.account !== undefined || d.domain !== undefined, { message: 'needs an account name or a domain', path: ['account'] }),
});
export type AccountEvent = z.infer<typeof AccountEvent>;

/** A manager's decision on an open conflict (`POST /v1/accounts/{account}/decisions`, the `decideAccountConflict` Update). */
export const ConflictDecision = z.object({
  conflictId: z.string().min(1).max(300),
  winner: z
    .string()
    .min(1)
    .max(64)
    .describe('the partnerId of the side that keeps the account, or `direct` for the direct team'),
  by: z.string().min(1).max(200).optional(),
  note: z.string().max(2000).optional(),
});
export type ConflictDecision = z.infer<typeof ConflictDecision>;
