import { get, URL_YAML, writeTest } from '../load/helpers';

/** A URL test of one GET with a capacity: block (YAML lines indented under `capacity:`). */
export function capacityTest(url: string, capacity: string): string {
  return writeTest({
    yaml: `${URL_YAML}capacity:\n${capacity.replace(/^/gm, '  ')}\n`,
    requests: {
      version: '1.0',
      scenarios: { main: { requests: [get('Home', `${url}/item`)] } },
      testSetup: [{ scenario: 'main', loadType: 'Linear', virtualUsersPerEngine: 1, durationInSeconds: 1 }],
    },
  });
}
