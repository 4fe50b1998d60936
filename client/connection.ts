/**
 * Connections to Temporal from the validated Config: a plain local server, a
 * TLS cluster (client certificate), or Temporal Cloud (API key over TLS).
 * `connectClient` is for the API and the typed client, `connectNative` for workers.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config, PemSource } from '../config/env';

interface TlsOptions {
  clientCertPair?: { crt: Buffer; key: Buffer };
  serverRootCACertificate?: Buffer;
  serverNameOverride?: string;
}

interface CommonConnectionOptions {
  address: string;
  tls?: true | TlsOptions;
  apiKey?: string;
  metadata?: Record<string, string>;
}

function readPem(source: PemSource): Buffer {
  if ('data' in source) return Buffer.from(source.data);
  try {
    return fs.readFileSync(source.path);
  } catch (err) {
    throw new Error(`${source.variable}: cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function connectionOptions(config: Config, address: string): CommonConnectionOptions {
  const { tls, apiKey, namespace, metadata } = config.temporal;
  const options: CommonConnectionOptions = { address, ...(metadata && { metadata: { ...metadata } }) };
  if (tls) {
    const settings: TlsOptions = {};
    if (tls.clientCert && tls.clientKey) settings.clientCertPair = { crt: readPem(tls.clientCert), key: readPem(tls.clientKey) };
    if (tls.serverCa) settings.serverRootCACertificate = readPem(tls.serverCa);
    if (tls.serverName) settings.serverNameOverride = tls.serverName;
    options.tls = Object.keys(settings).length ? settings : true;
  }
  if (apiKey) {
    options.tls ??= true;
    options.apiKey = apiKey;
    // Temporal Cloud routes API-key requests on regional endpoints by this header.
    options.metadata = { ...options.metadata, 'temporal-namespace': namespace };
  }
  return options;
}

/**
 * A failed connection as one line that names the likely cause: with TLS, the
 * certificate problem and the variable to look at; without it, the address.
 */
export function connectionError(config: Config, address: string, err: unknown): Error {
  const raw = err instanceof Error ? err.message : String(err);
  const detail = raw.replace(/\s+/g, ' ').trim();
  const tls = config.temporal.tls;
  const ca = tls?.serverCa ? `the CA in ${tls.serverCa.variable}${'path' in tls.serverCa ? ` (${tls.serverCa.path})` : ''}` : "the system's trusted CAs";
  let cause: string;
  if (/UnknownIssuer|unknown ca|certificate verify failed|self[- ]signed|unable to get local issuer|BadSignature|invalid peer certificate/i.test(raw)) {
    cause = `TLS: the server's certificate is not signed by ${ca}`;
  } else if (/NotValidForName|hostname|subject ?alt|SAN|does not match/i.test(raw)) {
    cause = `TLS: the server's certificate is not valid for the name ${tls?.serverName ? `in TEMPORAL_TLS_SERVER_NAME (${tls.serverName})` : `of ${address} (set TEMPORAL_TLS_SERVER_NAME)`}`;
  } else if (/Expired|NotValidYet/i.test(raw)) {
    cause = "TLS: the server's certificate has expired or is not valid yet";
  } else if (tls && /wrong version number|WRONG_VERSION|InvalidContentType|corrupt message|http2 error|frame/i.test(raw)) {
    cause = 'TLS: the server does not speak TLS on this port (unset the TEMPORAL_TLS_* settings, or check the port)';
  } else if (!tls && /connection reset|Connection reset|unexpected EOF|tls/i.test(raw)) {
    cause = 'the server may require TLS (set TEMPORAL_TLS_CA, or TEMPORAL_TLS=true)';
  } else {
    cause = 'the connection failed';
  }
  return new Error(`Temporal at ${address}: ${cause} (${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail})`);
}

function resolveAddress(config: Config, address: string | undefined): string {
  const resolved = address ?? config.temporal.address;
  if (!resolved) throw new Error('TEMPORAL_ADDRESS: required to connect to Temporal');
  return resolved;
}

/** A Client for the configured namespace; close it with `client.connection.close()`. */
export async function connectClient(config: Config, address?: string): Promise<Client> {
  const target = resolveAddress(config, address);
  const options = connectionOptions(config, target);
  const connection = await Connection.connect(options).catch((err: unknown) => {
    throw connectionError(config, target, err);
  });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** A NativeConnection for workers. */
export async function connectNative(config: Config, address?: string): Promise<NativeConnection> {
  const target = resolveAddress(config, address);
  const options = connectionOptions(config, target);
  return NativeConnection.connect(options).catch((err: unknown) => {
    throw connectionError(config, target, err);
  });
}
