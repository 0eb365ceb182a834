import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { Problem, type FieldError } from './problem';
import { droppedFields, strippedFields } from './body-fields';
import { compiledCheck } from './compiled-validation';

const unknownFields = (paths: string[]) => Problem.validation(paths.map((path) => ({ path, message: `property ${path.split('.').pop()} should not exist` })));

/** Nest's pipe leaves these as they are; the fast path only vouches for DTO classes. */
const NOT_DTOS = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Bodies are JSON objects: an array or a bare value is a 400 before any DTO sees it. */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // No body at all (a bare POST /deactivation) reads as {}.
    if (metadata.type === 'body' && value === undefined) value = {};
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw Problem.validation([{ path: '', message: 'the body must be a JSON object' }]);
    }
    if (metadata.type !== 'body') return super.transform(value, metadata);
    // A body its DTO's compiled rules vouch for is valid as it is; anything else gets the full pipe and its 400.
    if (metadata.metatype && !NOT_DTOS.has(metadata.metatype) && compiledCheck(metadata.metatype)?.(value as Record<string, unknown>)) return value;
    const stripped = strippedFields(value, metadata.metatype);
    if (stripped.length) throw unknownFields(stripped);
    const result = await super.transform(value, metadata);
    const dropped = droppedFields(value, result);
    if (dropped.length) throw unknownFields(dropped);
    return result;
  }
}

/** class-validator DTOs; unknown fields are an error, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    // Off so that an empty DTO ({} for deactivation) validates; the whitelist still rejects any field.
    forbidUnknownValues: false,
    transform: true,
    validateCustomDecorators: false,
    exceptionFactory: (errors) => Problem.validation(flatten(errors)),
  });
}
