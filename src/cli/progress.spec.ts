import { Progress } from './progress';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 40, write: (text: string) => writes.push(text) };
  return { writes, progress: new Progress(stream as unknown as NodeJS.WriteStream) };
}

describe('Progress', () => {
  it('rewrites a single line on a terminal and clears it before other output', () => {
    const { writes, progress } = fakeStream(true);
    progress.update('applying A (1/2)');
    progress.update('applying B (2/2)');
    progress.clear();
    expect(writes).toEqual(['\r\x1b[2Kapplying A (1/2)', '\r\x1b[2Kapplying B (2/2)', '\r\x1b[2K']);
  });

  it('writes plain lines elsewhere (CI, pipes)', () => {
    const { writes, progress } = fakeStream(false);
    progress.update('applying A (1/2)');
    progress.clear();
    expect(writes).toEqual(['applying A (1/2)\n']);
  });
});
