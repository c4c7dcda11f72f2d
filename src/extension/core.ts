/**
 * The one file through which the VS Code layer reaches the agent core. Types are re-exported here; runtime values
 * come from {@link loadCore}, a lazy import, so activation does not evaluate the core's dependencies. When a core
 * export changes, only this file and coreRuntime.ts need adapting.
 */
export type { AgentSession, AgentOutcome, AgentSessionOptions } from '../core/agent/session';
export type { AgentEvent } from '../core/agent/events';
export type { TaskCheckpoints } from '../core/agent/checkpoints';
export type { StoreRecorder } from '../core/agent/recorder';
export type { ConnectionResult } from '../core/provider/testConnection';
export type { ChatMessage, ProviderConfig, ProviderFix } from '../core/provider/provider';
export type { LocalModel } from '../core/provider/embedded/localModel';
export type { ModelFileSpec } from '../core/provider/embedded/modelDownload';
export type { ApprovalDecision, ApprovalPolicy, ApprovalRequest, Approver, CommandResult, Diagnostic, EditProposal, RunCommandOptions, ToolHost, ToolCategory } from '../core/tools/host';
export type { OpenDocuments, WorkspaceFiles } from '../core/tools/workspaceFiles';
export type { TrajectoryStore, EpisodeSummary, RetentionPolicy } from '../core/trajectory/store';
export type { Episode, EndReason, Step } from '../core/trajectory/episode';
export type { KnowledgeProvider, KnowledgeInContext } from '../core/knowledge/knowledgeContext';
export type { KnowledgeDocument, KnowledgeFlag, KnowledgeItem, KnowledgeDiagnostic, KnowledgeScope, ItemLocation } from '../core/knowledge/format';
export type { ReviewSet, ReviewStore } from '../core/knowledge/review';
export type { EmbeddingCache } from '../core/knowledge/embeddingCache';
export type { KnowledgeUpdateResult, KnowledgeFileStore } from '../core/knowledge/store';
export type { MergeConflict } from '../core/knowledge/merge';
export type { LearningSummary, Granularity } from '../core/learning';
export type { LearningToWebview } from '../core/protocol/learningView';
export type {
  AdapterRuntime, ActivationResult, AdapterActivation, TeamPin, TeamSession, SubmissionDraft, SubmissionPlan, PlannedItem, FlushResult, AuditEntry, SendSchedule,
  TeamClient, ActiveAdapter, AdapterUpdate, AdapterResult, AdapterCheck,
} from '../core/team';
export type { AdapterListResponse, AdapterManifest, Consolidation, KnowledgeListResponse, TeamItem } from '../core/protocol/consolidation';

/** The core's runtime values, loaded once on first use. */
export type CoreRuntime = typeof import('./coreRuntime');
let runtime: Promise<CoreRuntime> | undefined;
export function loadCore(): Promise<CoreRuntime> {
  // A plain require (resolved by the build to dist/extension-core.cjs): synchronous CommonJS inside the extension host,
  // with no ESM-from-CJS interop to depend on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  runtime ??= Promise.resolve().then(() => require('./coreRuntime') as CoreRuntime);
  return runtime;
}
