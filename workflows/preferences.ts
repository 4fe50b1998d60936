/**
 * Notification preferences of one recipient (a partner contact's e-mail
 * address, a manager's e-mail address or Slack user id), as zod schemas: what
 * the `setPreferences` Update of the `recipientPreferences` workflow takes and
 * what the API serves. docs/preferences.md explains the design.
 *
 * The workflow imports this module for its types only: zod never enters the
 * workflow bundle (each cached workflow would pay for it, see ENGINEERING.md).
 * The Update's validator is ./preferencePolicy.ts `checkChange`, which
 * test/unit/preferences.test.ts holds to these schemas with generated inputs.
 */
import { z } from 'zod';
import { NOTIFICATION_KINDS } from './notifications';
import { PartnerProfile } from './types';

export const CHANNELS = ['email', 'slack'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/** The contract's IANA time zone rule, as partner profiles take it. */
const TimeZone = PartnerProfile.shape.timezone.unwrap();

export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const timeOfDay = z.string().regex(TIME_OF_DAY, { message: 'must be a time of day as HH:MM (24-hour clock), e.g. 20:00' });

/**
 * A daily window, in the recipient's own time zone, in which nothing that can
 * wait reaches them: it is held back until `end`. `start` after `end` spans
 * midnight (20:00 to 07:00).
 */
export const QuietHours = z
  .object({ start: timeOfDay, end: timeOfDay, timezone: TimeZone })
  .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from start' });
export type QuietHours = z.infer<typeof QuietHours>;

const NotificationKindName = z.enum(NOTIFICATION_KINDS);

export const Preferences = z.object({
  /** Every message that is not essential is turned off (the unsubscribe link sets this). */
  unsubscribed: z.boolean(),
  /** Kinds turned off (see docs/playbook.md for each kind). */
  mutedKinds: z.array(NotificationKindName).max(NOTIFICATION_KINDS.length),
  /** Channels turned off. */
  mutedChannels: z.array(Channel).max(CHANNELS.length),
  quietHours: QuietHours.nullable(),
});
export type Preferences = z.infer<typeof Preferences>;

/** A change: each field given replaces the current one; `quietHours: null` clears them. */
export const PreferencesChange = z
  .object({
    unsubscribed: z.boolean().optional(),
    mutedKinds: z.array(NotificationKindName).max(NOTIFICATION_KINDS.length).optional(),
    mutedChannels: z.array(Channel).max(CHANNELS.length).optional(),
    quietHours: QuietHours.nullable().optional(),
    /** Who changed it, for the record (the API fills it in from how the request was authorised). */
    by: z.string().min(1).max(200).optional(),
  })
  .refine(
    (c) => c.unsubscribed !== undefined || c.mutedKinds !== undefined || c.mutedChannels !== undefined || c.quietHours !== undefined,
    { message: 'must change at least one of unsubscribed, mutedKinds, mutedChannels, quietHours' },
  );
export type PreferencesChange = z.infer<typeof PreferencesChange>;

/** One recipient's preferences as the API and the `preferences` query show them. */
export const PreferencesView = Preferences.extend({
  /** sha256 of the normalised address, hex, first 32 characters (docs/preferences.md). */
  recipientId: z.string(),
  /** Null while the recipient never changed anything (the defaults: everything on). */
  updatedAt: z.string().nullable().describe('ISO-8601 date-time'),
  updatedBy: z.string().nullable(),
  changes: z.number().int(),
});
export type PreferencesView = z.infer<typeof PreferencesView>;
