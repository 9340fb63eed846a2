import { connect, rootCertificates, type ConnectionOptions, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsFacts } from '../../evidence/types';
import type { TlsSpec } from '../config';
import { describeNetworkError, httpGet } from '../httpGet';
import { checkResult, type CheckContext } from '../result';

const DAY_MS = 86_400_000;
const TIMEOUT_MS = 10_000;
/**
 * OpenSSL 3 refuses TLS 1.0/1.1 signatures (SHA-1) at its default security level, so a client at that level can
 * fail against a server that did accept the old version. The probe asks at level 0, the only level where
 * OpenSSL still completes such a handshake (OpenSSL 3.0 "SSL_CTX_set_security_level"), so "accepted" and
 * "refused" come from the server. If this machine's OpenSSL cannot offer the version at all, the outcome is
 * `untestable` and the check is unknown: not having asked is not evidence that the server refuses.
 */
export const LEGACY_PROBE_CIPHERS = 'DEFAULT:@SECLEVEL=0';

/** Error codes meaning the server answered the old ClientHello with a refusal. */
const REFUSALS = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY',
]);
/** Codes meaning this client could not even offer the version: nothing was learnt about the server. */
const CANNOT_OFFER = new Set(['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_NO_CIPHERS_AVAILABLE']);

/** Sentences that name the fix for the certificate errors a chain check meets most. */
const CHAIN_FIXES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'renew the certificate and bind the new one',
  CERT_NOT_YET_VALID: 'check the certificate\'s start date and the server clock',
  ERR_TLS_CERT_ALTNAME_INVALID: 'issue a certificate whose subject alternative names include this host, or bind the right one',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'use a certificate from a trusted CA, or give the private CA with caFile',
  SELF_SIGNED_CERT_IN_CHAIN: 'give the private root CA with caFile, or use a publicly trusted certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'serve the intermediate certificates with the leaf (the full chain)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'serve the full chain, or give the private root CA with caFile',
};

export interface TlsCheckOptions {
  /** Cipher string for the legacy-protocol probes; tests change it to show what "untestable" does. */
  legacyCiphers?: string;
}

export async function runTlsCheck(spec: TlsSpec, ctx: CheckContext, options: TlsCheckOptions = {}): Promise<ReturnType<typeof checkResult>> {
  const started = performance.now();
  const where = `${spec.serverName}:${spec.port}`;
  const ca = spec.ca ? [...rootCertificates, spec.ca] : undefined;
  const facts: TlsFacts = { host: spec.serverName, port: spec.port, daysToExpiry: null, chain: [], legacyProtocols: [], hstsMaxAge: null };
  const verified = await handshake(spec, { ca }, ctx.signal);
  if (verified.socketError && !verified.certificateError) {
    return checkResult(spec, 'unknown', `Could not reach ${where} over TLS (${verified.socketError}); check the host, the port and the firewall, then run the check again.`, started, { tls: facts });
  }
  facts.chain = verified.chain.length ? verified.chain : await readChainForReport(spec, ctx.signal);
  facts.negotiatedProtocol = verified.protocol;
  const leaf = facts.chain[0];
  if (leaf) facts.daysToExpiry = Math.floor((Date.parse(leaf.validTo) - Date.now()) / DAY_MS);
  const failures: string[] = [];
  let unknown = '';
  if (verified.certificateError) {
    facts.chainError = verified.certificateError;
    const fix = CHAIN_FIXES[verified.certificateError] ?? 'replace the certificate with one a trusted CA issued for this host';
    failures.push(`the certificate chain of ${where} is not valid for ${spec.serverName} (${verified.certificateError}${leaf ? `, expires ${leaf.validTo}` : ''}); ${fix}`);
  } else if (facts.daysToExpiry !== null && facts.daysToExpiry < spec.minDaysToExpiry) {
    failures.push(`the certificate of ${where} expires in ${facts.daysToExpiry} days (${leaf.validTo}), under the ${spec.minDaysToExpiry}-day bound; renew it now or turn on automatic renewal`);
  }
  for (const protocol of ['TLSv1', 'TLSv1.1'] as const) {
    const outcome = await probeLegacy(spec, protocol, ca, options.legacyCiphers ?? LEGACY_PROBE_CIPHERS, ctx.signal);
    facts.legacyProtocols.push(outcome);
    if (outcome.outcome === 'accepted') {
      failures.push(`${where} accepts ${label(protocol)}; set the minimum TLS version to 1.2 (App Service: minTlsVersion, Front Door: minimumTlsVersion)`);
    } else if (outcome.outcome === 'untestable' && !unknown) {
      unknown = `this agent could not offer ${label(protocol)} (${outcome.detail}), so whether ${where} refuses it is unknown; run the check on an agent whose OpenSSL can still offer TLS 1.0 and 1.1`;
    }
  }
  if (spec.hstsMinMaxAge > 0 && !verified.certificateError) {
    const hsts = await readHsts(spec, ctx.signal);
    if (typeof hsts === 'string') {
      unknown ||= `the HSTS header of ${where} could not be read (${hsts}); make https://${where}${spec.hstsPath} answer, then run the check again`;
    } else {
      facts.hstsMaxAge = hsts;
      if (hsts === null) failures.push(`${where} sends no valid Strict-Transport-Security header; send "Strict-Transport-Security: max-age=${spec.hstsMinMaxAge}; includeSubDomains"`);
      else if (hsts < spec.hstsMinMaxAge) failures.push(`the HSTS max-age of ${where} is ${hsts} s, under the ${spec.hstsMinMaxAge} s bound; raise it to max-age=${spec.hstsMinMaxAge}`);
    }
  }
  if (failures.length) return checkResult(spec, 'failed', capital(`${failures.join('; ')}.`), started, { tls: facts });
  if (unknown) return checkResult(spec, 'unknown', capital(`${unknown}.`), started, { tls: facts });
  return checkResult(
    spec,
    'passed',
    `The certificate of ${where} is valid for ${spec.serverName} for ${facts.daysToExpiry} more days (bound ${spec.minDaysToExpiry}), TLS 1.0 and 1.1 are refused${spec.hstsMinMaxAge > 0 ? `, and HSTS max-age is ${facts.hstsMaxAge} s` : ''}.`,
    started,
    { tls: facts },
  );
}

