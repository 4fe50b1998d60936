/**
 * Payload encryption: the AES-256-GCM codec (round trip, key ids, rotation,
 * tampering, plaintext pass-through) and PAYLOAD_ENCRYPTION_KEYS validation.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, parseConfig, type EncryptionKey } from '../../config/env';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, dataConverter } from '../../client/encryption';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const profile = { name: 'Sealed Partner GmbH', contacts: [{ email: 'lee@sealed.example' }] };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('AesGcmPayloadCodec', () => {
  it('encrypts the whole payload under the first key and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec([key('2026-11'), key('2026-05')]);
    const plain = defaultPayloadConverter.toPayload(profile);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata?.[KEY_ID_METADATA])).toBe('2026-11');
    // Neither the value nor its original encoding is readable.
    const raw = Buffer.concat([sealed!.data!, ...Object.values(sealed!.metadata ?? {})]).toString('latin1');
    expect(raw).not.toMatch(/Sealed Partner|lee@sealed|json\/plain/);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(profile);
    expect(text(opened!.metadata?.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV per payload', async () => {
    const codec = new AesGcmPayloadCodec([key('k')]);
    const plain = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotates: the new key encrypts, the old one still decrypts what it sealed, a removed one is named', async () => {
    const old = key('old');
    const fresh = key('new');
    const [sealedOld] = await new AesGcmPayloadCodec([old]).encode([defaultPayloadConverter.toPayload(profile)]);
    const rotated = new AesGcmPayloadCodec([fresh, old]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedOld!]))[0]!)).toEqual(profile);
    const [sealedNew] = await rotated.encode([defaultPayloadConverter.toPayload(profile)]);
    expect(text(sealedNew!.metadata?.[KEY_ID_METADATA])).toBe('new');

    const withoutOld = new AesGcmPayloadCodec([fresh]);
    const err = await withoutOld.decode([sealedOld!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toMatch(/key "old", which is not in PAYLOAD_ENCRYPTION_KEYS/);
    expect((err as Error).message).not.toContain(old.key.toString('base64'));
  });

  it('refuses altered ciphertext, a different key under the same id, and a swapped key id', async () => {
    const k = key('k1');
    const codec = new AesGcmPayloadCodec([k]);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(profile)]);
    const flipped: Payload = { ...sealed!, data: Buffer.from(sealed!.data!) };
    flipped.data![20]! ^= 1;
    await expect(codec.decode([flipped])).rejects.toThrow(/does not decrypt: it was altered/);
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([sealed!])).rejects.toThrow(PayloadDecryptionError);
    // The key id is authenticated: relabelling the payload to another id with the same key bytes fails.
    const relabelled: Payload = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(new AesGcmPayloadCodec([k, { id: 'k2', key: k.key }]).decode([relabelled])).rejects.toThrow(/does not decrypt/);
  });

  it('passes plaintext payloads through, so histories from before encryption stay readable', async () => {
    const codec = new AesGcmPayloadCodec([key('k')]);
    const plain = defaultPayloadConverter.toPayload(profile);
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');

  it('parses id:base64 pairs in order (the first encrypts) and turns the data converter on', () => {
    const config = parseConfig({ PAYLOAD_ENCRYPTION_KEYS: ` 2026-11:${k1}, 2026-05:${k2} ` });
    expect(config.encryption.keys.map((k) => [k.id, k.key.toString('base64')])).toEqual([
      ['2026-11', k1],
      ['2026-05', k2],
    ]);
    const converter = dataConverter(config);
    expect(converter?.payloadCodecs).toHaveLength(1);
    expect(converter?.failureConverterPath).toMatch(/failureConverter/);
    expect(dataConverter(parseConfig({}))).toBeUndefined();
  });

  it('reports one line per bad entry, naming the variable and never echoing a key', () => {
    const short = randomBytes(16).toString('base64');
    const lines = problems({ PAYLOAD_ENCRYPTION_KEYS: `a:${k1},a:${k2},b:${short},c:not-base64!,${k2},bad id:${k1}` });
    expect(lines).toEqual([
      'PAYLOAD_ENCRYPTION_KEYS: entry 2 repeats the key id "a"',
      'PAYLOAD_ENCRYPTION_KEYS: entry 3 (id "b") must have a key of 32 bytes (AES-256), got 16',
      'PAYLOAD_ENCRYPTION_KEYS: entry 4 (id "c") must have a base64 key, e.g. from `openssl rand -base64 32`',
      expect.stringMatching(/^PAYLOAD_ENCRYPTION_KEYS: entry 5 must be id:base64-key/),
      expect.stringMatching(/^PAYLOAD_ENCRYPTION_KEYS: entry 6 must be id:base64-key/),
    ]);
    for (const secret of [k1, k2, short]) expect(lines.join('\n')).not.toContain(secret);
  });

  it('treats an empty value as unset, and a list of only commas as a mistake', () => {
    expect(parseConfig({ PAYLOAD_ENCRYPTION_KEYS: '' }).encryption.keys).toEqual([]);
    expect(problems({ PAYLOAD_ENCRYPTION_KEYS: ' , ' })).toEqual(['PAYLOAD_ENCRYPTION_KEYS: must list at least one id:base64-key pair']);
  });
});

describe('CODEC_CORS_ORIGINS', () => {
  it("defaults to the embedded dev server's UI, and to none against an external cluster", () => {
    expect(parseConfig({ TEMPORAL_UI_PORT: '8299' }).encryption.corsOrigins).toEqual(['http://127.0.0.1:8299', 'http://localhost:8299']);
    expect(parseConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).encryption.corsOrigins).toEqual([]);
  });

  it('takes origins, and names one with a path', () => {
    expect(parseConfig({ CODEC_CORS_ORIGINS: 'https://ui.example:8080, http://localhost:8233/' }).encryption.corsOrigins).toEqual([
      'https://ui.example:8080',
      'http://localhost:8233',
    ]);
    expect(problems({ CODEC_CORS_ORIGINS: 'https://ui.example/app' })).toEqual([
      expect.stringMatching(/^CODEC_CORS_ORIGINS: "https:\/\/ui.example\/app" must be an origin/),
    ]);
  });
});
