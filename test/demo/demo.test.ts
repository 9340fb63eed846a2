import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Approval } from '../../src/azdo/approvals';
import { DEMO_ENVIRONMENT, DEMO_SERVICE } from '../../src/demo/demo';
import { Collections, subjectKey } from '../../src/gate/records';
import { hostToken } from '../support/browser';

/**
 * `readiness demo`, the command behind `npm start`, run as a user runs it: the bundled CLI in a fresh folder.
 * Before anyone signs off it exits 1 (not ready); approving the run's approval through the Approvals API that
 * `readiness serve` plays makes the service ready.
 */
const cli = path.resolve(__dirname, '..', '..', 'bin', 'readiness.js');

function readiness(args: string[], cwd: string, onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('readiness demo', function () {
  this.timeout(240_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'readiness-demo-'));

  it('demo --no-serve: before any sign-off -> exit 1, not ready, every step and report printed', async () => {
    const run = await readiness(['demo', '--no-serve', '--load-seconds', '2'], work);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Load test: examples\/loadtest\/basic/);
    assert.match(run.stderr, /Drill passed/);
    assert.match(run.stderr, /missing signoffs: No operations sign-off: the operations step of approval [0-9a-f-]+ is pending/);
    assert.match(run.stderr, /NOT-READY/);
    for (const report of ['loadtest.html', 'drill.html', 'gate.html']) assert.match(run.stderr, new RegExp(report.replace('.', '\\.')));
  });

  it('demo: serving, the approval approved through the Approvals API -> the service becomes ready', async () => {
    let url = '';
    let became = '';
    const statusFile = path.join(work, '.readiness', 'store', Collections.status, `${subjectKey(DEMO_SERVICE, DEMO_ENVIRONMENT)}.json`);
    const run = await readiness(['demo', '--port', '0', '--load-seconds', '1'], work, (stdout, kill) => {
      const match = /^(http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(stdout);
      if (!match || url) return;
      url = match[1];
      void (async () => {
        try {
          const headers = { Authorization: `Bearer ${await hostToken(url)}`, 'Content-Type': 'application/json' };
          const list = (await (await fetch(`${url}/local/_apis/pipelines/approvals?state=pending&$expand=steps&api-version=7.1-preview.1`, { headers })).json()) as { value: Approval[] };
          const newest = Math.max(...list.value.map((a) => a.pipeline!.owner.id));
          const production = list.value.find((a) => a.pipeline!.owner.id === newest && /for production/.test(a.instructions ?? ''))!;
          const res = await fetch(`${url}/local/_apis/pipelines/approvals?api-version=7.1-preview.1`, {
            method: 'PATCH', headers, body: JSON.stringify([{ approvalId: production.id, status: 'approved', comment: 'Reviewed the demo scorecard.' }]),
          });
          assert.equal(res.status, 200, await res.text());
          for (let i = 0; i < 200 && became !== 'ready'; i++) {
            became = JSON.parse(readFileSync(statusFile, 'utf8')).status;
            await new Promise((r) => setTimeout(r, 50));
          }
        } finally {
          kill('SIGINT');
        }
      })();
    });
    assert.ok(url, run.stderr);
    assert.equal(became, 'ready', run.stderr);
    assert.equal(run.code, 0, run.stderr);
  });

  it('demo: serving -> prints the hub URL, the hub answers, Ctrl-C stops it cleanly', async () => {
    let url = '';
    let answered = 0;
    const run = await readiness(['demo', '--port', '0', '--load-seconds', '1'], work, (stdout, kill) => {
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout);
      if (match && !url) {
        url = match[1];
        void fetch(url).then((res) => {
          answered = res.status;
          kill('SIGINT');
        });
      }
    });
    assert.ok(url, run.stderr);
    assert.equal(answered, 200);
    assert.equal(run.code, 0, run.stderr);
  });
});
