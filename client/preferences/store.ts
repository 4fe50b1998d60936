/**
 * Where notification preferences live: one `recipientPreferences` workflow
 * per recipient (workflows/recipientPreferences.ts), shared by every partner
 * and every host, read and written here.
 *
 * - Writes are the `setPreferences` Update, with update-with-start: the first
 *   change starts the workflow, and concurrent first changes meet in one.
 * - Reads take the memo from DescribeWorkflowExecution: not a billed action on
 *   Temporal Cloud (a query would be), and current as soon as the Update
 *   completed. A recipient who never changed anything has no workflow: the
 *   defaults.
 * - The notification activity reads through `cached`: each worker keeps what it
 *   read for a short while (30 seconds by default), so a burst of notifications
 *   costs one describe per recipient. A change reaches every worker within that.
 */
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { normaliseAddress, recipientId, type PreferenceSource } from '../../activities/recipients';
import { DEFAULT_PREFERENCES } from '../../workflows/preferencePolicy';
import {
  PREFERENCES_MEMO_KEY,
  PREFERENCES_WORKFLOW_TYPE,
  preferencesWorkflowId,
  setPreferencesUpdate,
} from '../../workflows/preferenceMessages';
import { PreferencesView, type Preferences, type PreferencesChange } from '../../workflows/preferences';
import type { recipientPreferences } from '../../workflows/recipientPreferences';
import type { FieldError } from '../../workflows/types';
import { InvalidInputError } from '../errors';
import type { PreferenceLinks } from './links';

export { recipientId, normaliseAddress };

export const DEFAULT_CACHE_MS = 30_000;
/** Recipients remembered per worker; the oldest read is forgotten first. */
const CACHE_ENTRIES = 10_000;

export function defaultView(id: string): PreferencesView {
  return { recipientId: id, ...DEFAULT_PREFERENCES, updatedAt: null, updatedBy: null, changes: 0 };
}

export class PreferencesStore {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** The recipient's preferences as stored (the defaults when they never changed any). */
  async view(id: string): Promise<PreferencesView> {
    let memo: Record<string, unknown> | undefined;
    try {
      memo = (await this.client.workflow.getHandle(preferencesWorkflowId(id)).describe()).memo;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return defaultView(id);
      throw err;
    }
    const stored = memo?.[PREFERENCES_MEMO_KEY];
    if (stored === undefined) return defaultView(id); // started, its first change still on the way
    const parsed = PreferencesView.safeParse(stored);
    if (!parsed.success) throw new Error(`the preferences of recipient ${id} are unreadable: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Applies a change (validated by the workflow too) and answers the preferences after it. */
  async change(id: string, change: PreferencesChange): Promise<PreferencesView> {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof recipientPreferences>(PREFERENCES_WORKFLOW_TYPE, {
      workflowId: preferencesWorkflowId(id),
      taskQueue: this.taskQueue,
      args: [{ recipientId: id }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Notification preferences of recipient ${id}`,
    });
    try {
      return await this.client.workflow.executeUpdateWithStart(setPreferencesUpdate, { args: [change], startWorkflowOperation });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'InvalidPreferences') {
        throw new InvalidInputError((cause.details?.[0] as FieldError[] | undefined) ?? [{ field: '(root)', message: cause.message }]);
      }
      throw err;
    }
  }
}

/**
 * What the notification activity reads: each address's preferences through a
 * short per-worker cache, and its signed unsubscribe link (none without a secret).
 */
export function preferenceSource(store: PreferencesStore, links?: PreferenceLinks, cacheMs = DEFAULT_CACHE_MS): PreferenceSource {
  const cache = new Map<string, { at: number; prefs: Preferences }>();
  return {
    async read(address) {
      const id = recipientId(address);
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < cacheMs) return hit.prefs;
      const { unsubscribed, mutedKinds, mutedChannels, quietHours } = await store.view(id);
      const prefs = { unsubscribed, mutedKinds, mutedChannels, quietHours };
      cache.delete(id);
      cache.set(id, { at: Date.now(), prefs });
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      return prefs;
    },
    unsubscribeUrl: (address) => links?.url(address),
  };
}
