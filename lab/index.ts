/** `keel lab`: throwaway real Debian hosts on this machine. */
export { labDown, labStatus, labUp } from './lab.js';
export { labSupportProblem, requireLabSupport, LAB_APT_PACKAGES } from './support.js';
export { sshArgs, labSsh, type SshTarget } from './ssh.js';
export { labLeftovers } from './leftovers.js';
export { withLabLock } from './lock.js';
export { labUsage, type LabUsage } from './usage.js';
export type { LabHost, LabInfo, LabOptions } from './types.js';
