import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import { OpenApiValidator } from './openapi-validator';

export const TOKEN = 'test-token';
export const STEP_UP_SECRET = 'test-step-up-secret';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw payload (bypasses JSON encoding). */
  payload?: string;
  headers?: Record<string, string>;
  token?: string | null;
  /** Skip the check against the OpenAPI document (for answers a test provokes on purpose, e.g. a failing store). */
  unchecked?: boolean;
}

/** The document is the same for every app of a process: compiled once. */
let validator: Promise<OpenApiValidator> | undefined;

/** The real app on the embedded store in a fresh DATA_DIR, driven through Fastify's inject. */
export class TestApp {
  private constructor(
    public app: NestFastifyApplication,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'mam-test-'))): Promise<TestApp> {
    const fullEnv = { NODE_ENV: 'test', API_TOKENS: TOKEN, STEP_UP_SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env };
    const app = await createApp(loadConfig(fullEnv));
    return new TestApp(app, dataDir, fullEnv);
  }

  get events(): EventStore {
    return this.app.get(EVENT_STORE);
  }

  async request<T = any>(method: string, url: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    let payload = options.payload;
    if (payload === undefined && options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method: method as any, url, headers, payload });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      /* text answers (metrics) stay text */
    }
    if (!options.unchecked) {
      // Every answer of every HTTP test is checked against /docs-json: the document describes what the service does.
      validator ??= this.app.inject({ method: 'GET', url: '/docs-json' }).then((r) => new OpenApiValidator(JSON.parse(r.body)));
      const problem = (await validator).check(method, url, res.statusCode, res.headers['content-type'] as string | undefined, body);
      if (problem) throw new Error(`answer does not match the OpenAPI document: ${problem}`);
    }
    return { status: res.statusCode, body: body as T, headers: res.headers as Record<string, unknown> };
  }

  /** A GET that waits for the read models to reach `position` (read-your-writes). */
  read<T = any>(url: string, position: string | undefined, headers: Record<string, string> = {}): Promise<Answer<T>> {
    return this.request<T>('GET', url, { headers: { ...headers, ...(position ? { 'x-min-position': position } : {}) } });
  }

  async headPosition(): Promise<bigint> {
    return (await this.events.headPosition()) ?? 0n;
  }

  /** Number of events in the log (every test asserts that a rejection appended none). */
  async eventCount(): Promise<number> {
    let n = 0;
    let after: bigint | null = null;
    for (;;) {
      const batch = await this.events.readAll({ after, limit: 1000 });
      if (batch.length === 0) return n;
      n += batch.length;
      after = batch[batch.length - 1].position;
    }
  }

  async restart(env: Record<string, string> = {}): Promise<TestApp> {
    await this.app.close();
    this.app = await createApp(loadConfig({ ...this.env, ...env }));
    return this;
  }

  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.app.close();
    if (!options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A valid step-up assertion (O6) for `userId`; override claims to make it invalid. */
export async function stepUp(userId: string, overrides: { amr?: string[]; iat?: number; exp?: number; aud?: string; sub?: string; jti?: string; secret?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = overrides.iat ?? now;
  return new SignJWT({ amr: overrides.amr ?? ['otp'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(overrides.sub ?? userId)
    .setAudience(overrides.aud ?? 'multi-account-management')
    .setIssuedAt(iat)
    .setExpirationTime(overrides.exp ?? iat + 300)
    .setJti(overrides.jti ?? randomUUID())
    .sign(new TextEncoder().encode(overrides.secret ?? STEP_UP_SECRET));
}
