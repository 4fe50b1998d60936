/**
 * The named schemas of the API: request validation reuses the contract's
 * schemas, responses use ../apiTypes. Each becomes an OpenAPI component.
 */
import { z } from 'zod';
import { PartnerEvent, PartnerProfile, Segment } from '../../workflows/types';
import {
  ApiError,
  DecisionRequest,
  EventsAccepted,
  HealthReport,
  OnboardingState,
  PartnerPage,
  PartnerSummary,
  StartResult,
  Timeline,
  TimelineEntry,
} from '../apiTypes';
import { EventBatch } from './validation';

export const ReportQuery = z.object({
  segment: Segment.optional(),
  manager: z.email({ message: 'must be an e-mail address' }).optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

const OnboardingReport = z
  .record(z.string(), z.unknown())
  .describe("the program's indicators (leading, lagging, quality) and where partners stall");

export const SCHEMAS = {
  PartnerProfile,
  PartnerEvent,
  EventBatch,
  DecisionRequest,
  StartResult,
  EventsAccepted,
  OnboardingState,
  PartnerSummary,
  PartnerPage,
  TimelineEntry,
  Timeline,
  HealthReport,
  OnboardingReport,
  ApiError,
} satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof SCHEMAS;
