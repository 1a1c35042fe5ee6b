/**
 * The agent install script (`scripts/install-agent.sh`), as the control plane serves it at `/install.sh` and
 * `berth install-script` prints it: the file kept in the repository, with a control plane's URL filled in as
 * the default `--endpoint`. Nothing else changes and nothing secret goes in: the activation id and code are
 * the user's to pass.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Berth's installation directory (the repository, or the installed package): this file sits three folders
 * below it, in `src/control-plane/http/` and in the compiled `dist/control-plane/http/` alike.
 */
export const INSTALL_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export const INSTALL_SCRIPT_FILE = fileURLToPath(
  new URL('../../../scripts/install-agent.sh', import.meta.url),
);

/** The script's one line the endpoint goes into; anchored so that a changed script fails loudly here. */
const DEFAULT_ENDPOINT_LINE = /^default_endpoint=''$/m;

export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

/** `http(s)://host[:port][/path]` without a trailing slash, or an EndpointError naming the fix. */
export function normaliseEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '') {
    throw new EndpointError(
      `'${value}' is not an http:// or https:// URL without a query, like http://berth.example.com:4650.`,
    );
  }
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** The script, with `endpoint` as its default `--endpoint` when given. */
export function renderInstallScript(endpoint?: string, source: string = readInstallScript()): string {
  if (endpoint === undefined) return source;
  if (!DEFAULT_ENDPOINT_LINE.test(source)) {
    throw new Error(`${INSTALL_SCRIPT_FILE} has no line "default_endpoint=''" to fill in`);
  }
  return source.replace(DEFAULT_ENDPOINT_LINE, `default_endpoint=${shellQuote(normaliseEndpoint(endpoint))}`);
}

export function readInstallScript(): string {
  return readFileSync(INSTALL_SCRIPT_FILE, 'utf8');
}

/** One shell word with exactly this value: single quotes, and each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
