import { randomBytes } from 'node:crypto';

/** A sortable, unique id: UTC timestamp plus random suffix, safe as a file name. */
export function newEpisodeId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`;
}
