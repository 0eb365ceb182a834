import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@mam/event-store';
import { SqliteReadStore } from '@mam/read-store';
import { ReadModelBatch } from '../apps/api/src/projections/read-model-batch';
import { ALL_PROJECTIONS } from '../apps/api/src/projections/projection-registry';
async function main() {
  const src = process.argv[2];
  const events = new SqliteEventStore(src);
  let t = performance.now(); let after: bigint | null = null; let n = 0; const batches: any[] = [];
  for (;;) { const b = await events.readAll({ after, limit: 5000 }); if (!b.length) break; n += b.length; after = b[b.length-1].position; batches.push(b); }
  console.log('readAll', n, (performance.now()-t).toFixed(0), 'ms');
  const dir = mkdtempSync(join(tmpdir(), 'ph-'));
  const rs = new SqliteReadStore(join(dir, 'r.sqlite'));
  await rs.ensureCollections(ALL_PROJECTIONS.flatMap(p => p.collections));
  let apply = 0, commit = 0, ws = 0;
  for (const b of batches) {
    const tx = new ReadModelBatch(rs);
    let t0 = performance.now();
    for (const e of b) for (const p of ALL_PROJECTIONS) if (p.eventTypes.has(e.type)) { tx.begin(); await p.apply(e, tx); tx.commitEvent(); }
    let t1 = performance.now(); apply += t1 - t0;
    const w = tx.toWriteSet([]); ws += w.puts.length;
    await rs.commit(w); commit += performance.now() - t1;
  }
  console.log('apply', apply.toFixed(0), 'commit', commit.toFixed(0), 'puts', ws);
}
main();
