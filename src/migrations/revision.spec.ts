import { currentRevision, planDowngrade, planStamp, planUpgrade, resolveRevision, RevisionError } from './revision';

const AVAILABLE = ['CreateLibrary1700000000000', 'AddIsbn1700000000001', 'AddIndex1700000000002'];
const applied = (...names: string[]) => names.map((name, index) => ({ id: index + 1, name }));

describe('revisions', () => {
  it('resolves head, base, exact names, unique prefixes and timestamps', () => {
    expect(resolveRevision('head', AVAILABLE, 'default')).toBe(2);
    expect(resolveRevision('base', AVAILABLE, 'default')).toBe(-1);
    expect(resolveRevision('AddIsbn1700000000001', AVAILABLE, 'default')).toBe(1);
    expect(resolveRevision('AddIsbn', AVAILABLE, 'default')).toBe(1);
    expect(resolveRevision('1700000000002', AVAILABLE, 'default')).toBe(2);
  });

  it('names the bind key and the known revisions when a revision matches none or several', () => {
    expect(() => resolveRevision('Nope', AVAILABLE, 'archive')).toThrow(
      new RevisionError(`Bind key "archive": unknown revision "Nope". Known revisions: ${AVAILABLE.join(', ')}.`),
    );
    expect(() => resolveRevision('Add', AVAILABLE, 'default')).toThrow(/ambiguous: AddIsbn1700000000001, AddIndex/);
  });

  it('plans an upgrade: what is not applied, up to the target, in order', () => {
    expect(planUpgrade('head', AVAILABLE, applied(AVAILABLE[0]), 'default')).toEqual(AVAILABLE.slice(1));
    expect(planUpgrade('AddIsbn', AVAILABLE, [], 'default')).toEqual(AVAILABLE.slice(0, 2));
    expect(planUpgrade('+1', AVAILABLE, applied(AVAILABLE[0]), 'default')).toEqual([AVAILABLE[1]]);
    expect(planUpgrade('head', AVAILABLE, applied(...AVAILABLE), 'default')).toEqual([]);
  });

  it('plans a downgrade: most recently applied first', () => {
    const all = applied(...AVAILABLE);
    expect(planDowngrade('-1', AVAILABLE, all, 'default')).toEqual([AVAILABLE[2]]);
    expect(planDowngrade('-2', AVAILABLE, all, 'default')).toEqual([AVAILABLE[2], AVAILABLE[1]]);
    expect(planDowngrade('base', AVAILABLE, all, 'default')).toEqual([...AVAILABLE].reverse());
    expect(planDowngrade('CreateLibrary', AVAILABLE, all, 'default')).toEqual([AVAILABLE[2], AVAILABLE[1]]);
    expect(() => planDowngrade('-4', AVAILABLE, all, 'default')).toThrow(/only 3 applied/);
  });

  it('plans a stamp: the version table ends up holding exactly the migrations up to the target', () => {
    expect(planStamp('head', AVAILABLE, applied(AVAILABLE[0]), 'default')).toEqual({
      record: AVAILABLE.slice(1),
      forget: [],
    });
    expect(planStamp('base', AVAILABLE, applied(AVAILABLE[0], 'Gone1690000000000'), 'default')).toEqual({
      record: [],
      forget: [AVAILABLE[0], 'Gone1690000000000'],
    });
  });

  it('takes the migration applied last as the current revision', () => {
    expect(currentRevision([])).toBe('base');
    expect(
      currentRevision([
        { id: 4, name: 'B' },
        { id: 9, name: 'A' },
      ]),
    ).toBe('A');
  });
});
