import { lineProgress } from './progress';

describe('rebuild progress without a terminal', () => {
  it('prints a line at the start, then at most one per interval, and one at the end', () => {
    const lines: string[] = [];
    let clock = 0;
    const progress = lineProgress({ write: (l) => lines.push(l), now: () => clock, everyMs: 5000 });
    progress.start(1000);
    progress.update(100);
    clock = 4999;
    progress.update(200);
    clock = 5000;
    progress.update(500);
    clock = 7000;
    progress.update(600);
    progress.setTotal(1200);
    clock = 10_000;
    progress.update(900);
    progress.stop();
    expect(lines).toEqual(['rebuild: 0% (0/1000 positions)', 'rebuild: 50% (500/1000 positions)', 'rebuild: 75% (900/1200 positions)', 'rebuild: 100% (1200/1200 positions)']);
  });
});
