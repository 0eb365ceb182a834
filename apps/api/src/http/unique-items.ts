import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator's arrayUnique answer in one pass: its own compares every
 * item with indexOf (quadratic: ~10 ms for a 1000-contact batch). Keys are
 * compared as indexOf does — NaN, which indexOf never finds, makes an array
 * not unique there, so here too.
 */
export function uniqueItems(array: unknown, by?: (item: never) => unknown): boolean {
  if (!Array.isArray(array)) return false;
  const seen = new Set<unknown>();
  for (const item of array) {
    const key = by && item != null ? by(item as never) : item;
    if (key !== key || seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** @ArrayUnique, with the same name, message and answers, in linear time. */
export function UniqueItems<T>(by?: (item: T) => unknown, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'arrayUnique',
      validator: {
        validate: (value) => uniqueItems(value, by as ((item: never) => unknown) | undefined),
        defaultMessage: buildMessage((eachPrefix) => `${eachPrefix}All $property's elements must be unique`, options),
      },
    },
    options,
  );
}
