/** The team client (issue 10): join, submit with a persisted queue, receive verified adapters. Pure core. */
export * from './client';
export * from './errors';
export * from './flush';
export * from './join';
export * from './payload';
export * from './anonymizer';
export * from './queue';
export * from './adapters';
export * from './runtime';
export * from './knowledgeSharing';
export * from './audit';
export * from './schedule';
export * from './session';
export * from './joinInput';
export * from './submissionPlan';
