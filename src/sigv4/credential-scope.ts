/**
 * The credential scope, `AKID/yyyymmdd/region/service/aws4_request`, and the checks AWS makes on it.
 * A malformed scope is an incomplete signature; a well-formed scope for the wrong date, region or service is
 * an invalid one (that is how AWS classifies them), with every problem named in one message.
 */
import { incompleteSignature, invalidSignature } from './sigv4-errors.js';

export const SCOPE_TERMINATOR = 'aws4_request';

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

export function parseCredentialScope(credential: string): CredentialScope {
  // AWS ignores trailing slashes here.
  const elements = credential.replace(/\/+$/, '').split('/');
  const [accessKeyId, date, region, service, terminator] = elements;
  if (
    elements.length !== 5 ||
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    terminator === undefined
  ) {
    throw incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  return { accessKeyId, date, region, service, terminator };
}

export interface ScopeRule {
  /** X-Amz-Date of the request, whose first eight characters the scope date must equal. */
  readonly amzDate: string;
  readonly regions?: readonly string[];
  readonly services?: readonly string[];
}

// Region names as AWS spells them (us-east-1, eu-central-2), and as an operator may name a Berth region.
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function checkCredentialScope(scope: CredentialScope, rule: ScopeRule): void {
  const problems: string[] = [];
  const regionOk =
    rule.regions === undefined ? REGION_NAME.test(scope.region) : rule.regions.includes(scope.region);
  if (!regionOk) problems.push(`Credential should be scoped to a valid region, not '${scope.region}'.`);
  if (rule.services !== undefined && !rule.services.includes(scope.service)) {
    const expected = rule.services.map((s) => `'${s}'`).join(' or ');
    problems.push(`Credential should be scoped to correct service: ${expected}.`);
  } else if (scope.service === '') {
    problems.push("Credential should be scoped to a service, not ''.");
  }
  if (scope.terminator !== SCOPE_TERMINATOR) {
    problems.push(
      `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${scope.terminator}'.`,
    );
  }
  const requestDate = rule.amzDate.slice(0, 8);
  if (scope.date !== requestDate) {
    problems.push(
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
        `'${scope.date}' != '${requestDate}', from '${rule.amzDate}'.`,
    );
  }
  if (problems.length > 0) throw invalidSignature(problems.join(' '));
}
