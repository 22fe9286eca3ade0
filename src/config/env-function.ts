/**
 * `{{ env('NAME') }}` in templates: the controller's environment variable NAME. An unset one is an
 * error naming it, unless a default is given (`env('NAME', 'fallback')`): a missing variable must
 * not become an empty password in a config file.
 */
export const ENV_FUNCTION = 'env';

export function readEnv(environment: NodeJS.ProcessEnv): (name: unknown, fallback?: unknown) => unknown {
  return (...args: unknown[]) => {
    const [name, fallback] = args;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`env(): expected the name of an environment variable (env('DB_PASSWORD')), found ${JSON.stringify(name) ?? String(name)}`);
    }
    const value = environment[name];
    if (value !== undefined) return value;
    if (args.length >= 2) return fallback;
    throw new Error(`env('${name}'): ${name} is not set in keel's environment (give a default: env('${name}', '...'))`);
  };
}
