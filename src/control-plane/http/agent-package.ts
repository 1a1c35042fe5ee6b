/**
 * The agent package the install script downloads from `/agent/berth.tgz`: this Berth installation packed with
 * `npm pack`, so a host gets exactly the version of the control plane it registers with, from the control
 * plane itself (no package registry has to carry Berth). package.json's `files` keeps the tarball to what
 * runs: `bin/`, `dist/`, the install script and the README.
 *
 * Packed on first request, once per process (a restarted, upgraded control plane packs its new version), and
 * kept in `<data dir>/package/`. Concurrent first requests share one `npm pack`; a failure is not cached, so
 * the next request tries again.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL_DIR } from './install-script.js';

const run = promisify(execFile);

/** Packing reads a few hundred files; a minute means something is wrong (a hung npm), not a slow disk. */
export const PACK_TIMEOUT_MS = 60_000;

export interface PackageFile {
  readonly path: string;
  readonly size: number;
}

/** Packing failed for a reason the operator can fix; the message says how. */
export class AgentPackageError extends Error {
  override readonly name = 'AgentPackageError';
}

export class AgentPackage {
  readonly #directory: string;
  readonly #installDir: string;
  #packed: Promise<PackageFile> | undefined;

  constructor(directory: string, installDir: string = INSTALL_DIR) {
    this.#directory = directory;
    this.#installDir = installDir;
  }

  /** The packed tarball, packing it first if this process has not yet. */
  get(): Promise<PackageFile> {
    this.#packed ??= this.#pack().catch((e: unknown) => {
      this.#packed = undefined;
      throw e;
    });
    return this.#packed;
  }

  async #pack(): Promise<PackageFile> {
    if (!existsSync(join(this.#installDir, 'dist', 'cli', 'main.js'))) {
      throw new AgentPackageError(
        `cannot build the agent package: ${this.#installDir} has no built dist/. Run \`npm run build\` there ` +
          '(or `npm ci`, which builds), then download again.',
      );
    }
    // Old tarballs (another version, an interrupted pack) go first, so the directory holds one package.
    rmSync(this.#directory, { recursive: true, force: true });
    mkdirSync(this.#directory, { recursive: true, mode: 0o700 });
    let stdout: string;
    try {
      ({ stdout } = await run(
        'npm',
        ['pack', '--ignore-scripts', '--json', '--pack-destination', this.#directory],
        {
          cwd: this.#installDir,
          timeout: PACK_TIMEOUT_MS,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
        },
      ));
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      throw new AgentPackageError(
        err.code === 'ENOENT'
          ? "cannot build the agent package: npm is not on the control plane's PATH. Install npm (it comes with " +
              'Node.js) or start the server with a PATH that has it.'
          : `cannot build the agent package: npm pack failed in ${this.#installDir}: ${(err.stderr ?? err.message).trim()}`,
      );
    }
    const file = packedFile(stdout) ?? readdirSync(this.#directory).find((name) => name.endsWith('.tgz'));
    if (file === undefined) {
      throw new AgentPackageError(
        `cannot build the agent package: npm pack wrote no tarball to ${this.#directory}`,
      );
    }
    const path = join(this.#directory, file);
    return { path, size: statSync(path).size };
  }
}

/** The tarball's name from `npm pack --json` (an array with one entry per package). */
function packedFile(stdout: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
    const name = (first as { filename?: unknown } | undefined)?.filename;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
