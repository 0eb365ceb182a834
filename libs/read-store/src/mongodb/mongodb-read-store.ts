import type * as Mongo from 'mongodb';
import type { AnyBulkWriteOperation, ClientSession, Collection, Db, Filter as MongoFilter, MongoClient } from 'mongodb';
import { checkExpected, prefixEnd, type CollectionSpec, type Doc, type Filter, type FindOptions, type ReadStore, type Stored, type WriteSet } from '../read-store.port';
import { CheckpointMovedError, DocumentTooLargeError, ReadStoreUnavailableError } from '../errors';
import { isMongoOutage } from './mongodb-failures';

let loaded: typeof Mongo | undefined;
/**
 * The driver is required on first use, not imported: the embedded mode (and
 * every module importing @mam/read-store) never loads it.
 */
function mongo(): typeof Mongo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('mongodb') as typeof Mongo);
}

/** A read-model document as stored: the port's id becomes `_id`. */
type RmDoc = { _id: string } & Doc;
type CheckpointDoc = { _id: string; position: string };
const CHECKPOINTS = 'checkpoints';

// Same rules as the SQLite adapter, so a name valid on one is valid on both; the
// path rule also keeps `$`-operators (e.g. `$where`) out of filters built from keys.
const NAME = /^[A-Za-z0-9_]+$/;
const PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
/** Ops per bulkWrite call: keeps each command well under the 16 MB / 100k-op batch limits. */
const CHUNK = 1000;
const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;
/** BSON's limit on one document, as the driver applies it to a whole replace statement. */
const MAX_BSON_BYTES = 16 * 1024 * 1024;
/** Room for the statement around the document ({ q: { _id }, u: doc, upsert }). */
const STATEMENT_OVERHEAD = 1024;

/**
 * The MongoDB read store: one collection `rm_<name>` per read-model collection,
 * documents `{ _id: id, ...doc }`, and a `checkpoints` collection whose
 * positions are decimal strings (BSON has no unsigned 64-bit integer, and
 * KurrentDB commit positions can exceed both int64's sign bit and 2^53).
 */
