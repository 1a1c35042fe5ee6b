/**
 * A query the user wrote is wrong. The message is meant to be shown as is (for example inside an ECS
 * `InvalidParameterException`), so it always names the offending text, where it is, and what would fix it.
 */
export class QuerySyntaxError extends Error {
  /** 0-based offset into the expression (UTF-16 code units, as `String.prototype.length` counts). */
  readonly position: number;

  constructor(problem: string, position: number, advice: string) {
    super(`${problem} at position ${position}: ${advice}`);
    this.name = 'QuerySyntaxError';
    this.position = position;
  }
}

const MAX_QUOTED = 40;

/** Quotes user text for a message; long text is cut so one bad token can't flood a log line. */
export function quote(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
  return `'${shown}'`;
}
