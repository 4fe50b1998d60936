/**
 * The key the encrypted replay histories were recorded with. A TEST KEY, public
 * in this repository: it protects nothing, and must never be used for real data.
 */
import { dataConverter } from '../../client/encryption';
import { parseConfig } from '../../config/env';

export const REPLAY_ENCRYPTION_KEYS = 'replay-test-2026-11:Hj7Fft2ZCYCUIt/kM4Ut6p54HTgOdQEQmg6wn+5A5vE=';

/** The data converter the encrypted histories were recorded with: the production codec and failure converter. */
export function replayDataConverter() {
  return dataConverter(parseConfig({ PAYLOAD_ENCRYPTION_KEYS: REPLAY_ENCRYPTION_KEYS }))!;
}
