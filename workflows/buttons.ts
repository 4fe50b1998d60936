/**
 * The buttons on Slack messages that ask for a decision, shared by the
 * activity that posts them (activities/slackActions.ts) and the API that
 * receives the clicks (client/api/slack.ts). Pure module.
 */
export const ACTIONS = {
  advance: 'checkpoint_advance',
  extend: 'checkpoint_extend',
  offboard: 'checkpoint_offboard',
  acknowledge: 'opportunity_acknowledge',
} as const;
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

/** Days a Slack "Extend" adds. */
export const SLACK_EXTEND_DAYS = 14;

/** The JSON in a button's `value` (Slack allows 2,000 characters): what the click decides, with no lookup. */
export interface ButtonValue {
  /** partnerId */
  p: string;
  /** the checkpoint's phase */
  ph?: string;
  /** opportunityId */
  o?: string;
  /** the Slack user the message went to (a DM): only that user may decide */
  u?: string;
}
