import { Agent, ProxyAgent, fetch as undiciFetch } from 'undici';
import { ConfigError } from '../errors';
import type { FetchLike } from './http';

/**
 * Agents behind a corporate proxy are configured with one (Agent.ProxyUrl, Agent.ProxyUsername,
 * Agent.ProxyPassword, Agent.ProxyBypassList), and Node's fetch does not pick it up by itself. The field names
 * match azure-pipelines-task-lib's `getHttpProxyConfiguration()`, so a task passes its result straight in:
 * `createAzureDevOpsClient({ ..., fetch: proxyFetch(tl.getHttpProxyConfiguration() ?? undefined) })`.
 * Bypass entries are regular expressions matched against the request URL, as the agent and task-lib treat them.
 */
export interface ProxySettings {
  proxyUrl: string;
  proxyUsername?: string;
  proxyPassword?: string;
  proxyBypassHosts?: string[];
}

/** A fetch through the proxy, or undefined (Node's own fetch) when no proxy is configured. */
export function proxyFetch(settings: ProxySettings | undefined): FetchLike | undefined {
  if (!settings?.proxyUrl?.trim()) return undefined;
  let uri: URL;
  try {
    uri = new URL(settings.proxyUrl.trim());
  } catch {
    throw new ConfigError(`Agent.ProxyUrl: "${settings.proxyUrl}" is not a URL; expected e.g. http://proxy.example.com:8080.`);
  }
  const bypass: RegExp[] = [];
  const problems: string[] = [];
  for (const pattern of settings.proxyBypassHosts ?? []) {
    try {
      bypass.push(new RegExp(pattern, 'i'));
    } catch {
      problems.push(`Agent.ProxyBypassList: "${pattern}" is not a valid regular expression.`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const token = settings.proxyUsername
    ? `Basic ${Buffer.from(`${settings.proxyUsername}:${settings.proxyPassword ?? ''}`).toString('base64')}`
    : undefined;
  const viaProxy = new ProxyAgent({ uri: uri.toString(), token });
  const direct = new Agent();
  return (input, init) => {
    const dispatcher = bypass.some((pattern) => pattern.test(input)) ? direct : viaProxy;
    // undici's fetch takes the same init as the platform fetch, plus the dispatcher.
    return undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  };
}
