/** The Learning view's data: per-episode facts, the incremental summary, timelines and knowledge statistics. */
export * from './facts';
export * from './summary';
export * from './series';
export * from './knowledgeStats';
export * from './viewData';
export * from './knowledgeFiles';