interface Handshake {
  chain: TlsFacts['chain'];
  protocol?: string;
  certificateError?: string;
  socketError?: string;
}

/** A verified handshake: the CA bundle is trusted on top of the system roots, and the host name is checked. */
function handshake(spec: TlsSpec, options: { ca?: string[] }, signal: AbortSignal): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = open({ host: spec.host, port: spec.port, servername: spec.serverName, ca: options.ca }, signal);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(Object.assign(new Error(`no TLS handshake within ${TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      const result = { chain: chainOf(socket), protocol: socket.getProtocol() ?? undefined };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const certificate = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME/.test(code);
      resolve(certificate ? { chain: [], certificateError: code } : { chain: [], socketError: describeNetworkError(error) });
    });
  });
}

/**
 * When verification failed, the evidence still needs the dates of the certificate the server sent (an expired
 * certificate's expiry is the point). This second handshake reads the certificate and closes at once: nothing is
 * sent over it and nothing it carries is trusted; the verdict above came from the verified handshake.
 */
function readChainForReport(spec: TlsSpec, signal: AbortSignal): Promise<TlsFacts['chain']> {
  return new Promise((resolve) => {
    const socket = open({ host: spec.host, port: spec.port, servername: spec.serverName, rejectUnauthorized: false }, signal);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy());
    socket.once('secureConnect', () => {
      const chain = chainOf(socket);
      socket.destroy();
      resolve(chain);
    });
    socket.once('error', () => resolve([]));
    socket.once('close', () => resolve([]));
  });
}

/** A TLS socket that a cancelled run destroys. */
function open(options: ConnectionOptions, signal: AbortSignal): TLSSocket {
  const socket = connect(options);
  const abort = () => socket.destroy(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' }));
  if (signal.aborted) queueMicrotask(abort);
  else signal.addEventListener('abort', abort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', abort));
  return socket;
}

function chainOf(socket: TLSSocket): TlsFacts['chain'] {
  const chain: TlsFacts['chain'] = [];
  let cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push({
      subject: nameOf(cert.subject),
      issuer: nameOf(cert.issuer),
      validFrom: new Date(cert.valid_from).toISOString(),
      validTo: new Date(cert.valid_to).toISOString(),
      fingerprint256: cert.fingerprint256,
    });
    cert = cert.issuerCertificate;
  }
  return chain;
}

function nameOf(name: object | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** Offers only `protocol`; see LEGACY_PROBE_CIPHERS for what each outcome means. */
function probeLegacy(spec: TlsSpec, protocol: 'TLSv1' | 'TLSv1.1', ca: string[] | undefined, ciphers: string, signal: AbortSignal): Promise<TlsFacts['legacyProtocols'][number]> {
  return new Promise((resolve) => {
    const socket = open({ host: spec.host, port: spec.port, servername: spec.serverName, ca, minVersion: protocol, maxVersion: protocol, ciphers }, signal);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      socket.end();
      resolve({ protocol, outcome: 'accepted', detail: `negotiated ${socket.getProtocol()}` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (REFUSALS.has(code)) resolve({ protocol, outcome: 'refused', detail: code });
      else if (CANNOT_OFFER.has(code)) resolve({ protocol, outcome: 'untestable', detail: code });
      // A certificate or signature complaint comes after the server chose the old version: it accepted it.
      else if (/CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|LEGACY_SIGALG/.test(code)) resolve({ protocol, outcome: 'accepted', detail: `handshake reached ${code}` });
      else resolve({ protocol, outcome: 'untestable', detail: describeNetworkError(error) });
    });
  });
}

/** max-age of Strict-Transport-Security (RFC 6797 §6.1), null when absent or malformed, or a phrase when unreadable. */
async function readHsts(spec: TlsSpec, signal: AbortSignal): Promise<number | null | string> {
  try {
    const answer = await httpGet(`https://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}${spec.hstsPath}`, {
      ca: spec.ca,
      headers: { host: spec.serverName },
      timeoutMs: TIMEOUT_MS,
      signal,
    });
    return parseHstsMaxAge(answer.headers['strict-transport-security']);
  } catch (error) {
    return describeNetworkError(error);
  }
}

export function parseHstsMaxAge(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string') return null;
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(header);
  return m ? Number(m[1]) : null;
}

function label(protocol: string): string {
  return protocol === 'TLSv1' ? 'TLS 1.0' : 'TLS 1.1';
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
