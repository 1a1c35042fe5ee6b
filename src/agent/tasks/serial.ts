/**
 * Runs jobs one at a time, in the order they were given. The session's task messages (payloads, manifests,
 * stop verification answers) share one: each compares what the control plane says with what the host has,
 * so each must see the host as every earlier message left it, and a resend can never overtake its original.
 */
export class SerialQueue {
  #chain: Promise<void> = Promise.resolve();

  /** Queues `job`; `onError` gets what it throws, so one failed job never stops the next. */
  run(job: () => Promise<void>, onError: (err: unknown) => void): void {
    this.#chain = this.#chain.then(job).catch((err: unknown) => {
      try {
        onError(err);
      } catch {
        // A failing error handler must not end the queue either.
      }
    });
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.#chain;
  }
}
