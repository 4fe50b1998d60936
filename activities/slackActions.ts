/**
 * Buttons on Slack messages that ask for a decision: the checkpoint message
 * (Advance / Extend 14 days / Offboard) and the opportunity SLA message
 * (Acknowledge). Slack posts a click to POST /v1/slack/interactions
 * (client/api/slack.ts), which runs the same workflow Update as the console.
 *
 * A button's value (../workflows/buttons.ts) names what it decides.
 */
import type { KnownBlock } from '@slack/web-api';
import { ACTIONS, SLACK_EXTEND_DAYS, type ButtonValue } from '../workflows/buttons';
import type { Message } from '../workflows/notifications';

const text = (value: string) => ({ type: 'plain_text' as const, text: value });

/**
 * One `actions` block for the messages that take a decision; none for the others.
 * `userId`: the Slack user the message goes to, when it is a DM.
 */
export function actionBlocks(message: Message, userId?: string): KnownBlock[] {
  if (message.kind === 'checkpoint_summary') {
    const { phase } = message.data;
    const value = JSON.stringify({ p: message.partner.partnerId, ph: phase, ...(userId ? { u: userId } : {}) } satisfies ButtonValue);
    return [
      {
        type: 'actions',
        block_id: `checkpoint:${phase}`,
        elements: [
          { type: 'button', action_id: ACTIONS.advance, text: text('Advance'), style: 'primary', value },
          { type: 'button', action_id: ACTIONS.extend, text: text(`Extend ${SLACK_EXTEND_DAYS} days`), value },
          {
            type: 'button',
            action_id: ACTIONS.offboard,
            text: text('Offboard'),
            style: 'danger',
            value,
            confirm: {
              title: text('Offboard this partner?'),
              text: text('Onboarding ends for this partner. This cannot be undone.'),
              confirm: text('Offboard'),
              deny: text('Cancel'),
            },
          },
        ],
      },
    ];
  }
  if (message.kind === 'opportunity_sla_manager') {
    const { opportunityId } = message.data.opportunity;
    const value = JSON.stringify({ p: message.partner.partnerId, o: opportunityId, ...(userId ? { u: userId } : {}) } satisfies ButtonValue);
    return [
      {
        type: 'actions',
        block_id: `opportunity:${opportunityId}`.slice(0, 255),
        elements: [{ type: 'button', action_id: ACTIONS.acknowledge, text: text('Acknowledge'), style: 'primary', value }],
      },
    ];
  }
  return [];
}
