/**
 * The named schemas of the API: request validation reuses the contract's
 * schemas, responses use ../apiTypes. Each becomes an OpenAPI component.
 */
import type { z } from 'zod';
import { MigrationDiff } from '../../workflows/migration';
import { PlaybookSchema } from '../../workflows/playbook';
import { PartnerEvent } from '../../workflows/types';
import {
  ApiError,
  DecisionRequest,
  EventsAccepted,
  HealthReport,
  MigrationPage,
  MigrationRequestBody,
  MigrationResult,
  OnboardingReport,
  OnboardingState,
  PartnerPage,
  PartnerSummary,
  PlaybookDetail,
  PlaybookList,
  PlaybookSummary,
  PublishResult,
  ProfileChangeRequest,
  ProfileRequest,
  SlackInteraction,
  StartResult,
  Timeline,
  WaiverRequest,
  TimelineEntry,
  PreferencesChangeRequest,
} from '../apiTypes';
import { AccountEvent, AccountState, ConflictDecision } from '../../workflows/accounts/schema';
import { CodecInfo, CodecPayloads } from './codec';
import { PreferencesView } from '../../workflows/preferences';
import { UnsubscribeForm } from './preferenceRoutes';
import { EventBatch } from './validation';

export const SCHEMAS = {
  /** The contract's profile and profile change, as the API takes them (time zones as the list of names). */
  PartnerProfile: ProfileRequest,
  ProfileChange: ProfileChangeRequest,
  PartnerEvent,
  EventBatch,
  DecisionRequest,
  WaiverRequest,
  StartResult,
  EventsAccepted,
  OnboardingState,
  SlackInteraction,
  PartnerSummary,
  PartnerPage,
  TimelineEntry,
  Timeline,
  HealthReport,
  OnboardingReport,
  Playbook: PlaybookSchema,
  PlaybookSummary,
  PlaybookList,
  PublishResult,
  PlaybookDetail,
  MigrationRequestBody,
  MigrationDiff,
  MigrationResult,
  MigrationPage,
  /** As the API takes it: the quiet hours' time zone declared as the list of names. */
  PreferencesChange: PreferencesChangeRequest,
  PreferencesView,
  UnsubscribeForm,
  AccountEvent,
  AccountState,
  ConflictDecision,
  ApiError,
  CodecPayloads,
  CodecInfo,
} satisfies Record<string, z.ZodType>;

export type SchemaName = keyof typeof SCHEMAS;
