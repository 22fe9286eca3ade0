/**
 * Finding `!secret` values in a parsed YAML file. A `!secret` holds armored age ciphertext as a
 * string; in an inventory it may stand in any `vars:` (top level, group, host), nowhere else.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Scalar } from 'yaml';
import { ConfigError, type SourcePos } from '../errors.js';
import { pathString, posAt, posOf, type PathSeg, type YamlSource } from '../config/source.js';
import { walkNodes, type WalkContext } from '../config/yaml-walk.js';

export const SECRET_TAG = '!secret';

export interface SecretNode extends WalkContext {
  node: Scalar;
  /** Path from the document's root. */
  path: PathSeg[];
  /** The variable it is (or is inside), as messages name it: `db_password`, `app.keys[0]`. */
  name: string;
  /** Where the value starts. */
  pos: SourcePos;
}

/** Every `!secret` of the file; `nameAt(path)` gives the variable's name, or undefined where none is allowed. */
export function findSecretNodes(source: YamlSource, nameAt: (path: PathSeg[]) => string | undefined): { secrets: SecretNode[]; errors: ConfigError[] } {
  const secrets: SecretNode[] = [];
  const errors: ConfigError[] = [];
  walkNodes(source, (n, path, ctx) => {
    if (n.tag !== SECRET_TAG) return undefined;
    const name = nameAt(path);
    // the tag stands before the node's range: point at it, where the reader sees `!secret`
    const tagAt = source.text.lastIndexOf(SECRET_TAG, n.range?.[0] ?? 0);
    const pos = tagAt >= 0 ? posAt(source, tagAt) : posOf(source, n);
    if (name === undefined) {
      errors.push(
        new ConfigError(`${SECRET_TAG} is not allowed at ${pathString(path) || 'the top'}: encrypted values go in the inventory's vars (top level, group or host)`, {
          pos,
          hint: 'put the ciphertext in a variable under vars: in the inventory and use {{ name }} where the value is needed',
        }),
      );
    } else if (!isScalar(n) || (n.value !== null && typeof n.value !== 'string')) {
      const kind = isSeq(n) ? 'list' : isMap(n) ? 'mapping' : 'value';
      errors.push(new ConfigError(`${name}: ${SECRET_TAG} must tag a string (armored age ciphertext), found a ${kind}`, { pos, hint: 'encrypt the value with keel secret encrypt' }));
    } else {
      secrets.push({ node: n, path, name, pos, ...ctx });
    }
    return 'skip';
  });
  return { secrets, errors };
}

/** Inventory paths under a `vars:`: the variable's name, or undefined outside vars. */
export function inventoryVarName(path: PathSeg[]): string | undefined {
  const at = varsStart(path);
  return at === undefined || path.length <= at ? undefined : pathString(path.slice(at));
}

/** Index just past `vars` in `vars.x`, `hosts.H.vars.x`, `groups.G.vars.x`, `groups.G.hosts.H.vars.x`. */
export function varsStart(path: readonly PathSeg[]): number | undefined {
  if (path[0] === 'vars') return 1;
  if ((path[0] === 'hosts' || path[0] === 'groups') && path[2] === 'vars') return 3;
  if (path[0] === 'groups' && path[2] === 'hosts' && typeof path[3] === 'string' && path[4] === 'vars') return 5;
  return undefined;
}