export class MongoReadStore implements ReadStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  /**
   * Connects and pings, failing within `serverSelectionTimeoutMS` with an error
   * naming the host (never the credentials) instead of hanging at start-up.
   */
  static async connect(url: string, dbName?: string, serverSelectionTimeoutMS = 5000): Promise<MongoReadStore> {
    const where = describeUrl(url);
    const fail = (what: string, error: unknown) =>
      new Error(`MongoDB read store: ${what}: ${where.redact(error instanceof Error ? error.message : String(error))}`);
    let client: MongoClient;
    try {
      // ignoreUndefined: drop `undefined` fields as JSON does (the driver would store null).
      // A timeout given in the URL wins over the default.
      const fromUrl = /[?&]serverSelectionTimeoutMS=(\d+)/i.exec(url);
      if (fromUrl) serverSelectionTimeoutMS = Number(fromUrl[1]);
      client = new (mongo().MongoClient)(url, { serverSelectionTimeoutMS, ignoreUndefined: true });
    } catch (error) {
      throw fail(`invalid URL for ${where.host}`, error);
    }
    try {
      await client.connect();
      const db = client.db(dbName);
      await db.command({ ping: 1 });
      return new MongoReadStore(client, db);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw fail(`cannot reach ${where.host} within ${serverSelectionTimeoutMS} ms`, error);
    }
  }

  private coll(name: string): Collection<RmDoc> {
    if (!NAME.test(name)) throw new Error(`invalid collection name ${name}`);
    return this.db.collection<RmDoc>(`rm_${name}`);
  }

  /**
   * Checkpoints are what `X-Min-Position` waits on in a process that does
   * not run the projections. Read with majority: a position read from a
   * primary that a failover then rolls back would vouch for changes that no
   * longer exist. (The commits that write them are majority-acknowledged.)
   */
  private get checkpoints(): Collection<CheckpointDoc> {
    return this.db.collection<CheckpointDoc>(CHECKPOINTS, { readConcern: { level: 'majority' } });
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) for (const fields of spec.indexes) for (const f of fields) if (!PATH.test(f)) throw new Error(`invalid field path ${f}`);
    await this.guard('ensureCollections', async () => {
      const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
      // Created up front, the checkpoints too, so commits never create collections inside a
      // transaction (allowed since 4.4, but two first commits racing would conflict).
      if (!existing.has(CHECKPOINTS)) await this.createCollection(CHECKPOINTS);
      for (const spec of specs) {
        const coll = this.coll(spec.name);
        if (!existing.has(coll.collectionName)) await this.createCollection(coll.collectionName);
        for (const fields of spec.indexes) {
          // _id last: an equality filter on the fields then reads in id order straight
          // from the index, and afterId becomes a range on it. Same keys = no-op.
          await coll.createIndex([...fields.map((f): [string, 1] => [f, 1]), ['_id', 1]]);
        }
      }
    });
  }

  private async createCollection(name: string): Promise<void> {
    await this.db.createCollection(name).catch((e: unknown) => {
      if (!(e instanceof mongo().MongoServerError && e.code === NAMESPACE_EXISTS)) throw e;
    });
  }

  /**
   * Throws DocumentTooLargeError for a document this store cannot hold, when
   * it is put (inside the projection's handling of the event), so that event
   * is parked; at commit the whole batch would fail, again and again.
   */
  checkDocument(collection: string, id: string, doc: Doc): void {
    const bytes = mongo().BSON.calculateObjectSize({ _id: id, ...doc }, { ignoreUndefined: true });
    if (bytes + STATEMENT_OVERHEAD >= MAX_BSON_BYTES) throw new DocumentTooLargeError(collection, id, bytes, MAX_BSON_BYTES - STATEMENT_OVERHEAD);
  }

  async get<T = Doc>(collection: string, id: string): Promise<T | null> {
    const coll = this.coll(collection);
    const raw = await this.guard('get', () => coll.findOne({ _id: id }));
    return raw ? (stripId(raw) as T) : null;
  }

  async getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>> {
    const coll = this.coll(collection);
    const result = new Map<string, T>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const raw of await this.guard('getMany', () => coll.find({ _id: { $in: ids.slice(i, i + CHUNK) } }).toArray())) {
        result.set(raw._id, stripId(raw) as T);
      }
    }
    return result;
  }

  async find<T = Doc>(collection: string, filter: Filter, options: FindOptions = {}): Promise<Array<Stored<T>>> {
    const coll = this.coll(collection);
    // Mongo reads limit 0 as "no limit"; the port means "no rows".
    if (options.limit === 0) return [];
    const query: Record<string, unknown> = {};
    const exact: unknown[] = [];
    for (const [path, value] of Object.entries(filter)) {
      if (!PATH.test(path)) throw new Error(`invalid field path ${path}`);
      if (value === null) {
        // Missing or null, where a path through an array or a scalar is missing (as on SQLite).
        exact.push({ $in: [{ $type: valueAt(path) }, ['missing', 'null']] });
      } else {
        // The plain equality uses the index, but also matches elements of arrays on the path;
        // the expression keeps only documents whose value at the path is this value (as on SQLite).
        query[path] = { $eq: value };
        exact.push({ $eq: [valueAt(path), { $literal: value }] });
      }
    }
    if (exact.length > 0) query.$expr = exact.length === 1 ? exact[0] : { $and: exact };
    const range: Record<string, string> = {};
    if (options.afterId !== undefined) range.$gt = options.afterId;
    if (options.idPrefix) {
      // $gt and $gte on one field: the larger bound is the one that counts.
      if (range.$gt === undefined || range.$gt < options.idPrefix) {
        delete range.$gt;
        range.$gte = options.idPrefix;
      }
      range.$lt = prefixEnd(options.idPrefix);
    }
    if (Object.keys(range).length) query._id = range;
    const projection = options.fields ? Object.fromEntries(options.fields.map((f) => [f, 1])) : undefined;
    let cursor = coll.find(query as MongoFilter<RmDoc>, projection ? { projection } : {}).sort({ _id: 1 });
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    const rows = await this.guard('find', () => cursor.toArray());
    return rows.map((raw) => ({ id: raw._id, doc: stripId(raw) as T }));
  }

  /**
   * One transaction per batch (it needs a replica set: compose runs a one-node
   * one). The alternative, upserts guarded by a per-document position, would
   * make a replayed batch harmless for puts, but not for deletes (they would
   * need tombstones), nor for the checkpoint (it could land before or without
   * the changes it vouches for), and readers would see half-applied batches.
   * A transaction gives the port's all-or-nothing commit, as SQLite does.
   * The projection runner keeps a commit to 20,000 documents between events,
   * far from the server's 60 s transaction lifetime; ops are chunked so no
   * single command grows unbounded.
   */
  async commit(writes: WriteSet): Promise<void> {
    // Validate and group before opening a session, so a bad name fails fast.
    // Per collection, puts then deletes in order: the same result as SQLite's
    // all-puts-then-all-deletes, since collections are independent.
    const byCollection = new Map<string, { coll: Collection<RmDoc>; ops: AnyBulkWriteOperation<RmDoc>[] }>();
    const opsFor = (name: string) => {
      let entry = byCollection.get(name);
      if (!entry) byCollection.set(name, (entry = { coll: this.coll(name), ops: [] }));
      return entry.ops;
    };
    for (const p of writes.puts) {
      if ('_id' in p.doc) throw new Error(`document ${p.collection}/${p.id} must not have an _id field`);
      opsFor(p.collection).push({ replaceOne: { filter: { _id: p.id }, replacement: p.doc, upsert: true } });
    }
    for (const d of writes.deletes) opsFor(d.collection).push({ deleteOne: { filter: { _id: d.id } } });
    const checkpointOps: AnyBulkWriteOperation<CheckpointDoc>[] = writes.checkpoints.map((c) => ({
      replaceOne: { filter: { _id: c.name }, replacement: { position: c.position.toString() }, upsert: true },
    }));
    if (byCollection.size === 0 && checkpointOps.length === 0) return;

    try {
      await this.inTransaction(async (session) => {
        // Sequential awaits: a transaction's operations must not run in parallel.
        // Read inside the transaction: a runner in another process that commits the same
        // checkpoint meanwhile makes this transaction a write conflict, and the retry sees it.
        for (const c of writes.checkpoints) {
          if (c.expected === undefined) continue;
          const stored = await this.checkpoints.findOne({ _id: c.name }, { session });
          checkExpected(c, stored ? BigInt(stored.position) : null);
        }
        for (const { coll, ops } of byCollection.values()) await bulk(coll, ops, session);
        await bulk(this.checkpoints, checkpointOps, session);
      });
    } catch (error) {
      if (error instanceof CheckpointMovedError) throw error;
      if (isMongoOutage(error)) throw this.translate('commit', error);
      // The driver words a document over the limit in several ways (its own check, or BSON's
      // RangeError past 17 MiB): whatever it said, a document too large is named as such.
      throw this.tooLargeAmong(writes) ?? error;
    }
  }

  private tooLargeAmong(writes: WriteSet): DocumentTooLargeError | null {
    for (const p of writes.puts) {
      try {
        this.checkDocument(p.collection, p.id, p.doc);
      } catch (error) {
        if (error instanceof DocumentTooLargeError) return error;
        // A document BSON cannot even measure (a cycle) is the commit's own error, rethrown as it was.
      }
    }
    return null;
  }

  async checkpoint(name: string): Promise<bigint | null> {
    const row = await this.guard('checkpoint', () => this.checkpoints.findOne({ _id: name }));
    return row ? BigInt(row.position) : null;
  }

  /**
   * No transaction: emptying a big collection in one would run into the
   * server's 60 s transaction limit. The checkpoints go first, so a crash
   * part-way leaves documents without a checkpoint (the next rebuild resets
   * again) and never a checkpoint over emptied data. Each collection is
   * dropped and created again with its indexes (a drop costs the same for any
   * size; a crash before the indexes are back is mended by ensureCollections,
   * which every runner calls before it starts).
   */
  async reset(collections: string[], checkpoints: string[]): Promise<void> {
    const colls = collections.map((c) => this.coll(c));
    await this.guard('reset', async () => {
      if (checkpoints.length) await this.checkpoints.deleteMany({ _id: { $in: checkpoints } }, { writeConcern: { w: 'majority' } });
      for (const coll of colls) {
        const indexes = await coll.indexes().catch((e: unknown) => {
          if (e instanceof mongo().MongoServerError && e.code === NAMESPACE_NOT_FOUND) return [];
          throw e;
        });
        await coll.drop({ writeConcern: { w: 'majority' } }).catch((e: unknown) => {
          if (!(e instanceof mongo().MongoServerError && e.code === NAMESPACE_NOT_FOUND)) throw e;
        });
        await this.createCollection(coll.collectionName);
        for (const { key, name } of indexes) if (name !== '_id_') await coll.createIndex(key, { name });
      }
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.db.command({ ping: 1 })).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Runs a driver call; an outage (failover, lost connection) becomes the port's unavailable error. */
  private async guard<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.translate(what, error);
    }
  }

  private translate(what: string, error: unknown): unknown {
    if (!isMongoOutage(error)) return error;
    return new ReadStoreUnavailableError(`MongoDB ${what} failed: ${(error as Error).message}`, error);
  }

  private async inTransaction(fn: (session: ClientSession) => Promise<void>): Promise<void> {
    const session = this.client.startSession();
    try {
      // withTransaction retries the callback on transient errors (write conflicts,
      // failover) and the commit on unknown results; majority makes it durable.
      await session.withTransaction(() => fn(session), { writeConcern: { w: 'majority' } });
    } finally {
      await session.endSession();
    }
  }
}

