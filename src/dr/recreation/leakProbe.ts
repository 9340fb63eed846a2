import { runTool } from '../exec';
import type { TerraformSettings } from './settings';

/**
 * The leak probe looks outside the state, where Terraform cannot: a resource created by a script, a provisioner
 * without a destroy step, or a name that outlived its resource. It must FAIL after the destroy: a command that exits
 * non-zero (e.g. `az group show` of the scratch group), or a URL that no longer answers with a success status.
 * Returns what it still found, or undefined when it found nothing.
 */
export async function leakProbeFinds(
  probe: NonNullable<TerraformSettings['leakProbe']>,
  fill: (text: string) => string,
  cwd: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (probe.argv) {
    const [program, ...args] = probe.argv.map(fill);
    const result = await runTool(program, args, { cwd, signal });
    return result.code === 0 ? `${program} ${args.join(' ')} still succeeds (exit 0)` : undefined;
  }
  const url = fill(probe.url!);
  let status: number;
  try {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    status = response.status;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return undefined; // refused, reset, no such host: nothing answers there any more
  }
  return status < 400 ? `${url} still answers ${status}` : undefined;
}
