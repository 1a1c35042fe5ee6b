/**
 * dockerd's streaming answers (pull progress, events) are newline-separated JSON documents. These helpers
 * read them without buffering the whole stream, and turn a pull's in-band error line (dockerd answers 200
 * and reports a failed pull inside the stream) into a CannotPullContainerError.
 */
import { DockerError } from './errors.js';

/** Calls `onValue` for each JSON line; resolves when the stream ends, rejects when it fails. */
export function jsonLines(stream: NodeJS.ReadableStream, onValue: (value: unknown) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error === undefined) resolve();
      else reject(error);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue; // dockerd writes only JSON here; a torn line from an aborted stream is dropped
        }
        try {
          onValue(value);
        } catch (e) {
          settle(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    stream.on('end', () => settle());
    stream.on('close', () => settle());
    stream.on('error', (e: Error) => settle(e));
  });
}

/**
 * Follows a pull to its end. Rejects with the pull's own error line, or aborts `controller` (reason
 * `{inactive: true}`) when no progress line arrives for `inactivityMs`.
 */
export async function pullProgress(
  stream: NodeJS.ReadableStream,
  inactivityMs: number,
  controller: AbortController,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let pullError: string | undefined;
  const inactive = new Promise<never>((_, reject) => {
    const arm = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        controller.abort({ inactive: true });
        reject(new Error('pull inactive'));
      }, inactivityMs);
    };
    arm();
    controller.signal.addEventListener('abort', () => reject(new Error('pull aborted')), { once: true });
    stream.on('data', arm);
  });
  try {
    await Promise.race([
      jsonLines(stream, (value) => {
        const line = value as { error?: unknown; errorDetail?: { message?: unknown } };
        if (typeof line.error === 'string') pullError = line.error;
      }),
      inactive,
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    inactive.catch(() => undefined);
  }
  if (pullError !== undefined) {
    // In-band errors are the registry's answer (not found, denied) or a broken transfer; only the latter
    // is worth another try.
    const permanent = /not found|unknown|unauthorized|denied|invalid|forbidden/i.test(pullError);
    throw new DockerError('CannotPullContainerError', pullError, { retriable: !permanent });
  }
}
