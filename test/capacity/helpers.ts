import { get, URL_YAML, writeTest } from '../load/helpers';

/** A URL test of one GET with a capacity: block (YAML lines indented under `capacity:`). */
export function capacityTest(url: string, capacity: string, request: Record<string, unknown> = {}): string {
  return writeTest({
    yaml: `${URL_YAML}capacity:\n${capacity.replace(/^/gm, '  ')}\n`,
    requests: {
      version: '1.0',
      scenarios: { main: { requests: [get('Home', `${url}/item`, request)] } },
      testSetup: [{ scenario: 'main', loadType: 'Linear', virtualUsersPerEngine: 1, durationInSeconds: 1 }],
    },
  });
}

/** A URL test for the search on Azure Load Testing: testId shop-search, one setup of `users` (default 20) per engine. */
export function cloudCapacityTest(capacity: string, options: { requests?: string[]; users?: number; engines?: number; testType?: string } = {}): string {
  const names = options.requests ?? ['Home'];
  return writeTest({
    yaml: `version: v0.1\ntestId: shop-search\ntestType: ${options.testType ?? 'URL'}\ntestPlan: ${options.testType === 'JMX' ? 'plan.jmx' : 'requests.json'}\n` +
      `engineInstances: ${options.engines ?? 1}\n` +
      `capacity:\n${capacity.replace(/^/gm, '  ')}\n`,
    requests: {
      version: '1.0',
      scenarios: { main: { requests: names.map((n) => get(n, `https://shop.example.com/${n.toLowerCase()}`)), csvDataSetConfigList: [] } },
      testSetup: [{ scenario: 'main', loadType: 'Linear', virtualUsersPerEngine: options.users ?? 20, durationInSeconds: 60, rampUpTimeInSeconds: 0 }],
    },
    extra: { 'plan.jmx': '<?xml version="1.0"?><jmeterTestPlan version="1.2"/>' },
  });
}

