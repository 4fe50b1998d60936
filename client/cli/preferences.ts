/** `onboarding preferences <address>`: show or change a recipient's notification preferences. */
import { NOTIFICATION_KINDS } from '../../workflows/notifications';
import { CHANNELS, type PreferencesChange, type PreferencesView } from '../../workflows/preferences';
import { recipientId } from '../preferences/store';
import { stringOption, usageError, type Command, type OptionValues } from './command';
import { fields, when } from './format';

const list = (values: OptionValues, name: string, allowed: readonly string[]): string[] | undefined => {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((i) => !allowed.includes(i));
  if (unknown.length || !items.length) throw usageError(`--${name} takes a comma-separated list of: ${allowed.join(', ')} (got ${value})`);
  return items;
};

const without = <T extends string>(from: readonly T[], remove: readonly string[] | undefined) => from.filter((x) => !remove?.includes(x));
const plus = <T extends string>(to: readonly T[], add: readonly string[] | undefined) => [...new Set([...to, ...((add ?? []) as T[])])];

/** The change the flags ask for, given the current preferences; null when they ask for none. */
function changeFrom(values: OptionValues, current: PreferencesView): PreferencesChange | null {
  const change: PreferencesChange = {};
  if (values.unsubscribe && values.resubscribe) throw usageError('give --unsubscribe or --resubscribe, not both');
  if (values.unsubscribe) change.unsubscribed = true;
  if (values.resubscribe) change.unsubscribed = false;
  const [mute, unmute] = [list(values, 'mute', NOTIFICATION_KINDS), list(values, 'unmute', NOTIFICATION_KINDS)];
  if (mute || unmute) change.mutedKinds = without(plus(current.mutedKinds, mute), unmute);
  const [muteChannel, unmuteChannel] = [list(values, 'mute-channel', CHANNELS), list(values, 'unmute-channel', CHANNELS)];
  if (muteChannel || unmuteChannel) change.mutedChannels = without(plus(current.mutedChannels, muteChannel), unmuteChannel);
  const quiet = stringOption(values, 'quiet-hours');
  const timezone = stringOption(values, 'timezone');
  if (quiet !== undefined) {
    const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(quiet);
    if (!m) throw usageError(`--quiet-hours takes HH:MM-HH:MM, e.g. 20:00-07:30 (got ${quiet})`);
    const zone = timezone ?? current.quietHours?.timezone;
    if (!zone) throw usageError('--quiet-hours needs --timezone <IANA zone>, e.g. Europe/Berlin');
    change.quietHours = { start: m[1]!, end: m[2]!, timezone: zone };
  } else if (timezone !== undefined) {
    throw usageError('--timezone goes with --quiet-hours');
  }
  if (values['no-quiet-hours']) {
    if (quiet !== undefined) throw usageError('give --quiet-hours or --no-quiet-hours, not both');
    change.quietHours = null;
  }
  if (!Object.keys(change).length) return null;
  const by = stringOption(values, 'by');
  return by ? { ...change, by } : change;
}

function render(address: string, p: PreferencesView): string {
  return fields([
    ['recipient', `${address} (id ${p.recipientId})`],
    ['unsubscribed', p.unsubscribed],
    ['muted kinds', p.mutedKinds.join(', ')],
    ['muted channels', p.mutedChannels.join(', ')],
    ['quiet hours', p.quietHours ? `${p.quietHours.start}-${p.quietHours.end} ${p.quietHours.timezone}` : null],
    ['changed', p.updatedAt ? `${when(p.updatedAt)} UTC by ${p.updatedBy ?? 'unknown'} (${p.changes} change${p.changes === 1 ? '' : 's'})` : 'never'],
    ['', 'essential messages (the opportunity SLA, and what the playbook marks essential) are delivered whatever these say'],
  ]);
}

export const preferences: Command = {
  name: 'preferences',
  summary: "Show or change a recipient's notification preferences (a contact's or manager's e-mail, or a Slack user id).",
  args: ['<address>'],
  options: {
    unsubscribe: { type: 'boolean', description: 'turn off everything that is not essential' },
    resubscribe: { type: 'boolean', description: 'undo --unsubscribe' },
    mute: { type: 'string', value: 'kinds', description: 'turn off these kinds, comma-separated (e.g. milestone_reminder,survey_request)' },
    unmute: { type: 'string', value: 'kinds', description: 'turn these kinds on again' },
    'mute-channel': { type: 'string', value: CHANNELS.join('|'), description: 'turn off a channel' },
    'unmute-channel': { type: 'string', value: CHANNELS.join('|'), description: 'turn a channel on again' },
    'quiet-hours': { type: 'string', value: 'HH:MM-HH:MM', description: 'hold back what can wait in this daily window, e.g. 20:00-07:30' },
    timezone: { type: 'string', value: 'tz', description: "the recipient's IANA time zone for --quiet-hours" },
    'no-quiet-hours': { type: 'boolean', description: 'remove the quiet hours' },
    by: { type: 'string', value: 'name', description: 'who asked for the change, for the record' },
  },
  async run({ values, positionals: [address] }, { api, json, out }) {
    if (!address.trim()) throw usageError('give the recipient: an e-mail address or a Slack user id');
    const path = `/v1/preferences/${recipientId(address)}`;
    const current = await api.request<PreferencesView>('GET', path);
    const change = changeFrom(values, current);
    const result = change ? await api.request<PreferencesView>('PATCH', path, change) : current;
    out(json ? JSON.stringify(result, null, 2) : render(address, result));
  },
};
