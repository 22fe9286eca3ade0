/** keel's version: `keel --version`, and what a saved plan records (a plan is applied only by the keel that made it). */
export const KEEL_VERSION = '0.1.0';
