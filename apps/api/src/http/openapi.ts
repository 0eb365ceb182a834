/**
 * OpenAPI conventions: the document at /docs-json is generated from these
 * decorators, and the HTTP tests check every answer against it (an answer
 * whose status, content type or body the document does not describe fails
 * the test that caused it). Use them on every route:
 *
 *   @Post('organizations/:id/things')
 *   @CommandResponses(201, ThingCreatedDto, 'NOT_FOUND', 'NO_FLOW')   // instead of @Answers(201)
 *   create(@IdParam('id') id: string, @Body() body: ThingDto, @ActorUserId() actor: string) {…}
 *
 *   @Get('things/:thingId')
 *   @QueryResponses(ThingViewDto, 'NOT_FOUND', 'FORBIDDEN')
 *   @ReadsFrom('things')
 *   get(@IdParam('thingId') thingId: string) {…}
 *
 * - `CommandResponses(status, type, ...codes)`: a POST/PUT/DELETE. Sets the
 *   success status (it applies `@Answers(status)`), documents the answer
 *   (`PositionDto` when it is only `{ position }`), the Idempotency-Key and
 *   X-Correlation-Id headers, and a problem+json response per status with
 *   the codes that can come back: the ones every command can answer
 *   (VALIDATION_FAILED, UNAUTHENTICATED, CONFLICT, PAYLOAD_TOO_LARGE,
 *   IDEMPOTENCY_KEY_REUSED, OVERLOADED, STORE_UNAVAILABLE) plus the codes you list — the rule
 *   codes of your decider, NOT_FOUND, FORBIDDEN, STEP_UP_REQUIRED…; the
 *   status of each comes from `statusOf` (422 unless listed otherwise).
 * - `QueryResponses(type, ...codes)`: a GET. Documents the 200 answer, the
 *   X-Min-Position header and the problems (VALIDATION_FAILED,
 *   UNAUTHENTICATED, PROJECTION_LAG, STORE_UNAVAILABLE plus yours).
 * - `IdParam(name)`: a path id (api.md's id shape, 1–64 `[A-Za-z0-9._:-]`):
 *   validated by IdPipe and documented with its pattern and lengths.
 * - `ApiId()`, `ApiIds({ maxItems })`: the same shape for a body property or
 *   an array of ids; `ArrayMaxSize` needs a matching `maxItems`.
 * - `@ActorUserId()`, `@ActingAccountId()`, `@StepUpHeader()` (http/headers)
 *   document their header themselves.
 * - Request bodies need nothing: every DTO reachable from a request body is
 *   marked `additionalProperties: false` when the document is built, as the
 *   global ValidationPipe refuses unknown fields.
 * - Answers are ordinary classes with `@ApiProperty` (no validators); a
 *   free-form map is `{ type: 'object', additionalProperties: { type: 'string' } }`.
 */
import { applyDecorators, Param, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ID_PATTERN, statusOf } from '@mam/domain';
import { IdPipe } from './id.pipe';
import { Answers } from './route-config';

/** The id shape of api.md, as a JSON schema. */
export const ID_SCHEMA = { type: 'string', pattern: ID_PATTERN.source, minLength: 1, maxLength: 64 } as const;
export const POSITION_SCHEMA = { type: 'string', pattern: '^\\d{1,20}$' } as const;

/** Codes raised by the HTTP layer rather than a decider, with their status. */
const HTTP_CODES: Record<string, number> = {
  UNAUTHENTICATED: 401,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  PROJECTION_LAG: 503,
  OVERLOADED: 503,
  STORE_UNAVAILABLE: 503,
};

export const codeStatus = (code: string): number => HTTP_CODES[code] ?? statusOf(code);

export class FieldErrorDto {
  @ApiProperty({ description: 'where: `field.sub`, `headers.name`, `params.name`, `query.name`' }) path!: string;
  @ApiProperty() message!: string;
}

