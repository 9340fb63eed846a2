import { CheckFailedError } from '../../errors';
import { ArmClient, refused, unexpected, type AzureAccess } from '../providers/azureArm';
import type { RollbackSettings } from './settings';

/**
 * App Service slot swap through Resource Manager, api-version 2022-03-01: `POST .../Microsoft.Web/sites/{name}/
 * slotsswap` with `{ targetSlot, preserveVnet }` swaps the production slot with `targetSlot` (azure-rest-api-specs
 * specification/web/resource-manager/Microsoft.Web/stable/2022-03-01/WebApps.json, operation
 * WebApps_SwapSlotWithProduction; a long-running operation answering 200 or 202). A rollback drill keeps the
 * previous version in the slot: the first swap puts it in production, the second swap brings the current one back.
 */
export const WEB_APPS_API_VERSION = '2022-03-01';

export async function swapWithProduction(
  access: AzureAccess,
  swap: NonNullable<RollbackSettings['slotSwap']>,
  signal: AbortSignal,
  progress: (message: string) => void,
): Promise<string> {
  const subscription = swap.subscription ?? access.subscriptionId;
  if (!subscription) throw new CheckFailedError('rollback.slotSwap.subscription: not set, and the service connection names no subscription.');
  const arm = new ArmClient(access, swap.pollIntervalSeconds * 1000);
  const site = `/subscriptions/${subscription}/resourceGroups/${swap.resourceGroup}/providers/Microsoft.Web/sites/${swap.app}`;
  const started = await arm.send('POST', `${site}/slotsswap`, WEB_APPS_API_VERSION, { body: { targetSlot: swap.slot, preserveVnet: true }, signal });
  if (started.status === 401 || started.status === 403) throw refused('swap the slots of the web app', site, started, 'Website Contributor');
  if (started.status === 404) throw new CheckFailedError(`The web app ${swap.app} or its slot ${swap.slot} does not exist in ${swap.resourceGroup}; check rollback.slotSwap.`);
  if (started.status !== 200 && started.status !== 202) throw unexpected('swap the slots', arm.url(`${site}/slotsswap`, WEB_APPS_API_VERSION), started);
  const outcome = await arm.waitFor(started, `swap ${swap.app} production <-> ${swap.slot}`, signal, progress);
  if (outcome.status !== 'Succeeded') throw new CheckFailedError(`The slot swap of ${swap.app} with ${swap.slot} ended ${outcome.status}: ${outcome.error}`);
  return `swapped ${swap.app} production with slot ${swap.slot}`;
}
