/**
 * The named schemas of the API: request validation reuses the contract's
 * schemas, responses use ../apiTypes. Each becomes an OpenAPI component.
 */
import type { z } from 'zod';
import { PartnerEvent, PartnerProfile, ProfileChange } from '../../workflows/types';
import {
  ApiError,
  DecisionRequest,
  EventsAccepted,
  HealthReport,
  OnboardingReport,
  OnboardingState,
  PartnerPage,
  PartnerSummary,
  StartResult,
  Timeline,
  TimelineEntry,
} from '../apiTypes';
import { EventBatch } from './validation';

export const SCHEMAS = {
  PartnerProfile,
  ProfileChange,
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
