/** The text `keel secret encrypt` prints: armored ciphertext as a `!secret` literal block. */
export function secretBlock(armored: string, name?: string): string {
  const indent = '  ';
  const lines = armored.replace(/\n$/, '').split('\n').map((l) => indent + l);
  return `${name ? `${name}: ` : ''}!secret |\n${lines.join('\n')}\n`;
}
