import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startDnsServer } from '../support/dnsServer';
import { environmentCertificates, startSite, type Pair } from '../support/environmentTls';

/**
 * A small production environment on loopback, for the CLI, gate and task tests: an HTTPS site with the given
 * certificate and strong headers, a DNS server, a health endpoint, and a terraform configuration applied once.
 * `file(changes)` writes an environment.yaml for it.
 */
export const STRONG_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function startWorld(certificate: (c: ReturnType<typeof environmentCertificates>) => Pair = (c) => c.chained, headers: Record<string, string> = STRONG_HEADERS) {
  const certs = environmentCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'readiness-world-'));
  writeFileSync(join(dir, 'private-ca.pem'), certs.ca);
  const site = await startSite({ ...certificate(certs), headers });
  const dns = await startDnsServer({ 'shop.example.com': { A: ['127.0.0.1'] } });
  let healthy = true;
  const health: Server = createServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: healthy ? 'Healthy' : 'Degraded', db: { latencyMs: 4 } }));
  });
  await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
  const healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/healthz`;
  const infra = join(dir, 'infra');
  cpSync(resolve(__dirname, 'data/drift'), infra, { recursive: true });
  writeFileSync(join(infra, 'prod.tfvars'), 'app_sku = "P1v3"\n');
  const tfEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_DATA_DIR: join(dir, 'tf-setup') };
  execFileSync('terraform', ['init', '-input=false', '-no-color'], { cwd: infra, env: tfEnv, stdio: 'pipe' });
  execFileSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color', '-var-file=prod.tfvars'], { cwd: infra, env: tfEnv, stdio: 'pipe' });

  const checks = () => [
    { name: 'shop-certificate', type: 'tls', host: '127.0.0.1', serverName: 'localhost', port: site.port, minDaysToExpiry: 21, caFile: 'private-ca.pem' },
    { name: 'shop-headers', type: 'headers', url: `https://localhost:${site.port}/`, minGrade: 'B', caFile: 'private-ca.pem' },
    { name: 'shop-dns', type: 'dns', host: 'shop.example.com', resolver: dns.address, a: ['127.0.0.1'] },
    { name: 'shop-health', type: 'health', url: healthUrl, conditions: ['$.status == "Healthy"', '$.db.latencyMs < 50'], repeats: 2, interval: '50ms' },
    { name: 'infra-drift', type: 'drift', directory: 'infra', varFiles: ['infra/prod.tfvars'] },
  ];
  return {
    dir,
    site,
    healthUrl,
    setHealthy: (value: boolean) => (healthy = value),
    /** Writes environment.yaml; `change` edits the document first. Returns its path. */
    file(change: (doc: { service: string; environment: string; checks: Array<Record<string, unknown>> }) => void = () => undefined, name = 'environment.yaml') {
      const doc = { service: 'shop', environment: 'production', checks: checks() };
      change(doc);
      const path = join(dir, name);
      writeFileSync(path, stringify(doc));
      return path;
    },
    async stop() {
      await site.close();
      dns.close();
      await new Promise<void>((r) => health.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
