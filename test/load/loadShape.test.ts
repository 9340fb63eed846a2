import * as assert from 'node:assert/strict';
import { checkLoadShape, usersAt, type LoadShape } from '../../src/load/loadShape';
import { Problems } from '../../src/config/yamlSource';

type Closed = Exclude<LoadShape, { kind: 'constantArrivalRate' }>;

function shapeOf(setup: Record<string, unknown>, engineInstances = 1): { shape?: LoadShape; problems: string[] } {
  const p = new Problems('requests.json', () => 3);
  const shape = checkLoadShape(p, ['testSetup', 0], setup, engineInstances);
  return { shape, problems: p.list };
}

describe('load/loadShape', () => {
  const timelines: Array<{ name: string; setup: Record<string, unknown>; at: number[]; users: number[] }> = [
    { name: 'linear without ramp-up -> all users from the start, none after the end', setup: { loadType: 'Linear', virtualUsersPerEngine: 4, durationInSeconds: 10 }, at: [0, 5, 9.9, 10], users: [4, 4, 4, 0] },
    { name: 'linear ramp-up over 4 s -> one more user every second, like a JMeter thread group', setup: { loadType: 'linear', virtualUsersPerEngine: 4, durationInSeconds: 10, rampUpTimeInSeconds: 4 }, at: [0, 1, 2.5, 3.9, 4], users: [1, 2, 3, 4, 4] },
    { name: 'step with 2 steps over 4 s -> half the users, then all', setup: { loadType: 'step', virtualUsersPerEngine: 10, durationInSeconds: 10, rampUpTimeInSeconds: 4, rampUpSteps: 2 }, at: [0, 1.9, 2, 3.9, 5], users: [5, 5, 10, 10, 10] },
    { name: 'spike x3 for 2 s -> triple users in the middle of the run, then back', setup: { loadType: 'spike', virtualUsersPerEngine: 2, durationInSeconds: 10, spikeMultiplier: 3, spikeHoldTimeInSeconds: 2 }, at: [0, 3.9, 4, 5.9, 6], users: [2, 2, 6, 6, 2] },
  ];
  for (const t of timelines) {
    it(`loadShape: ${t.name}`, () => {
      const { shape, problems } = shapeOf(t.setup);
      assert.deepEqual(problems, []);
      assert.deepEqual(t.at.map((s) => usersAt(shape as Closed, s)), t.users);
    });
  }

  it('loadShape: two engine instances -> users per engine doubled on one agent', () => {
    assert.equal((shapeOf({ virtualUsersPerEngine: 3, durationInSeconds: 5 }, 2).shape as Closed).virtualUsers, 6);
  });

  it('loadShape: constantArrivalRate -> open model with requestsPerSecond and a user cap', () => {
    assert.deepEqual(shapeOf({ loadType: 'constantArrivalRate', requestsPerSecond: 50, durationInSeconds: 5, maxVirtualUsers: 20 }).shape,
      { kind: 'constantArrivalRate', requestsPerSecond: 50, durationSeconds: 5, maxVirtualUsers: 20 });
  });

  const bad: Array<{ name: string; setup: Record<string, unknown>; problem: RegExp }> = [
    { name: 'unknown loadType', setup: { loadType: 'burst', virtualUsersPerEngine: 1, durationInSeconds: 1 }, problem: /loadType: must be linear, step, spike or constantArrivalRate, found "burst"/ },
    { name: 'step without rampUpSteps', setup: { loadType: 'step', virtualUsersPerEngine: 1, durationInSeconds: 5, rampUpTimeInSeconds: 2 }, problem: /rampUpSteps: required for loadType step/ },
    { name: 'ramp-up longer than the run', setup: { virtualUsersPerEngine: 1, durationInSeconds: 5, rampUpTimeInSeconds: 9 }, problem: /rampUpTimeInSeconds: is longer than durationInSeconds/ },
    { name: 'fractional users', setup: { virtualUsersPerEngine: 1.5, durationInSeconds: 5 }, problem: /virtualUsersPerEngine: must be a whole number of at least 1/ },
    { name: 'open model with virtual users', setup: { loadType: 'constantArrivalRate', requestsPerSecond: 5, virtualUsersPerEngine: 3, durationInSeconds: 5 }, problem: /virtualUsersPerEngine: does not apply to loadType constantArrivalRate/ },
    { name: 'open model without a rate', setup: { loadType: 'constantArrivalRate', durationInSeconds: 5 }, problem: /requestsPerSecond: required for loadType constantArrivalRate/ },
    { name: 'requestsPerSecond on a closed model', setup: { virtualUsersPerEngine: 1, durationInSeconds: 5, requestsPerSecond: 3 }, problem: /requestsPerSecond: only applies to loadType constantArrivalRate/ },
    { name: 'misspelt key', setup: { virtualUsersPerEngine: 1, durationInSeconds: 5, rampUpTimeInSecond: 1 }, problem: /unknown key "rampUpTimeInSecond"; did you mean "rampUpTimeInSeconds"\?/ },
  ];
  for (const c of bad) {
    it(`loadShape: ${c.name} -> a problem naming the key`, () => {
      const { problems } = shapeOf(c.setup);
      assert.ok(problems.some((p) => c.problem.test(p)), problems.join('\n'));
    });
  }
});
