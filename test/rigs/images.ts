/**
 * Images for tests and benchmarks. Nothing can be pulled from the internet here, so each image is a
 * busybox-static root filesystem (the host's /bin/busybox, a few tool links, optional files) imported with
 * `docker import` and pushed to the local registry on 127.0.0.1:5000, from where the agent pulls it as it
 * would pull any image.
 *
 * The tag is a hash of everything that goes into the image, so building is idempotent: an image this host
 * already has is not imported again (each `docker import` makes a new image id and would leave the previous
 * one dangling on every run), only pushed, which is quick when the registry has its layer.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const REGISTRY = '127.0.0.1:5000';

const BUSYBOX = '/bin/busybox';

/** The busybox applets linked into /bin: what the tests' commands and health checks use. */
export const BUSYBOX_TOOLS: readonly string[] = [
  'sh',
  'httpd',
  'sleep',
  'echo',
  'cat',
  'wget',
  'ls',
  'env',
  'kill',
  'nc',
  'mkdir',
  'test',
  'touch',
  'id',
  'pwd',
  'hostname',
  'true',
  'false',
  'ps',
  'date',
];

export interface ImageSpec {
  /** Repository under the local registry, e.g. `berth-e2e/httpd`. */
  readonly repository: string;
  /** Extra files by absolute path in the image, e.g. `{ '/www/index.html': '...' }`. */
  readonly files?: Readonly<Record<string, string>>;
  /** The image's CMD. @default ["/bin/sh"] */
  readonly cmd?: readonly string[];
}

export interface TestImage {
  /** `127.0.0.1:5000/<repository>:<content hash>`. */
  readonly ref: string;
  /** Imports the image unless this host has it already, and pushes it to the local registry. */
  build(): void;
}

/** Bump when the way images are made changes, so that old builds are not taken for new ones. */
const BUILDER_VERSION = '1';

export function busyboxImage(spec: ImageSpec): TestImage {
  const cmd = spec.cmd ?? ['/bin/sh'];
  const files = spec.files ?? {};
  const hash = createHash('sha256')
    .update(BUILDER_VERSION)
    .update(readFileSync(BUSYBOX))
    .update(JSON.stringify({ tools: BUSYBOX_TOOLS, files, cmd }))
    .digest('hex')
    .slice(0, 16);
  const ref = `${REGISTRY}/${spec.repository}:${hash}`;
  return {
    ref,
    build() {
      if (!hasImage(ref)) importImage(ref, files, cmd);
      execFileSync('docker', ['push', '-q', ref], { stdio: ['ignore', 'ignore', 'pipe'] });
    },
  };
}

export function hasImage(ref: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Removes a local image (tag), if it is there and no container uses it. */
export function removeImage(ref: string): void {
  try {
    execFileSync('docker', ['image', 'rm', ref], { stdio: 'ignore' });
  } catch {
    // Absent already, or still used by a container that another test file owns.
  }
}

function importImage(ref: string, files: Readonly<Record<string, string>>, cmd: readonly string[]): void {
  const root = mkdtempSync(join(tmpdir(), 'berth-image-rootfs-'));
  try {
    for (const dir of ['bin', 'tmp', 'etc', 'www', 'data']) mkdirSync(join(root, dir));
    copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
    for (const tool of BUSYBOX_TOOLS) symlinkSync('busybox', join(root, 'bin', tool));
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
    for (const [path, content] of Object.entries(files)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('docker', ['import', '-c', `CMD ${JSON.stringify(cmd)}`, '-', ref], {
      input: tar,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The page the httpd image serves at `/`. */
export const HTTPD_PAGE = '<h1>Welcome to Berth</h1>\n';

/**
 * Stands in for nginx in the ECS Anywhere example: busybox httpd in the foreground serving HTTPD_PAGE on
 * port 80. Its tools run other commands too (`sh -c ...`), so the task tests and the benchmark share it.
 */
export const HTTPD_IMAGE = busyboxImage({
  repository: 'berth-e2e/httpd',
  files: { '/www/index.html': HTTPD_PAGE },
  cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
});
