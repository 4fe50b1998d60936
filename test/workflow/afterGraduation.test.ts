/**
 * Ongoing success management on the time-skipping test server: a graduated
 * partner's quarterly reviews over two years, through continue-as-new. In a file
 * of its own: a server of its own, with no other partner's timers in the way.
 */
import { partnerEventSignal } from '../../workflows/messages';
import type { PartnerEvent } from '../../workflows/types';
import { DAY_MS, sleepUntilDay, stateOf } from '../helpers/drive';
import { HAPPY_PATHS, profileFor, withIds } from '../helpers/journeys';
import { startPartner } from '../helpers/runJourney';
import { timeSkippingWorkerPerFile, uniq } from '../helpers/temporal';

const server = timeSkippingWorkerPerFile('graduated-test');

async function start() {
  return startPartner(server.env, server.taskQueue, profileFor('core', uniq('core')));
}

function ev(eventId: string, type: PartnerEvent['type'], data?: unknown): PartnerEvent {
  return { eventId, type, ...(data === undefined ? {} : { data }) } as PartnerEvent;
}

describe('after graduation', () => {
  it('runs two years of quarterly reviews through continue-as-new without losing state', async () => {
    const { handle, startedAt } = await start();
    const steps = withIds(HAPPY_PATHS.core, 'evt', handle.workflowId.replace(/^onboarding-/, ''));
    for (const step of steps) {
      await sleepUntilDay(server.env, startedAt, step.day);
      for (const event of step.events) await handle.signal(partnerEventSignal, event);
    }
    const graduated = await stateOf(handle);
    expect(graduated.phase).toBe('graduated');
    const firstRunId = (await handle.describe()).runId;

    for (let quarter = 1; quarter <= 8; quarter++) {
      const before = await stateOf(handle);
      expect(before.nextReviewAt).not.toBeNull();
      await server.env.sleep(Date.parse(before.nextReviewAt!) - (await server.env.currentTimeMs()) + DAY_MS);
      await handle.signal(partnerEventSignal, ev(`qbr-${quarter}`, 'business_review_completed'));
    }
    const after = await stateOf(handle);
    expect(after.phase).toBe('graduated');
    expect(after.reviewsCompleted).toBeGreaterThanOrEqual(8);
    expect(after.milestones).toEqual(graduated.milestones);
    expect(after.opportunities).toEqual(graduated.opportunities);
    expect(after.indicators).toEqual(graduated.indicators);
    expect(after.notifications.filter((n) => n.kind === 'recurring_review_reminder').length).toBeGreaterThanOrEqual(8);
    // The chain continued as new: a later run, each with a short history.
    const desc = await handle.describe();
    expect(desc.runId).not.toBe(firstRunId);
    expect(desc.historyLength).toBeLessThan(200);
    // A repeated event from before the continue-as-new is still recognised.
    await handle.signal(partnerEventSignal, ev('qbr-8', 'business_review_completed'));
    expect((await stateOf(handle)).reviewsCompleted).toBe(after.reviewsCompleted);
  });
});

