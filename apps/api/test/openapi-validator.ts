import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, any>;

interface Operation {
  method: string;
  path: string;
  pattern: RegExp;
  params: number;
  responses: Record<string, Schema>;
}

const DOCUMENT_ID = 'openapi.json';
const PROBLEM_REF = `${DOCUMENT_ID}#/components/schemas/ProblemDto`;

/**
 * Checks an HTTP answer against the OpenAPI document the app generates:
 * the status must be documented for the operation, with its content type,
 * and the body must match the schema. Answers of paths the document does
 * not know (unknown routes, /metrics) need only be problem+json when they
 * are errors.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Schema) {
    addFormats(this.ajv);
    // One schema holding the components, every $ref rewritten to point into it.
    const rewritten = JSON.parse(JSON.stringify(document).replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`)) as Schema;
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: rewritten.components ?? {} });
    for (const [path, item] of Object.entries(rewritten.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, Schema>)) {
        const source = path
          .split(/(\{[^}]+\})/)
          .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
          .join('');
        this.operations.push({
          method: method.toUpperCase(),
          path,
          pattern: new RegExp(`^${source}$`),
          params: (path.match(/\{/g) ?? []).length,
          responses: operation.responses ?? {},
        });
      }
    }
    // Static segments win over parameters, as in the router.
    this.operations.sort((a, b) => a.params - b.params);
  }

  /** Why the answer breaks the document, or null when it does not. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: unknown): string | null {
    // As the request went out: dot segments resolved (an id `.` or `..` cannot be addressed in a path).
    const path = new URL(url, 'http://localhost').pathname;
    const operation = this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(path));
    const type = (contentType ?? '').split(';')[0].trim();
    if (!operation) {
      if (status < 400) return null;
      const where = `${method} ${path} (no operation) ${status}`;
      if (type !== 'application/problem+json') return `${where}: content-type ${type || 'none'}, not application/problem+json`;
      return this.validate(where, PROBLEM_REF, { $ref: PROBLEM_REF }, body);
    }
    const where = `${operation.method} ${operation.path} ${status}`;
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (!response) return `${where}: status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
    const content = (response.content ?? {}) as Record<string, Schema>;
    if (Object.keys(content).length === 0) return null;
    const media = content[type];
    if (!media) return `${where}: content-type ${type || 'none'} is not documented (documented: ${Object.keys(content).join(', ')})`;
    if (!media.schema) return null;
    return this.validate(where, `${operation.method} ${operation.path} ${status} ${type}`, media.schema, body);
  }

  private validate(where: string, key: string, schema: Schema, body: unknown): string | null {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return null;
    const errors = (validate.errors ?? []).map((e) => `body${e.instancePath || ''} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return `${where}: ${errors.join('; ')} — answer ${JSON.stringify(body).slice(0, 500)}`;
  }
}
