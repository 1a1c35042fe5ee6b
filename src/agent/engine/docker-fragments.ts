/**
 * The Docker Config and HostConfig fragments a container carries in `dockerConfig.config` / `.hostConfig`
 * (hostname, user, workingDirectory, dockerLabels, healthCheck, ulimits, logConfiguration, ...: ACS has no
 * members for them). They are JSON text from the control plane; here they are parsed and checked to be
 * objects, so a damaged payload fails the container with a reason instead of a confusing Docker error. Pure.
 */

export type JsonObject = Record<string, unknown>;

export class FragmentError extends Error {
  override readonly name = 'FragmentError';
}

export function parseFragment(text: string | undefined, what: string): JsonObject {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FragmentError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new FragmentError(`${what} must be a JSON object`);
  return parsed as JsonObject;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `Env` entries as a map, later entries winning, so fragments can add to the task's environment. */
export function mergeEnv(...lists: readonly (readonly string[] | undefined)[]): string[] {
  const byName = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list ?? []) {
      const eq = entry.indexOf('=');
      byName.set(eq < 0 ? entry : entry.slice(0, eq), entry);
    }
  }
  return [...byName.values()];
}

export function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isJsonObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}
