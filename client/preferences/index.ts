/** Notification preferences: where they live (./store.ts), the signed links (./links.ts). See docs/preferences.md. */
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/env';
import type { PreferenceSource } from '../../activities/recipients';
import { preferenceLinks, type PreferenceLinks } from './links';
import { DEFAULT_CACHE_MS, PreferencesStore, preferenceSource } from './store';

export { LINK_VALID_DAYS, maskAddress, preferenceLinks, type PreferenceLinks, type VerifiedLink } from './links';
export { DEFAULT_CACHE_MS, PreferencesStore, defaultView, normaliseAddress, preferenceSource, recipientId } from './store';

export interface PreferencesService {
  store: PreferencesStore;
  /** Absent without PREFERENCES_SECRET: e-mails carry no link, and /unsubscribe answers 404. */
  links?: PreferenceLinks;
}

export function preferencesService(client: Client, config: Config): PreferencesService {
  const { secrets, publicUrl } = config.preferences;
  return {
    store: new PreferencesStore(client, config.temporal.taskQueue),
    ...(secrets.length ? { links: preferenceLinks({ secrets, publicUrl }) } : {}),
  };
}

/** What a worker hands its notification activity. */
export function preferenceSourceFor(client: Client, config: Config, cacheMs = DEFAULT_CACHE_MS): PreferenceSource {
  const { store, links } = preferencesService(client, config);
  return preferenceSource(store, links, cacheMs);
}
