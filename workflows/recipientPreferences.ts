/**
 * `recipientPreferences`: one long-lived entity workflow per recipient (id
 * `preferences-<recipientId>`), holding that person's notification
 * preferences for every partner they hear about. Changes arrive as the
 * `setPreferences` Update (validated: a refused change leaves no history), and
 * the API starts the workflow with its first change (update-with-start, so
 * concurrent first changes meet in one workflow).
 *
 * The current preferences are kept in the memo (`preferences`): the
 * notification activity reads them at send time with DescribeWorkflowExecution,
 * which is not a billed action, instead of a query, which is. The workflow has
 * no timers: idle, it costs nothing. It continues-as-new when its history grows.
 */
import { ApplicationFailure, allHandlersFinished, condition, makeContinueAsNewFunc, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { PreferencesChange, PreferencesView } from './preferences';
import { DEFAULT_PREFERENCES, applyChange, checkChange } from './preferencePolicy';
import { PREFERENCES_MEMO_KEY, preferencesQuery, setPreferencesUpdate, type RecipientPreferencesInput } from './preferenceMessages';

/** Well before Temporal's history warnings; each change is about 4 events. */
const MAX_HISTORY_EVENTS = 2000;

export async function recipientPreferences(input: RecipientPreferencesInput): Promise<void> {
  let view: PreferencesView = input.carried ?? {
    recipientId: input.recipientId,
    ...DEFAULT_PREFERENCES,
    updatedAt: null,
    updatedBy: null,
    changes: 0,
  };

  setHandler(
    setPreferencesUpdate,
    (change: PreferencesChange) => {
      const { by, ...rest } = change;
      view = {
        ...view,
        ...applyChange(view, rest),
        updatedAt: new Date(Date.now()).toISOString(),
        updatedBy: by ?? null,
        changes: view.changes + 1,
      };
      upsertMemo({ [PREFERENCES_MEMO_KEY]: view });
      return view;
    },
    {
      validator: (change: unknown) => {
        const errors = checkChange(change);
        if (errors.length) {
          throw ApplicationFailure.nonRetryable(
            `invalid preferences change: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
            'InvalidPreferences',
            errors,
          );
        }
      },
    },
  );
  setHandler(preferencesQuery, () => view);

  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS);
  await condition(allHandlersFinished);
  const next = makeContinueAsNewFunc<typeof recipientPreferences>({ memo: workflowInfo().memo });
  await next({ recipientId: input.recipientId, carried: view });
}
