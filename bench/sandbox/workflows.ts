/** bench/sandbox-cost.ts's workflow: the domain pass inside the SDK's sandbox, in one workflow task. */
import { domainPass } from './domainPass';

export async function domainLoop(partners: number, tag: string): Promise<number> {
  return domainPass(partners, tag);
}
