/**
 * The ECS cluster query language: the `filter` of ListContainerInstances and the `expression` of `memberOf`
 * placement constraints. Pure: parse once, evaluate against snapshots of container instances.
 */
export { MAX_QUERY_LENGTH, OPERATOR_ALIASES, SUBJECT_KINDS } from './ast.js';
export type {
  AndExpr,
  Condition,
  ExistenceCondition,
  ExistenceOperator,
  ListCondition,
  ListOperator,
  NotExpr,
  Operator,
  OrExpr,
  QueryExpr,
  ScalarCondition,
  ScalarOperator,
  Subject,
  SubjectKind,
} from './ast.js';
export { QuerySyntaxError } from './errors.js';
export { compileQuery, evaluateQuery } from './evaluate.js';
export type { QueryInstance, QueryPredicate } from './evaluate.js';
export { parseQuery } from './parser.js';
export { printQuery } from './print.js';
