/** What global-setup hands to lab tests, read back from the environment. */
import type { LabTestHost } from './global-setup.js';

export const labSkip: string | undefined = process.env.KEEL_LAB_SKIP;

export function labHosts(): LabTestHost[] {
  const json = process.env.KEEL_LAB_HOSTS_JSON;
  if (!json) throw new Error('KEEL_LAB_HOSTS_JSON is not set: add test/lab/global-setup.ts to globalSetup in vitest.config.ts');
  return JSON.parse(json) as LabTestHost[];
}
