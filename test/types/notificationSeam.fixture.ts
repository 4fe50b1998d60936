/**
 * A deliberately wrong use of the domain-to-template seam: each line marked
 * `@ts-expect-error` reads or writes a field the notification data does not
 * have. `npm run lint` type-checks this file, so if one of them ever compiled
 * (a field renamed on one side only), the directive itself would fail the
 * check. test/types/notificationSeam.test.ts compiles it without the
 * directives and expects exactly these errors.
 */
import type { MessageOf, NotificationData } from '../../workflows/notifications';

export function readsRenamedFields(m: MessageOf<'milestone_reminder'>, checkpoint: NotificationData['checkpoint_extended']): string[] {
  return [
    // @ts-expect-error the reminder's milestone is `milestone`, not `milestoneTitle`
    m.data.milestoneTitle,
    // @ts-expect-error the extended phase's new deadline is `phaseDeadline`, not `until`
    checkpoint.until,
    // @ts-expect-error the partner's manager is `partner.manager.name`
    m.partner.managerName,
  ];
}

export const emitsTheOldShape: NotificationData['milestone_reminder'] = {
  // @ts-expect-error the reminder used to carry `milestoneId, title, dueAt` at the top: a template could not see them
  milestoneId: 'product_training',
  overdue: false,
};
