import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecretArgs } from '../../src/cli/secretArgs';
import { ConfigError } from '../../src/errors';
import { maskSecrets } from '../../src/redact/secretMask';

describe('CLI --secret and --secret-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-secret-args-'));
  writeFileSync(join(dir, 'token.txt'), 'file-secret-value-1\n');

  it('env: and file sources -> values by name, registered with the mask (one trailing newline dropped)', () => {
    const values = readSecretArgs(['apiKey=env:SECRET_SOURCE'], ['token=token.txt'], { SECRET_SOURCE: 'env-secret-value-1' }, dir);
    assert.deepEqual(values, { apiKey: 'env-secret-value-1', token: 'file-secret-value-1' });
    assert.equal(maskSecrets('a env-secret-value-1 b file-secret-value-1'), 'a *** b ***');
  });

  const bad: Array<[string, () => unknown, RegExp]> = [
    ['a value on the command line -> refused, naming the safe forms', () => readSecretArgs(['apiKey=literal-value-9'], [], {}, dir), /--secret apiKey: give where the value is, not the value: --secret apiKey=env:VARIABLE or --secret-file apiKey=PATH/],
    ['an unset variable -> names it and how to set it', () => readSecretArgs(['apiKey=env:NOT_SET_HERE'], [], {}, dir), /environment variable NOT_SET_HERE is not set; export it first/],
    ['an unreadable file -> names it', () => readSecretArgs([], ['token=missing.txt'], {}, dir), /--secret-file token=missing\.txt: cannot read the file \(ENOENT\)/],
    ['no name -> says the form', () => readSecretArgs(['=env:X'], [], { X: 'y' }, dir), /--secret: expected NAME=env:VARIABLE/],
  ];
  for (const [name, run, message] of bad) {
    it(`bad: ${name}`, () => assert.throws(run, (error: Error) => error instanceof ConfigError && message.test(error.message)));
  }

  it('bad: the refused command-line value is masked in whatever prints it later', () => {
    assert.throws(() => readSecretArgs(['apiKey=literal-value-9'], [], {}, dir));
    assert.equal(maskSecrets('echo literal-value-9'), 'echo ***');
  });
});
