import 'reflect-metadata';
import { Transform } from 'class-transformer';

const PROPERTY_MAP = Symbol('property-map');

/** A map of names to values with no prototype: `constructor` or `toString` is a name like any other. */
export function nullPrototypeMap<V>(entries: Iterable<[string, V]> = []): Record<string, V> {
  const map = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) map[k] = v;
  return map;
}

/** Maps copied from the parsed body before anything strips keys from it, by the object holding them. */
const copies = new WeakMap<object, Map<string, Record<string, unknown>>>();

/**
 * A free-form map in a body (a contact's `properties`): its keys are data,
 * not fields, and every name is kept — `constructor`, `valueOf`,
 * `__proto__` included. Nest's ValidationPipe deletes `__proto__`,
 * `constructor` and `prototype` keys and class-transformer skips keys named
 * like Object.prototype's members, so the body validation pipe copies the
 * map into a null-prototype object first (`keepPropertyMap`) and this
 * transform puts the copy in the DTO. JSON.parse defines `__proto__` as an
 * own data property, so nothing is polluted on the way in.
 */
export const PropertyMap = (): PropertyDecorator => (target, key) => {
  Reflect.defineMetadata(PROPERTY_MAP, true, target, key);
  Transform(({ obj, key: name, value }) => copies.get(obj as object)?.get(name) ?? value)(target, key);
};

export const isPropertyMap = (type: Function, key: string): boolean => Reflect.getMetadata(PROPERTY_MAP, type.prototype, key) === true;

/** Called by the body validation pipe before Nest's pipe touches the body. */
export function keepPropertyMap(holder: Record<string, unknown>, key: string): void {
  const raw = holder[key];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
  const byKey = copies.get(holder) ?? new Map<string, Record<string, unknown>>();
  byKey.set(key, nullPrototypeMap(Object.entries(raw)));
  copies.set(holder, byKey);
}
