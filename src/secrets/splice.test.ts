import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../config/source.js';
import { findSecretNodes, inventoryVarName } from './secret-nodes.js';
import { spliceSecrets } from './splice.js';

const TEXT = `# the inventory
vars:
  app: x        # aligned comment
  a: !secret |
    -----BEGIN AGE ENCRYPTED FILE-----
    abc
    -----END AGE ENCRYPTED FILE-----
  b: !secret "x"   # after b
  list:
    - !secret one
    - k: !secret two
  flow: {k: !secret three, other: 1}
groups:
  web:
    vars: {n: 1}
    hosts:
      web1: {vars: {h: !secret four}}
`;

function secretsOf(text: string) {
  const { source, errors } = parseYamlText('inv.yaml', text);
  expect(errors).toEqual([]);
  const found = findSecretNodes(source, inventoryVarName);
  expect(found.errors).toEqual([]);
  return { data: source.doc.toJS(), secrets: found.secrets };
}

describe('spliceSecrets', () => {
  it('replaces only the !secret values: comments, alignment, order and flow style stay byte for byte', () => {
    const { secrets } = secretsOf(TEXT);
    expect(secrets.map((s) => s.name)).toEqual(['a', 'b', 'list[0]', 'list[1].k', 'flow.k', 'h']);
    const values = ['one\ntwo\n', 'no newline\nat end', 'plain', 'x"y\\z', 'in flow\nstill\n', '\x7f odd'];
    const out = spliceSecrets(TEXT, secrets, (_s, i) => values[i]);
    const back = secretsOf(out);
    expect(back.secrets.map((s) => s.node.value)).toEqual(values);
    expect(back.data.vars.app).toBe('x');
    expect(out).toContain('  app: x        # aligned comment\n');
    expect(out).toContain('  b: !secret |-   # after b\n    no newline\n    at end\n');
    expect(out).toContain('    - k: !secret "x\\"y\\\\z"\n');
    expect(out).toContain('  flow: {k: !secret "in flow\\nstill\\n", other: 1}\n');
    expect(out.startsWith('# the inventory\nvars:\n')).toBe(true);
    expect(out.endsWith('    hosts:\n      web1: {vars: {h: !secret "\\u007f odd"}}\n')).toBe(true);
  });

  it('a block turned back into one line keeps the lines after it; splicing back gives the first text', () => {
    const { secrets } = secretsOf(TEXT);
    const originals = secrets.map((s) => String(s.node.value));
    const short = spliceSecrets(TEXT, secrets, () => 'p');
    expect(short).toContain('  a: !secret "p"\n  b: !secret "p"   # after b\n');
    const again = secretsOf(short).secrets;
    expect(spliceSecrets(short, again, (_s, i) => originals[i])).toBe(TEXT.replace('    - !secret one', '    - !secret "one"').replace('k: !secret two', 'k: !secret "two"').replace('!secret three', '!secret "three"').replace('!secret four', '!secret "four"'));
  });
});
