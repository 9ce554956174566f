import { answerKeepsResolvedWork, answerWorkLost, type FieldRun } from './answer-outcome';
import type { GraphQLAnswer } from './graphql-shapes';

const LOST = { code: 'COMMIT_FAILED', message: 'not saved' };
const runs = (entries: Array<[string, FieldRun]>) => new Map(entries);
const resolved = (nullable: boolean): FieldRun => ({ resolved: true, nullable });
const threw = (nullable: boolean): FieldRun => ({ resolved: false, nullable });

describe('answerKeepsResolvedWork', () => {
  it('keeps the work when every resolved field carries its value', () => {
    const answer: GraphQLAnswer = { data: { a: { id: 1 }, b: null }, errors: [{ message: 'x', path: ['b'] }] };
    expect(
      answerKeepsResolvedWork(
        answer,
        runs([
          ['a', resolved(false)],
          ['b', threw(true)],
        ]),
      ),
    ).toBe(true);
  });

  it('keeps nothing when data is null, or there is no answer', () => {
    expect(answerKeepsResolvedWork({ data: null }, runs([['a', resolved(false)]]))).toBe(false);
    expect(answerKeepsResolvedWork(undefined, runs([['a', resolved(false)]]))).toBe(false);
  });

  it('keeps nothing when a resolved field is answered with an error (a sub-field failed)', () => {
    const answer: GraphQLAnswer = { data: { a: null }, errors: [{ message: 'x', path: ['a', 'label'] }] };
    expect(answerKeepsResolvedWork(answer, runs([['a', resolved(true)]]))).toBe(false);
  });
});

describe('answerWorkLost', () => {
  it('replaces nullable values by null and an error each', () => {
    const answer: GraphQLAnswer = { data: { a: { id: 1 }, b: { id: 2 } } };
    answerWorkLost(
      answer,
      runs([
        ['a', resolved(true)],
        ['b', resolved(true)],
      ]),
      LOST,
    );
    expect(answer).toEqual({
      data: { a: null, b: null },
      errors: [
        { message: 'not saved', path: ['a'], extensions: { code: 'COMMIT_FAILED' } },
        { message: 'not saved', path: ['b'], extensions: { code: 'COMMIT_FAILED' } },
      ],
    });
  });

  it('makes data null when a lost field is non-null, and leaves fields that already erred alone', () => {
    const answer: GraphQLAnswer = { data: { a: { id: 1 }, b: null }, errors: [{ message: 'b failed', path: ['b'] }] };
    answerWorkLost(
      answer,
      runs([
        ['a', resolved(false)],
        ['b', threw(true)],
      ]),
      LOST,
    );
    expect(answer.data).toBeNull();
    expect(answer.errors?.map((error) => error.path)).toEqual([['b'], ['a']]);
  });
});
