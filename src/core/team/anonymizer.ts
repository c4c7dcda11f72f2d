/**
 * The team client's anonymizer: src/core/anonymize over one submission's texts, with the names and extra terms the
 * user knows to hide (git config name and commit authors, the "also hide" list) and the configured API key.
 */
import { anonymizeTexts, type AnonymizeOptions } from '../anonymize/anonymize';
import type { Anonymizer } from './payload';

/** An {@link Anonymizer} that hides everything src/core/anonymize finds, plus `options`' names, terms and secrets. */
export function teamAnonymizer(options: AnonymizeOptions = {}): Anonymizer {
  return { anonymize: async (texts) => ({ texts: (await anonymizeTexts(texts, options)).texts }) };
}
