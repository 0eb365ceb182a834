import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import { InMemoryEventStore } from '@mam/event-store';
import { CommandMetrics, MetricsRegistry } from '../ops/metrics.service';
import { CommandExecutor } from './command-executor';
import { CommandError } from './command-error';

describe('the command pipeline knows no HTTP', () => {
  it('imports nothing from http/ (sagas and process managers run it without any request)', () => {
    const dir = __dirname;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .filter((f) => /from '\.\.\/http\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('given a stream that changes under every attempt, when run without a request, then it gives up with its own CONFLICT error, not an HTTP exception', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store, new CommandMetrics(new MetricsRegistry()));
    const at = { at: new Date().toISOString() };
    await store.append('s', [{ id: randomUUID(), type: 'Made', data: {}, metadata: at }], 'no_stream');
    const run = executor.execute({
      context: undefined,
      name: 'Contended',
      decide: async (loader) => {
        await loader.load('s');
        // Someone else writes between this read and the append, every time.
        const [last] = (await store.readStream('s')).slice(-1);
        await store.append('s', [{ id: randomUUID(), type: 'Other', data: {}, metadata: at }], last.revision);
        return { writes: [{ streamId: 's', events: [{ type: 'Mine', data: {} }] }] };
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).not.toBeInstanceOf(HttpException);
    expect((error as CommandError).code).toBe('CONFLICT');
    expect((await store.readStream('s')).filter((e) => e.type === 'Mine')).toEqual([]);
  });
});