async function bulk<T extends { _id: string }>(
  coll: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
  session: ClientSession,
): Promise<void> {
  for (let i = 0; i < ops.length; i += CHUNK) {
    await coll.bulkWrite(ops.slice(i, i + CHUNK), { session, ordered: true });
  }
}

/**
 * The value at a dotted path without MongoDB's descent into arrays: each
 * step reads a field of an object, and anything else on the way (an array,
 * a scalar, null) makes the value missing, as json_extract does.
 */
function valueAt(path: string): unknown {
  const [first, ...rest] = path.split('.');
  let value: unknown = `$${first}`;
  for (const field of rest) {
    value = {
      $let: {
        vars: { v: value },
        in: { $cond: [{ $eq: [{ $type: '$$v' }, 'object'] }, { $getField: { field, input: '$$v' } }, '$$REMOVE'] },
      },
    };
  }
  return value;
}

function stripId(raw: RmDoc): Doc {
  const { _id, ...doc } = raw;
  return doc;
}

/** The URL's host list for messages, and a redactor in case a driver message echoes the password. */
function describeUrl(url: string): { host: string; redact: (text: string) => string } {
  let rest = url.replace(/^[a-z0-9+.-]+:\/\//i, '').split('?')[0];
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : '';
  if (at >= 0) rest = rest.slice(at + 1);
  const secrets = [userinfo, userinfo.split(':').slice(1).join(':')].filter((s) => s.length > 0);
  return {
    host: rest.split('/')[0] || '(no host)',
    redact: (text) => secrets.reduce((t, s) => t.split(s).join('***'), text),
  };
}
