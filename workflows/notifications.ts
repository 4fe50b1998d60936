/**
 * What the workflow asks the notification activity to deliver. The pure domain
 * decides *what* is due (a `NotificationRequest`); the activity renders and
 * delivers it. Pure module: shared by workflow code, activities and tests.
 */

/** Every kind of nudge the system sends; templates exist for each. */
export const NOTIFICATION_KINDS = [
  'welcome', // e-mail to partner contacts at start: clear next steps
  'access_overdue', // Slack to manager: portal access / kickoff not done within 48 h
  'week2_checkin', // Slack to manager: end-of-week-2 check-in call
  'milestone_reminder', // e-mail to partner: a partner-owned milestone is due soon / overdue
  'training_stalled_partner', // e-mail to partner: training stalled
  'training_stalled_manager', // Slack to manager: training still stalled after the partner nudge
  'registration_gated', // e-mail to partner: registration rejected until baseline training is done
  'opportunity_sla_manager', // Slack to manager: a registered opportunity unanswered for 24 h
  'opportunity_sla_escalation', // Slack to escalation channel: unanswered for 48 h
  'checkpoint_summary', // Slack to manager: phase checkpoint with gaps, decision needed
  'checkpoint_extended', // Slack to manager: default extension applied (no decision in window)
  'phase_advanced', // e-mail to partner: welcome to the next phase
  'at_risk', // Slack to escalation channel: partner at risk
  'first_deal_celebration', // e-mail to partner + Slack to manager
  'business_review_scheduled', // e-mail to partner + Slack to manager: 90-day business review
  'survey_request', // e-mail to partner: onboarding experience survey
  'graduated', // e-mail to partner + Slack to manager
  'recurring_review_reminder', // Slack to manager: quarterly (monthly for strategic) review due
  'manager_digest', // Slack to manager: daily digest of buffered pings (digest managers)
  'offboarded', // Slack to manager
  'weekly_digest', // Slack to escalation channel + e-mail to the program lead: the program's weekly digest
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface EmailRecipient {
  name?: string;
  email: string;
}

/** Slack target: a DM by user id when known, else the escalation channel. */
export interface SlackTarget {
  userId?: string;
  /** Use the configured escalation channel (SLACK_ESCALATION_CHANNEL). */
  escalation?: boolean;
  /** Fallback label for logs and the state, e.g. the manager's e-mail. */
  label: string;
}

interface Base {
  /**
   * Unique per workflow and stable across retries and replays, e.g.
   * `welcome`, `sla24:opp-1`, `checkpoint:foundation:1`. The delivery
   * idempotency key is `${workflowId}/${key}`.
   */
  key: string;
  kind: NotificationKind;
  /** Template data: partner name, gaps, opportunity id, links, ... (plain JSON). */
  data: Record<string, unknown>;
}

export type NotificationRequest =
  | (Base & { channel: 'email'; to: EmailRecipient[] })
  | (Base & { channel: 'slack'; to: SlackTarget });

/** What the activity reports back; the workflow records it in the state. */
export interface DeliveryResult {
  key: string;
  status: 'sent' | 'failed';
  /** Only when failed permanently: e.g. `invalid address`, `channel_not_found`. */
  error?: string;
  /** Provider id: the e-mail Message-ID or the Slack message ts. */
  providerId?: string;
  /** True when the activity found it had already been delivered (a retry). */
  duplicate?: boolean;
}

/** Input of the `deliverNotification` activity. */
export interface DeliveryInput {
  workflowId: string;
  partnerId: string;
  partnerName: string;
  request: NotificationRequest;
}
