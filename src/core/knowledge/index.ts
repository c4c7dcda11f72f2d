/** The knowledge feature: file format, operations, store, safety, dedup, selection, extraction. */
export * from './knowledgeContext';
export * from './format';
export * from './operations';
export * from './merge';
export * from './store';
export * from './safety';
export * from './review';
export * from './dedup';
export * from './tokens';
export * from './relevance';
export * from './embeddingCache';
export * from './selection';
export * from './provider';
export * from './compact';
export * from './extraction';
export * from './extractionRuntime';
export * from './learn';
