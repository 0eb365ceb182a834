import type { Projection } from './projection';

/** Which projection writes which collection: the key to per-projection generations (rebuilds). */
export function collectionOwners(projections: Projection[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const p of projections) {
    for (const c of p.collections) {
      const other = owners.get(c.name);
      if (other && other !== p.name) throw new Error(`collection ${c.name} is written by both ${other} and ${p.name}`);
      owners.set(c.name, p.name);
    }
  }
  return owners;
}
