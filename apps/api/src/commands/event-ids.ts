import { createHash, randomUUID } from 'node:crypto';

/**
 * Event ids derived from the command id when it has one (saga reactions carry
 * an id derived from the event that caused them), so a redelivered reaction
 * produces the same ids and the store drops the repeat.
 */
export function eventId(commandId: string | undefined, streamId: string, index: number): string {
  if (!commandId) return randomUUID();
  const hex = createHash('sha256').update(`${commandId}\u0000${streamId}\u0000${index}`).digest('hex');
  // Shaped as a UUID (version nibble 5) because KurrentDB wants UUID event ids.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
