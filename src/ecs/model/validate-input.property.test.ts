// Crash-freedom: whatever arrives on the wire, the validator answers with an ApiError or nothing at all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../errors.js';
import { ecsModel, logsModel, ssmModel } from './load-model.js';
import { inputShapeOf, operationNames, validateInput } from './validate-input.js';

function outcome(model: typeof ecsModel, op: string, body: unknown): ApiError | undefined {
  try {
    validateInput(model, op, body);
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
}

const models = { ecs: ecsModel, ssm: ssmModel, logs: logsModel };

void describe('validateInput never crashes', () => {
  for (const [name, model] of Object.entries(models)) {
    void it(`accepts {} or asks for a missing parameter, for every ${name} operation`, () => {
      for (const op of operationNames(model)) {
        assert.ok(inputShapeOf(model, op) !== undefined, `${op} has no input shape`);
        const e = outcome(model, op, {});
        if (e !== undefined) {
          assert.equal(e.code, 'InvalidParameterException', `${op}: ${e.message}`);
          assert.match(e.message, /^Missing required parameter '[A-Za-z]+'\.$/, op);
        }
      }
    });
  }

  void it('answers random JSON bodies for random operations with an ApiError or nothing', () => {
    const ops = operationNames(ecsModel);
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.jsonValue(), (op, body) => {
        outcome(ecsModel, op, body);
      }),
      { numRuns: 2000 },
    );
  });

  void it('answers bodies built from the real member names, with random values, the same way', () => {
    // Random JSON rarely hits a real member name; these bodies reach deep into the shapes.
    const memberNames = new Set<string>();
    for (const shape of Object.values(ecsModel.shapes)) {
      if (shape.type === 'structure') for (const m of Object.keys(shape.members)) memberNames.add(m);
    }
    const key = fc.constantFrom(...memberNames);
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.integer(),
        fc.double(),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const ops = operationNames(ecsModel);
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.dictionary(key, value, { maxKeys: 6 }), (op, body) => {
        const e = outcome(ecsModel, op, body);
        if (e !== undefined) {
          assert.ok(['SerializationException', 'InvalidParameterException'].includes(e.code), e.message);
        }
      }),
      { numRuns: 2000 },
    );
  });

  void it('is deterministic: the same body always gets the same answer', () => {
    fc.assert(
      fc.property(fc.constantFrom(...operationNames(ecsModel)), fc.jsonValue(), (op, body) => {
        assert.deepEqual(outcome(ecsModel, op, body)?.message, outcome(ecsModel, op, body)?.message);
      }),
      { numRuns: 300 },
    );
  });
});
