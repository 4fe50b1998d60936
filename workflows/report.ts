/**
 * `ReportSummary`: one partner's projection for the program report, upserted by
 * the workflow as memo key `report` and read back from visibility (never by a
 * query). Compact plain JSON, well under 1 KB. Pure module: safe in the
 * workflow bundle, the client and the tests.
 */
import { z } from 'zod';
import { Health, LifecyclePhase, Phase, Segment } from './types';

/** Memo key of the summary. */
export const REPORT_MEMO_KEY = 'report';
export const REPORT_SCHEMA_VERSION = 1;

/**
 * `OnboardingReportAt` is re-stamped for a change only when the stamp is older
 * than this (or when search attributes are upserted anyway): a burst of events
 * costs one stamp. A reader of the changes since T reads from T minus this
 * window (client/reports/projection.ts), so it misses none.
 */
export const REPORT_STAMP_WINDOW_MS = 60_000;

const days = z.number().nullable();
/** Milestone ids (snake_case) separated by single spaces: ids cost no quotes. */
const idList = z.string().regex(/^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*$/);

export const ReportSummary = z.object({
  v: z.literal(REPORT_SCHEMA_VERSION),
  segment: Segment,
  manager: z.string(),
  /** The tier reached after graduation, when the playbook has tiers. */
  tier: z.string().optional(),
  contractSignedAt: z.string(),
  phase: LifecyclePhase,
  health: Health,
  graduatedAt: z.string().nullable(),
  offboardedAt: z.string().nullable(),
  /** The plan's length in days from the contract, extensions included. */
  planDays: z.number(),
  /** Hours from the contract to portal access; days to the first training, registration, engagement, deal. */
  indicators: z.object({
    portal: days,
    training: days,
    registration: days,
    engagement: days,
    deal: days,
    certFirstPass: z.boolean().nullable(),
    /** Every certification track's first attempt (several roles): how many were attempted and how many passed. */
    certFirst: z.object({ attempts: z.number().int(), passed: z.number().int() }).optional(),
    satisfaction: z.number().nullable(),
  }),
  /** Milestones overdue now or completed after their due date, by phase (empty phases left out). */
  late: z.partialRecord(Phase, idList),
  /** Registered opportunities: how many qualified (won ones included), won, lost; summed registration-to-win days. */
  opps: z.object({
    registered: z.number().int(),
    qualified: z.number().int(),
    won: z.number().int(),
    lost: z.number().int(),
    wonCycleDays: z.number(),
  }),
  /** Required milestones satisfied (done or waived) and in the plan. */
  required: z.object({ done: z.number().int(), total: z.number().int() }),
});
export type ReportSummary = z.infer<typeof ReportSummary>;
