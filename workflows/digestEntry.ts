/**
 * `ManagerDigestEntry`: what one partner contributes to its manager's daily digest,
 * published by the partner workflow as memo key `digest` (DIGEST_MEMO_KEY) for
 * managers with `partnerManager.digest: true`, and read back from visibility
 * by the `managerDigests` workflow's activity. Never a query per partner.
 *
 * Pure module with a zod schema: the client and activities validate with it;
 * workflow code imports its type only (no schema per cached workflow).
 */
import { z } from 'zod';
import { DIGEST_ENTRY_VERSION } from './domain/digest';
import { Health, LifecyclePhase, Phase } from './types';

export const ManagerDigestEntry = z.object({
  v: z.literal(DIGEST_ENTRY_VERSION),
  partnerId: z.string(),
  name: z.string(),
  manager: z.object({ email: z.string(), name: z.string(), slackUserId: z.string().optional(), timezone: z.string() }),
  phase: LifecyclePhase,
  health: Health,
  /** The checkpoint awaiting a decision. */
  awaiting: z.object({ phase: Phase, dueAt: z.string(), decideBy: z.string() }).optional(),
  /** Registered opportunities without an answer yet, with the moment their response SLA runs out. */
  slas: z.array(z.object({ opportunityId: z.string(), account: z.string().optional(), dueAt: z.string() })),
  /** Milestones overdue now, most overdue first (at most DIGEST_LIST_CAP), and how many in all. */
  overdue: z.array(z.object({ id: z.string(), title: z.string(), dueAt: z.string(), required: z.boolean() })),
  overdueTotal: z.number().int(),
  /** The manager's pings of the last DIGEST_NEWS_DAYS days the digest replaces (graduation, first deal, …). */
  /** `essential`: no preference holds it back (its rule is essential, as for the ping it replaces). */
  news: z.array(z.object({ kind: z.string(), at: z.string(), detail: z.string().optional(), essential: z.boolean().optional() })),
});
export type ManagerDigestEntry = z.infer<typeof ManagerDigestEntry>;
