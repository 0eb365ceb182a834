import { createHash } from 'node:crypto';

/**
 * The id a copy takes in the target: derived from the copy request and the
 * source asset, never random, so a copy carried out again after a crash
 * writes the same assets (and the same event ids) instead of new ones. 32 hex
 * digits of SHA-256 keep it within api.md's id shape (≤ 64 characters)
 * whatever the two ids' lengths.
 */
export function copiedAssetId(copyId: string, sourceAssetId: string): string {
  return `copy-${createHash('sha256').update(`${copyId}\u0000${sourceAssetId}`).digest('hex').slice(0, 32)}`;
}
