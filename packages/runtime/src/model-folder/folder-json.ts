import { IOError } from '@clade/core';

/** What every folder description (clade.json, encoder.json) holds besides its own fields. */
export interface FolderJson<Format extends string> {
  format: Format;
  formatVersion: 1;
  /** The file it was made from (base name) and that file's sha256 ('' when none). */
  source: { file: string; sha256: string };
  versions: { tfjs: string };
}

/**
 * The header every folder description (clade.json, encoder.json) starts with: its format name and
 * version 1. Returns the parsed object for the caller's own fields; errors name the file.
 */
export function checkFolderJson(v: unknown, file: string, format: string, what: string): Record<string, unknown> {
  const j = v as { format?: unknown; formatVersion?: unknown } | null;
  if (!j || typeof j !== 'object' || j.format !== format) throw new IOError(`'${file}' is not a clade ${what} description (format must be '${format}').`);
  if (j.formatVersion !== 1) throw new IOError(`'${file}': formatVersion ${String(j.formatVersion)} is not supported (this clade reads 1).`);
  return j as Record<string, unknown>;
}
