import type { GroupKey } from '@mam/domain';
import type { ProjectionTx } from '../projections/projection';
import { REPORT_ROWS, rowId, rowPrefix, type ReportRowDoc } from './report.collections';

/** What one contact or deal adds to its group: one to the count, its amount to the sum. */
export interface Contribution {
  key: GroupKey;
  cents: number | null;
}

const PAGE = 2000;

/** Every document whose id starts with `idPrefix` (a range of the primary key), page by page, giving the event loop turns: a back-fill reads up to millions. */
export async function* scan<T>(tx: ProjectionTx, collection: string, idPrefix: string) {
  let afterId: string | undefined;
  for (;;) {
    const page = await tx.find<T>(collection, {}, { idPrefix, afterId, limit: PAGE });
    yield page;
    if (page.length < PAGE) return;
    afterId = page[page.length - 1].id;
    await tx.maybeYield?.();
  }
}

async function add(tx: ProjectionTx, reportId: string, accountId: string, c: Contribution, sign: 1 | -1): Promise<void> {
  const id = rowId(reportId, accountId, c.key);
  const held = tx.peek?.<ReportRowDoc>(REPORT_ROWS, id);
  const row = held !== undefined ? held : await tx.get<ReportRowDoc>(REPORT_ROWS, id);
  const n = (row?.n ?? 0) + sign;
  // A decrement always undoes an earlier increment of the same group: anything else is a bug, and must not pass silently.
  if (n < 0) throw new Error(`report ${reportId}: row ${id} would count below zero`);
  if (n === 0) return tx.delete(REPORT_ROWS, id);
  const withAmount = c.cents === null ? 0 : 1;
  tx.put(REPORT_ROWS, id, { r: reportId, a: accountId, k: c.key, n, s: (row?.s ?? 0) + sign * (c.cents ?? 0), m: (row?.m ?? 0) + sign * withAmount });
}

const same = (a: Contribution, b: Contribution) => a.cents === b.cents && a.key.length === b.key.length && a.key.every((v, i) => v === b.key[i]);

/** An item changed: a decrement of the group it was counted in, an increment of the one it is counted in now. */
export async function move(tx: ProjectionTx, reportId: string, accountId: string, before: Contribution | null, after: Contribution | null): Promise<void> {
  if (before && after && same(before, after)) return;
  if (before) await add(tx, reportId, accountId, before, -1);
  if (after) await add(tx, reportId, accountId, after, 1);
}

/** Sums contributions in memory (a back-fill), then writes one row per group. */
export class RowAccumulator {
  private readonly rows = new Map<string, ReportRowDoc>();

  constructor(
    private readonly reportId: string,
    private readonly accountId: string,
  ) {}

  add(c: Contribution): void {
    const id = rowId(this.reportId, this.accountId, c.key);
    const row = this.rows.get(id);
    if (row) {
      row.n += 1;
      row.s += c.cents ?? 0;
      row.m += c.cents === null ? 0 : 1;
    } else {
      this.rows.set(id, { r: this.reportId, a: this.accountId, k: c.key, n: 1, s: c.cents ?? 0, m: c.cents === null ? 0 : 1 });
    }
  }

  /** The report had no rows of this account (dropped or never written): puts replace nothing. */
  write(tx: ProjectionTx): void {
    for (const [id, row] of this.rows) tx.put(REPORT_ROWS, id, row);
  }
}

/** R6: removes a report's rows, of one account or of all. */
export async function dropRows(tx: ProjectionTx, reportId: string, accountId?: string): Promise<void> {
  const ids: string[] = [];
  for await (const page of scan<ReportRowDoc>(tx, REPORT_ROWS, rowPrefix(reportId, accountId))) {
    for (const row of page) ids.push(row.id);
  }
  for (const id of ids) tx.delete(REPORT_ROWS, id);
}
