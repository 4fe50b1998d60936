/**
 * The routes of ../../../shared/CONTRACT.md "HTTP API". Roles: ops start
 * onboardings, systems send events (bearer key or signed webhook), managers
 * read; decisions and waivers are for managers and ops.
 */
import { PlaybookSchema } from '../../workflows/playbook';
import { DecisionRequest, ListQuery, MigrationRequestBody, PartnerIdParam, PlaybookVersionParam, ProfileChangeRequest, ProfileRequest, ReportQuery, WaiverRequest } from '../apiTypes';
import { consoleRoutes } from './console';
import { HttpError } from './errors';
import { PROMETHEUS_CONTENT_TYPE } from './metrics';
import { ACCOUNT_ROUTES } from './accountRoutes';
import { PREFERENCE_ROUTES } from './preferenceRoutes';
import { defineRoute, type ApiRoute } from './route';
import { parseEventBatch, parseOrThrow } from './validation';

const NOT_FOUND = { description: 'no onboarding for this partner (or it has ended)', schema: 'ApiError' } as const;
const NO_VERSION = { description: 'no playbook is published under this version', schema: 'ApiError' } as const;

export const ROUTES: ApiRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/partners',
    operationId: 'startOnboarding',
    summary: 'Start onboarding a partner',
    description: 'Idempotent per partnerId: the same profile again answers 200; a different profile for a live partner answers 409.',
    access: { roles: ['ops'] },
    body: 'PartnerProfile',
    parseBody: (raw) => parseOrThrow(ProfileRequest, raw),
    responses: {
      201: { description: 'onboarding started', schema: 'StartResult' },
      200: { description: 'the same profile is already onboarding', schema: 'StartResult' },
      409: { description: 'a different profile is onboarding under this partnerId', schema: 'ApiError' },
    },
    handle: async ({ body }, { onboarding }) => {
      const result = await onboarding.start(body);
      return { status: result.created ? 201 : 200, body: result };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/partners/{partnerId}/events',
    operationId: 'sendEvents',
    summary: 'Send one partner event or an array of up to 100',
    description:
      'Validated here, then signalled in order. Well-formed events that do not fit (e.g. an unknown opportunity) ' +
      'are recorded by the workflow in rejectedEvents. Authenticate with a system key, or sign the body ' +
      '(X-Onboarding-Timestamp, X-Onboarding-Signature).',
    access: { roles: ['system'], webhook: true },
    params: PartnerIdParam,
    body: 'EventBatch',
    parseBody: parseEventBatch,
    responses: {
      202: { description: 'events delivered to the workflow', schema: 'EventsAccepted' },
      404: NOT_FOUND,
    },
    handle: async ({ params, body }, { onboarding }) => ({
      status: 202,
      body: await onboarding.sendEvents(params.partnerId, body),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/partners/{partnerId}',
    operationId: 'getOnboardingState',
    summary: "A partner's onboarding state",
    access: { roles: ['manager'] },
    params: PartnerIdParam,
    responses: { 200: { description: 'the OnboardingState', schema: 'OnboardingState' }, 404: NOT_FOUND },
    handle: async ({ params }, { onboarding }) => ({ status: 200, body: await onboarding.state(params.partnerId) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/partners',
    operationId: 'listPartners',
    summary: 'Partner summaries from Temporal visibility, filtered and paged',
    access: { roles: ['manager'] },
    query: ListQuery,
    responses: {
      200: { description: 'one page of summaries', schema: 'PartnerPage' },
      404: { description: 'the pageToken names no page of this listing: start again from the first page', schema: 'ApiError' },
    },
    handle: async ({ query }, { onboarding }) => ({ status: 200, body: await onboarding.list(query) }),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/partners/{partnerId}',
    operationId: 'updateProfile',
    summary: "Change a running partner's profile: manager, success manager, contacts, roles, time zone or segment",
    description:
      'Run as the workflow Update updateProfile: 200 with the new state; 409 with the reason when the workflow refuses ' +
      '(e.g. the partner was offboarded), and then nothing is written. `by` names who made the change; the timeline shows it.',
    access: { roles: ['ops', 'manager'] },
    params: PartnerIdParam,
    body: 'ProfileChange',
    parseBody: (raw) => parseOrThrow(ProfileChangeRequest, raw),
    responses: {
      200: { description: 'the new OnboardingState', schema: 'OnboardingState' },
      404: NOT_FOUND,
      409: { description: 'the workflow refused the change, with the reason', schema: 'ApiError' },
    },
    handle: async ({ params, body }, { onboarding }) => ({ status: 200, body: await onboarding.updateProfile(params.partnerId, body) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/partners/{partnerId}/timeline',
    operationId: 'getTimeline',
    summary: 'The audit trail: every event, decision, rejection and notification, in order',
    access: { roles: ['manager'] },
    params: PartnerIdParam,
    responses: { 200: { description: 'the timeline', schema: 'Timeline' }, 404: NOT_FOUND },
    handle: async ({ params }, { onboarding }) => ({ status: 200, body: await onboarding.timeline(params.partnerId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/partners/{partnerId}/decisions',
    operationId: 'decideCheckpoint',
    summary: 'A checkpoint decision: advance, extend or offboard',
    description:
      'Run as the workflow Update `decideCheckpoint`: 200 with the new state, or 409 with the reason when no checkpoint ' +
      'awaits a decision (or `phase` names another checkpoint); a refused decision leaves no trace in the history. ' +
      'Send an eventId to make a retry answer with the first outcome.',
    access: { roles: ['manager', 'ops'] },
    params: PartnerIdParam,
    body: 'DecisionRequest',
    parseBody: (raw) => parseOrThrow(DecisionRequest, raw),
    responses: {
      200: { description: 'decided: the new OnboardingState', schema: 'OnboardingState' },
      404: NOT_FOUND,
      409: { description: 'refused: `message` says why (e.g. no checkpoint is awaiting a decision)', schema: 'ApiError' },
    },
    handle: async ({ params, body }, { onboarding }) => ({ status: 200, body: await onboarding.decide(params.partnerId, body) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/partners/{partnerId}/waivers',
    operationId: 'waiveMilestone',
    summary: "Waive one of this partner's milestones, with a reason",
    description:
      'Run as the workflow Update `waiveMilestone`: 200 with the new state, or 409 with the reason when the milestone ' +
      "is not in this partner's plan or is already done or waived. A waived required milestone no longer holds up its checkpoint.",
    access: { roles: ['manager', 'ops'] },
    params: PartnerIdParam,
    body: 'WaiverRequest',
    parseBody: (raw) => parseOrThrow(WaiverRequest, raw),
    responses: {
      200: { description: 'waived: the new OnboardingState', schema: 'OnboardingState' },
      404: NOT_FOUND,
      409: { description: 'refused: `message` says why', schema: 'ApiError' },
    },
    handle: async ({ params, body }, { onboarding }) => ({ status: 200, body: await onboarding.waive(params.partnerId, body) }),
  }),
  ...PREFERENCE_ROUTES,
  defineRoute({
    method: 'GET',
    path: '/v1/playbooks',
    operationId: 'listPlaybooks',
    summary: 'The published playbook versions, newest first',
    description: 'From Temporal visibility: one long-lived workflow per version holds its content.',
    access: { roles: ['manager', 'ops'] },
    responses: { 200: { description: 'the versions', schema: 'PlaybookList' } },
    handle: async (_input, { onboarding }) => ({ status: 200, body: { versions: await onboarding.playbooks() } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/playbooks',
    operationId: 'publishPlaybook',
    summary: 'Publish a playbook version',
    description:
      'The version id is the playbook\'s `version`. Idempotent: the same content again answers 200; a different content ' +
      'under a published version answers 409 (publish it under a new version). Beyond this schema, the cross-references ' +
      'are checked (due days within their phase, unique ids, known milestone ids, a rule\'s kind fits its trigger and ' +
      'audience): a 400 names each field. Running partners stay on their playbook until migrated ' +
      '(POST /v1/playbooks/{version}/migrations).',
    access: { roles: ['ops'] },
    body: 'Playbook',
    parseBody: (raw) => parseOrThrow(PlaybookSchema, raw),
    responses: {
      201: { description: 'published', schema: 'PublishResult' },
      200: { description: 'the same content was already published under this version', schema: 'PublishResult' },
      409: { description: 'another content is published under this version', schema: 'ApiError' },
    },
    handle: async ({ body }, { onboarding }) => {
      const result = await onboarding.publishPlaybook(body);
      return { status: result.created ? 201 : 200, body: result };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/playbooks/{version}',
    operationId: 'getPlaybook',
    summary: 'A published playbook version with its content',
    access: { roles: ['manager', 'ops'] },
    params: PlaybookVersionParam,
    responses: { 200: { description: 'the version and its playbook', schema: 'PlaybookDetail' }, 404: NO_VERSION },
    handle: async ({ params }, { onboarding }) => ({ status: 200, body: await onboarding.playbook(params.version) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/playbooks/{version}/migrations',
    operationId: 'migratePartners',
    summary: 'Move running partners to a published version, one page at a time (or preview it)',
    description:
      'Lists running partners from visibility (optionally of one segment, or only those on fromVersion) and asks each one: ' +
      'with dryRun, the previewMigration query (one billed action per partner, no history written); without, the ' +
      'migratePlaybook Update, whose validator refuses what cannot apply (nothing written) and which answers with the ' +
      'applied diff (plus one memo upsert per migrated partner). Partners already on the version per visibility cost ' +
      'nothing. Follow nextPageToken with the same filters; the rules are in docs/playbook.md.',
    access: { roles: ['ops'] },
    params: PlaybookVersionParam,
    body: 'MigrationRequestBody',
    parseBody: (raw) => parseOrThrow(MigrationRequestBody, raw),
    responses: { 200: { description: 'each partner of the page with its diff or outcome', schema: 'MigrationPage' }, 404: NO_VERSION },
    handle: async ({ params, body }, { onboarding }) => ({
      status: 200,
      body: await onboarding.migrate({ version: params.version, ...body }),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/slack/interactions',
    operationId: 'slackInteractions',
    summary: "Slack's button clicks: a checkpoint decision or an opportunity acknowledgement",
    description:
      'Form-encoded `payload=` as Slack sends it, signed with SLACK_SIGNING_SECRET (v0 HMAC-SHA256 of ' +
      '`v0:<timestamp>:<body>`, at most 5 minutes old), else 401. Runs the same Update as the API and replaces the ' +
      "Slack message through the payload's response_url with the outcome or the reason it was refused.",
    access: 'slack',
    body: 'SlackInteraction',
    bodyType: 'form',
    // Checked after the signature (an unsigned request is a 401 whatever its body): see SlackInteractions.
    parseBody: (raw) => raw,
    responses: { 200: { description: 'handled (the outcome goes to the Slack message)' } },
    handle: async ({ headers, rawBody, body }, { slack }) => {
      await slack.handle(headers, rawBody, body);
      return { status: 200, body: {} };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/reports/onboarding',
    operationId: 'getOnboardingReport',
    summary: "The program's indicators and where partners stall",
    access: { roles: ['manager'] },
    query: ReportQuery,
    responses: {
      200: { description: 'the report', schema: 'OnboardingReport' },
      501: { description: 'reports are not available in this deployment', schema: 'ApiError' },
    },
    handle: async ({ query }, { reports }) => {
      if (!reports) throw new HttpError(501, 'not_implemented', 'onboarding reports are not available in this deployment yet');
      return { status: 200, body: await reports(query) };
    },
  }),
  ...ACCOUNT_ROUTES,
  defineRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Temporal reachable and a worker polling the task queue',
    access: 'public',
    responses: {
      200: { description: 'healthy', schema: 'HealthReport' },
      503: { description: 'Temporal unreachable or no worker polling', schema: 'HealthReport' },
    },
    handle: async (_input, { onboarding }) => {
      const health = await onboarding.health();
      return { status: health.status === 'ok' ? 200 : 503, body: health };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/metrics',
    operationId: 'metrics',
    summary: "The API's Prometheus metrics",
    description:
      'Requests and latency by route template and status, partner events accepted and rejected. Public like /healthz: ' +
      'the labels are route templates and status codes, never partner ids or addresses. The worker exports its own ' +
      'metrics on METRICS_HOST:METRICS_PORT (docs/operations.md).',
    access: 'public',
    responses: { 200: { description: 'the Prometheus text exposition format', contentType: PROMETHEUS_CONTENT_TYPE } },
    handle: async (_input, { metrics }) => ({
      status: 200,
      body: await metrics.registry.metrics(),
      contentType: metrics.registry.contentType,
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    responses: { 200: { description: 'the OpenAPI document' } },
    handle: async (_input, { openapi }) => ({ status: 200, body: openapi }),
  }),
  ...consoleRoutes(),
];
