/** What model validation reports: the first problem in a value, and where it is. */

/**
 * `type`: a value of the wrong JSON type (a deserializer's complaint); `missing`: a required member is
 * absent; `constraint`: an enum, length, range or pattern is broken.
 */
export type ViolationKind = 'type' | 'missing' | 'constraint';

/** The first problem found in a value, thrown by the checkers and caught by `findViolation`. */
export class ShapeViolation extends Error {
  override readonly name = 'ShapeViolation';
  constructor(
    readonly kind: ViolationKind,
    /** Where, from the validated value: `containerDefinitions[0].name`; '' for the value itself. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
