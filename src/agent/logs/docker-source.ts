/**
 * What the capture needs from dockerd, over dockerode: the awslogs containers (by label), their starts, and
 * each one's log stream with timestamps from a given time. The engine's DockerClient stays as it is: log
 * capture is the only streaming reader of container output.
 */
import Dockerode from 'dockerode';
import type { DockerEndpoint } from '../option-values.js';

export interface LogContainer {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly running: boolean;
  /** Without a TTY, Docker multiplexes stdout and stderr in frames. */
  readonly tty: boolean;
}

export interface LogDocker {
  /** Ids of every container, running or not, with this label. */
  list(label: string): Promise<string[]>;
  /** Undefined when it is gone. */
  inspect(id: string): Promise<LogContainer | undefined>;
  /** Calls `onStart` for each start of a container with this label; `onEnd` once when the stream ends. */
  watchStarts(label: string, onStart: (id: string) => void, onEnd: () => void): { close(): void };
  /** The container's stdout and stderr with timestamps, from `since` on, following until it stops. */
  follow(id: string, since: string | undefined, signal: AbortSignal): Promise<NodeJS.ReadableStream>;
}

export function dockerLogSource(endpoint: DockerEndpoint): LogDocker {
  const docker = new Dockerode(
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath }
      : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
  );
  return {
    async list(label) {
      const all = await docker.listContainers({ all: true, filters: { label: [label] } });
      return all.map((c) => c.Id);
    },
    async inspect(id) {
      try {
        const info = await docker.getContainer(id).inspect();
        return {
          id: info.Id,
          labels: info.Config.Labels ?? {},
          running: info.State.Running,
          tty: info.Config.Tty,
        };
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return undefined;
        throw e;
      }
    },
    watchStarts(label, onStart, onEnd) {
      const abort = new AbortController();
      let ended = false;
      const end = () => {
        if (ended || abort.signal.aborted) return;
        ended = true;
        onEnd();
      };
      docker
        .getEvents({
          filters: { type: ['container'], event: ['start'], label: [label] },
          abortSignal: abort.signal,
        })
        .then((stream) => {
          let buffer = '';
          stream.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              try {
                const id = (JSON.parse(line) as { id?: unknown }).id;
                if (typeof id === 'string') onStart(id);
              } catch {
                // dockerd writes JSON lines only; a torn one from an aborted stream is no event
              }
            }
          });
          stream.on('end', end);
          stream.on('close', end);
          stream.on('error', end);
        })
        .catch(end);
      return { close: () => abort.abort() };
    },
    async follow(id, since, signal) {
      return docker.getContainer(id).logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(since !== undefined && { since }),
        abortSignal: signal,
      });
    },
  };
}
