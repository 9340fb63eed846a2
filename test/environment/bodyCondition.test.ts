import assert from 'node:assert/strict';
import { evaluateCondition, parseCondition, type BodyCondition } from '../../src/environment/bodyCondition';

const body = { status: 'Healthy', db: { latencyMs: 12, ok: true }, checks: [{ name: 'cache', up: null }] };

describe('health body-condition grammar', () => {
  const holds: Array<[string, boolean, string]> = [
    ['$.status == "Healthy"', true, '"Healthy"'],
    ['$.status != "Healthy"', false, '"Healthy"'],
    ['$.db.latencyMs < 50', true, '12'],
    ['$.db.latencyMs >= 12.5', false, '12'],
    ['$.db.ok == true', true, 'true'],
    ['$.checks[0].up == null', true, 'null'],
    ['$.checks[1].up == null', false, 'absent'],
    ['$.missing == "x"', false, 'absent'],
    ['$.status < 5', false, '"Healthy"'],
    ['  $.status=="Healthy"  ', true, '"Healthy"'],
  ];
  for (const [text, expected, found] of holds) {
    it(`condition: ${text.trim()} -> ${expected ? 'holds' : 'does not hold'} (found ${found})`, () => {
      const parsed = parseCondition(text);
      assert.notEqual(typeof parsed, 'string', String(parsed));
      assert.deepEqual(evaluateCondition(parsed as BodyCondition, body), { holds: expected, found });
    });
  }
  const bad: Array<[string, RegExp]> = [
    ['status == "Healthy"', /starts with a path such as \$\.status/],
    ['$.status = "Healthy"', /expected one of == != <= >= < >/],
    ['$.status == Healthy', /"Healthy" is not a value; write a number, true, false, null or a "quoted string"/],
    ['$.status < "a"', /< compares numbers; use == or !=/],
    ['$.db.[0] == 1', /after "\." at column 6 comes a key/],
  ];
  for (const [text, message] of bad) {
    it(`condition: ${text} -> rejected with a sentence saying how to write it`, () => {
      assert.match(String(parseCondition(text)), message);
    });
  }
});