/** RFC 9457 problem details with api.md's `code`. */
export class ProblemDto {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: 'integer' }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'api.md error code' }) code!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'on 400' }) errors?: FieldErrorDto[];
}

/** The answer of a command that names nothing else. */
export class PositionDto {
  @ApiProperty({ ...POSITION_SCHEMA, description: 'global position of the last event appended (or of the end, when nothing was)' }) position!: string;
}

/** A body property that is an id. */
export const ApiId = (options: ApiPropertyOptions = {}) => ApiProperty({ ...ID_SCHEMA, ...options } as ApiPropertyOptions);
export const ApiIdOptional = (options: ApiPropertyOptions = {}) => ApiId({ required: false, ...options } as ApiPropertyOptions);
/** A body property that is an array of ids. */
export const ApiIds = (options: ApiPropertyOptions & { maxItems?: number; minItems?: number } = {}) =>
  ApiProperty({ type: 'array', items: { ...ID_SCHEMA }, ...options } as ApiPropertyOptions);

/** A path parameter that is an id: a 400 unless it has the id shape; documented with it. */
export function IdParam(name: string): ParameterDecorator {
  return (target, key, index) => {
    Param(name, IdPipe)(target, key, index);
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({ name, required: true, schema: { ...ID_SCHEMA } })(target, key!, descriptor);
  };
}

const COMMAND_CODES = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'IDEMPOTENCY_KEY_REUSED', 'OVERLOADED', 'STORE_UNAVAILABLE'];
const QUERY_CODES = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'PROJECTION_LAG', 'STORE_UNAVAILABLE'];

/** One problem+json response per status, its `code` limited to the codes listed. */
export function ProblemResponses(...codes: string[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, Set<string>>();
  for (const code of codes) {
    const status = codeStatus(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  const decorators = [...byStatus].map(([status, set]) => {
    const list = [...set].sort();
    return ApiResponse({
      status,
      description: list.join(', '),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [{ $ref: getSchemaPath(ProblemDto) }, { type: 'object', properties: { status: { type: 'integer', enum: [status] }, code: { type: 'string', enum: list } } }],
          },
        },
      },
    });
  });
  return applyDecorators(ApiExtraModels(ProblemDto, FieldErrorDto), ...decorators);
}

/** A command route: success status and answer, Idempotency-Key, and the problems it can answer. */
export function CommandResponses(status: 200 | 201 | 202, type: Type<unknown>, ...codes: string[]): MethodDecorator {
  return applyDecorators(
    Answers(status),
    ApiResponse({ status, type }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'a repeat with the same key and the same request gets the first answer and appends nothing; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    }),
    ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'recorded with the events; the request id when absent' }),
    ProblemResponses(...new Set([...COMMAND_CODES, ...codes])),
  );
}

/** A GET: its 200 answer, X-Min-Position (read-your-writes), and the problems it can answer. */
export function QueryResponses(type: Type<unknown>, ...codes: string[]): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: 200, type }),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description: 'wait (up to 5 s) until the read models behind this GET have processed this position, else 503 PROJECTION_LAG',
      schema: { ...POSITION_SCHEMA },
    }),
    ProblemResponses(...new Set([...QUERY_CODES, ...codes])),
  );
}

type Schema = Record<string, any>;

/**
 * Marks every schema reachable from a request body `additionalProperties:
 * false`, as the global ValidationPipe refuses unknown fields. Schemas only
 * used by answers stay open.
 */
export function refuseUnknownFields(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const seen = new Set<Schema>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    if (typeof schema.$ref === 'string') return visit(schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if ((schema.type === 'object' || schema.properties) && schema.additionalProperties === undefined) schema.additionalProperties = false;
    for (const sub of Object.values(schema.properties ?? {})) visit(sub as Schema);
    visit(schema.items);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) for (const sub of schema[key] ?? []) visit(sub);
  };
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, Schema>)) {
      for (const media of Object.values(operation?.requestBody?.content ?? {})) visit((media as Schema).schema);
    }
  }
  return document;
}
