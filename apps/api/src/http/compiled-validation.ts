import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { isPropertyMap, nullPrototypeMap } from './property-map';

// class-transformer's metadata (@Type, @Transform…): the package exports it without typings at this path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

/**
 * A fast path for the DTOs' class-validator rules, compiled once per DTO
 * class from class-validator's own metadata: the same constraint objects
 * run on the same values, without class-transformer's copy and
 * class-validator's per-object metadata lookups (together 28% of the
 * service's CPU in a bulk sync). It only ever answers "valid": anything it
 * cannot vouch for — an error, an unknown field, a rule kind it does not
 * model — goes to the full ValidationPipe, which words the 400. The DTOs
 * stay the one source of the rules.
 */
export type BodyCheck = (value: Record<string, unknown>) => boolean;

/** Checks an object, noting the changes to make once the whole body is known valid. */
type ObjectCheck = (value: Record<string, unknown>, fixes: Array<() => void>) => boolean;

type Metadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

interface Rule {
  metadata: Metadata;
  validate: (value: unknown, args: ValidationArguments) => unknown;
}

interface PropertyCheck {
  name: string;
  conditions: Metadata[];
  rules: Rule[];
  /** The class of a nested object (or of an array's items), from class-transformer's @Type. */
  nested?: () => ObjectCheck | null;
  /** A @PropertyMap: the DTO gets it as a null-prototype copy, as the full pipe gives it. */
  propertyMap: boolean;
}

const compiled = new Map<Function, ObjectCheck | null>();
const bodyChecks = new Map<Function, BodyCheck | null>();

/** The check of a DTO class, or null when its rules need the full pipe. */
export function compiledCheck(cls: Function): BodyCheck | null {
  if (bodyChecks.has(cls)) return bodyChecks.get(cls)!;
  const check = objectCheck(cls);
  const body: BodyCheck | null = check
    ? (value) => {
        const fixes: Array<() => void> = [];
        if (!check(value, fixes)) return false;
        for (const fix of fixes) fix();
        return true;
      }
    : null;
  bodyChecks.set(cls, body);
  return body;
}

function objectCheck(cls: Function): ObjectCheck | null {
  if (compiled.has(cls)) return compiled.get(cls)!;
  compiled.set(cls, null); // a class that nests itself is not compiled
  let check: ObjectCheck | null = null;
  try {
    check = compile(cls);
  } catch {
    check = null;
  }
  compiled.set(cls, check);
  return check;
}

function compile(cls: Function): ObjectCheck | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined);
  if (defaultMetadataStorage.getStrategy(cls) !== 'none' || defaultMetadataStorage.getExposedMetadatas(cls).length || defaultMetadataStorage.getExcludedMetadatas(cls).length) return null;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyCheck[] = [];
  for (const [name, list] of Object.entries(grouped)) {
    // The one transform modelled here is a property map's null-prototype copy.
    const propertyMap = isPropertyMap(cls, name);
    if (!propertyMap && defaultMetadataStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length) return null;
    const property: PropertyCheck = { name, conditions: [], rules: [], propertyMap };
    for (const m of list) {
      if (m.groups?.length || m.always || m.validateIf || m.context) return null;
      if (m.type === ValidationTypes.WHITELIST) continue;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) property.conditions.push(m);
      else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
        for (const constraint of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (constraint.async) return null;
          property.rules.push({ metadata: m, validate: (value, args) => constraint.instance.validate(value, args) });
        }
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const type = defaultMetadataStorage.findTypeMetadata(cls, name);
        if (!type || type.options?.discriminator || property.nested) return null;
        const nestedClass = type.typeFunction() as Function;
        property.nested = () => objectCheck(nestedClass);
      } else return null;
    }
    // Other class-transformer metadata on a plain property would change its value before validation.
    if (!property.nested && defaultMetadataStorage.findTypeMetadata(cls, name)) return null;
    properties.push(property);
  }
  const known = new Set(properties.map((p) => p.name));
  const targetName = cls.name;
  return (object, fixes) => {
    // forbidNonWhitelisted: an unknown field is an error (worded by the full pipe), and so are
    // __proto__, constructor and the names of Object.prototype's members: no DTO field is named so.
    for (const key of Object.keys(object)) if (!known.has(key)) return false;
    for (const p of properties) {
      const value = object[p.name];
      if (!p.conditions.every((c) => c.constraints[0](object, value))) continue;
      for (const { metadata, validate } of p.rules) {
        const args: ValidationArguments = { targetName, property: p.name, object, value, constraints: metadata.constraints };
        const ok = metadata.each && (Array.isArray(value) || value instanceof Set || value instanceof Map) ? [...(value as Iterable<unknown>)].every((v) => validate(v, args) === true) : validate(value, args) === true;
        if (!ok) return false;
      }
      if (p.nested && value !== undefined) {
        const nested = p.nested();
        if (!nested) return false;
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          if (!isPlainObject(item)) return false;
          if (!nested(item as Record<string, unknown>, fixes)) return false;
        }
      }
      if (p.propertyMap && isPlainObject(value)) fixes.push(() => (object[p.name] = nullPrototypeMap(Object.entries(value))));
    }
    return true;
  };
}

/** What JSON.parse makes of `{…}` (in any realm): not null, an array, a Set, a Date or a class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto !== null && Object.getPrototypeOf(proto) === null;
}
