import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { isPropertyMap, keepPropertyMap } from './property-map';

// The @Type() registry, to follow a body into its nested DTOs (not re-exported by the package's index).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

/** Keys Nest's ValidationPipe deletes from a body before class-transformer sees it. */
const STRIPPED = new Set(['__proto__', 'constructor', 'prototype']);

const at = (prefix: string, key: string | number) => (prefix ? `${prefix}.${key}` : String(key));

/**
 * Walks a parsed body along its DTO before the ValidationPipe runs: keys the
 * pipe would silently delete are unknown fields (their paths are answered),
 * and property maps are copied aside so they keep every name.
 */
export function strippedFields(value: unknown, type: Function | undefined, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => strippedFields(item, type, at(prefix, i)));
  const holder = value as Record<string, unknown>;
  return Object.keys(holder).flatMap((key) => {
    if (STRIPPED.has(key)) return [at(prefix, key)];
    if (type && isPropertyMap(type, key)) {
      keepPropertyMap(holder, key);
      return [];
    }
    const nested = type ? defaultMetadataStorage.findTypeMetadata(type, key)?.typeFunction?.() : undefined;
    return strippedFields(holder[key], typeof nested === 'function' ? nested : undefined, at(prefix, key));
  });
}

/**
 * Fields of the body that did not make it into the DTO: class-transformer
 * skips keys named like Object.prototype's members (`toString`, `valueOf`
 * …), so the whitelist never sees them. A null-prototype object in the DTO
 * is a property map, whose keys are data.
 */
export function droppedFields(plain: unknown, dto: unknown, prefix = ''): string[] {
  if (plain === null || typeof plain !== 'object' || dto === null || typeof dto !== 'object') return [];
  if (Object.getPrototypeOf(dto) === null) return [];
  if (Array.isArray(plain)) return Array.isArray(dto) ? plain.flatMap((item, i) => droppedFields(item, dto[i], at(prefix, i))) : [];
  const p = plain as Record<string, unknown>;
  const d = dto as Record<string, unknown>;
  return Object.keys(p).flatMap((k) => (Object.hasOwn(d, k) ? droppedFields(p[k], d[k], at(prefix, k)) : [at(prefix, k)]));
}
