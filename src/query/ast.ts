/**
 * The syntax tree of the ECS cluster query language.
 *
 * The tree is plain, readonly, JSON-serialisable data: arguments stay as the text the user wrote, and the
 * evaluator turns them into dates, versions and regular expressions when it compiles a tree. That keeps the
 * tree printable (`printQuery`), comparable in tests, and storable alongside a placement constraint.
 */

/** Subjects in the order the ECS Developer Guide lists them; `attribute` stands for `attribute:<name>`. */
export const SUBJECT_KINDS = [
  'agentConnected',
  'agentVersion',
  'attribute',
  'ec2InstanceId',
  'registeredAt',
  'runningTasksCount',
  'task:group',
] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

export type Subject =
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: Exclude<SubjectKind, 'attribute'> };

/** Operators that take one value. Canonical spelling is the symbolic form. */
export const SCALAR_OPERATORS = ['==', '!=', '>', '>=', '<', '<=', '=~', '!~'] as const;
export type ScalarOperator = (typeof SCALAR_OPERATORS)[number];

export const LIST_OPERATORS = ['in', 'not_in'] as const;
export type ListOperator = (typeof LIST_OPERATORS)[number];

export const EXISTENCE_OPERATORS = ['exists', 'not_exists'] as const;
export type ExistenceOperator = (typeof EXISTENCE_OPERATORS)[number];

export type Operator = ScalarOperator | ListOperator | ExistenceOperator;

export const OPERATORS: readonly Operator[] = [
  ...SCALAR_OPERATORS,
  ...LIST_OPERATORS,
  ...EXISTENCE_OPERATORS,
];

/**
 * Every spelling a user may write, mapped to the canonical operator. Word forms are matched case-insensitively
 * (so keys here are lower case); `!exists` and `!in` are written as `!` followed by the word.
 */
export const OPERATOR_ALIASES: ReadonlyMap<string, Operator> = new Map<string, Operator>(
  Object.entries({
    '==': '==',
    equals: '==',
    '!=': '!=',
    not_equals: '!=',
    '>': '>',
    greater_than: '>',
    '>=': '>=',
    greater_than_equal: '>=',
    '<': '<',
    less_than: '<',
    '<=': '<=',
    less_than_equal: '<=',
    '=~': '=~',
    matches: '=~',
    '!~': '!~',
    not_matches: '!~',
    in: 'in',
    '!in': 'not_in',
    not_in: 'not_in',
    exists: 'exists',
    '!exists': 'not_exists',
    not_exists: 'not_exists',
  } satisfies Record<string, Operator>),
);

/** The positive operator each negated one is the exact negation of. */
export const NEGATION_OF = {
  '!=': '==',
  '!~': '=~',
  not_in: 'in',
  not_exists: 'exists',
} as const satisfies Partial<Record<Operator, Operator>>;
export type NegatedOperator = keyof typeof NEGATION_OF;

interface ConditionBase {
  readonly kind: 'condition';
  readonly subject: Subject;
}

export interface ScalarCondition extends ConditionBase {
  readonly operator: ScalarOperator;
  readonly value: string;
}

export interface ListCondition extends ConditionBase {
  readonly operator: ListOperator;
  readonly values: readonly string[];
}

export interface ExistenceCondition extends ConditionBase {
  readonly operator: ExistenceOperator;
}

export type Condition = ScalarCondition | ListCondition | ExistenceCondition;

export interface AndExpr {
  readonly kind: 'and';
  readonly left: QueryExpr;
  readonly right: QueryExpr;
}

export interface OrExpr {
  readonly kind: 'or';
  readonly left: QueryExpr;
  readonly right: QueryExpr;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly operand: QueryExpr;
}

export type QueryExpr = Condition | AndExpr | OrExpr | NotExpr;

/** An expression longer than this is rejected, as ECS rejects a longer `memberOf` expression. */
export const MAX_QUERY_LENGTH = 2000;

/** ECS attribute names: letters, digits, `-`, `_`, `/` and `.`, at most 128 characters. */
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z0-9\-_/.]{1,128}$/;
export const MAX_ATTRIBUTE_NAME_LENGTH = 128;

export function isNegatedOperator(operator: Operator): operator is NegatedOperator {
  return Object.hasOwn(NEGATION_OF, operator);
}
