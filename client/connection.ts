/**
 * Connections to Temporal from the validated Config: a plain local server, a
 * TLS cluster (client certificate), or Temporal Cloud (API key over TLS).
 * `connectClient` is for the API and the typed client, `connectNative` for workers.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config, PemSource } from '../config/env';
import { dataConverter } from './encryption';

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
 * The worker's (Rust) connection reports the TLS cause itself; the client's
 * (grpc-js) only says it timed out, so the cause comes from a TLS handshake of
 * our own with the same settings (`diagnose`).
 */
export async function connectionError(config: Config, address: string, err: unknown): Promise<Error> {
  const raw = err instanceof Error ? err.message : String(err);
  const detail = raw.replace(/\s+/g, ' ').trim();
  const cause = classify(config, address, raw) ?? (await diagnose(config, address)) ?? 'the connection failed';
  return new Error(`Temporal at ${address}: ${cause} (${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail})`);
}

type Problem = 'issuer' | 'name' | 'validity' | 'not-tls' | 'needs-tls' | 'refused';

function describe(config: Config, address: string, problem: Problem): string {
  const tls = config.temporal.tls;
  const ca = tls?.serverCa
    ? `the CA in ${tls.serverCa.variable}${'path' in tls.serverCa ? ` (${tls.serverCa.path})` : ''}`
    : "the system's trusted CAs (set TEMPORAL_TLS_CA to the cluster's CA)";
  switch (problem) {
    case 'issuer':
      return `TLS: the server's certificate is not signed by ${ca}`;
    case 'name':
      return `TLS: the server's certificate is not valid for the name ${
        tls?.serverName ? `in TEMPORAL_TLS_SERVER_NAME (${tls.serverName})` : `of ${address} (set TEMPORAL_TLS_SERVER_NAME)`
      }`;
    case 'validity':
      return "TLS: the server's certificate has expired or is not valid yet";
    case 'not-tls':
      return 'TLS: the server does not speak TLS on this port (unset the TEMPORAL_TLS_* settings, or check the port)';
    case 'needs-tls':
      return 'the server requires TLS (set TEMPORAL_TLS_CA to its CA, or TEMPORAL_TLS=true)';
    case 'refused':
      return 'nothing accepts connections there (is the server running? is TEMPORAL_ADDRESS right?)';
  }
}

/** The Rust core's messages (rustls, tonic). */
function classify(config: Config, address: string, raw: string): string | undefined {
  const tls = config.temporal.tls;
  if (/UnknownIssuer|unknown ca|BadSignature|invalid peer certificate: (?!NotValidForName|Expired|NotValidYet)/i.test(raw)) return describe(config, address, 'issuer');
  if (/NotValidForName|certificate is not valid for/i.test(raw)) return describe(config, address, 'name');
  if (/Expired|NotValidYet/.test(raw)) return describe(config, address, 'validity');
  if (tls && /InvalidContentType|corrupt message|wrong version number/i.test(raw)) return describe(config, address, 'not-tls');
  if (/Connection refused|ECONNREFUSED/i.test(raw)) return describe(config, address, 'refused');
  return undefined;
}

/** A TLS handshake (or a plain connect) with the configured settings, to name what went wrong. */
function diagnose(config: Config, address: string): Promise<string | undefined> {
  const sep = address.lastIndexOf(':');
  const host = address.slice(0, sep).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(sep + 1));
  const settings = config.temporal.tls;
  const say = (problem: Problem) => describe(config, address, problem);
  return new Promise((resolve) => {
    const done = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    let socket: net.Socket;
    if (settings || config.temporal.apiKey) {
      const servername = settings?.serverName ?? (net.isIP(host) ? undefined : host);
      socket = tls.connect({
        host,
        port,
        ...(servername && { servername }),
        ...(settings?.serverCa && { ca: readPem(settings.serverCa) }),
        ...(settings?.clientCert && settings.clientKey && { cert: readPem(settings.clientCert), key: readPem(settings.clientKey) }),
        ALPNProtocols: ['h2'],
      });
      socket.once('secureConnect', () => done(undefined));
    } else {
      socket = net.connect({ host, port });
      // A plain connection works at the TCP level: does the server want TLS?
      socket.once('connect', () => {
        socket.destroy();
        const probe = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
        probe.once('secureConnect', () => (probe.destroy(), resolve(say('needs-tls'))));
        probe.once('error', () => resolve(undefined));
        probe.setTimeout(3_000, () => (probe.destroy(), resolve(undefined)));
      });
    }
    socket.setTimeout(3_000, () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') done(say('refused'));
      else if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED/.test(code)) done(say('issuer'));
      else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') done(say('name'));
      else if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code)) done(say('validity'));
      else if (/wrong version number|WRONG_VERSION_NUMBER|packet length too long/i.test(`${code} ${err.message}`)) done(say('not-tls'));
      else done(undefined);
    });
  });
}

function resolveAddress(config: Config, address: string | undefined): string {
  const resolved = address ?? config.temporal.address;
  if (!resolved) throw new Error('TEMPORAL_ADDRESS: required to connect to Temporal');
  return resolved;
}

/**
 * A Client for the configured namespace, with the payload codec when
 * PAYLOAD_ENCRYPTION_KEYS is set; close it with `client.connection.close()`.
 */
export async function connectClient(config: Config, address?: string): Promise<Client> {
  const target = resolveAddress(config, address);
  const options = connectionOptions(config, target);
  const connection = await Connection.connect(options).catch(async (err: unknown) => {
    throw await connectionError(config, target, err);
  });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(config) });
}

/** A NativeConnection for workers. */
export async function connectNative(config: Config, address?: string): Promise<NativeConnection> {
  const target = resolveAddress(config, address);
  const options = connectionOptions(config, target);
  return NativeConnection.connect(options).catch(async (err: unknown) => {
    throw await connectionError(config, target, err);
  });
}
