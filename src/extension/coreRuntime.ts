/**
 * Runtime values of the agent core, loaded on first use through {@link loadCore} (core.ts). Keeping them out of the
 * activation path keeps activation cheap: openai, lowdb, secretlint, zod and diff are evaluated only when a task,
 * a connection test, the history or the agent view first needs them. The build emits this file as its own bundle,
 * dist/extension-core.cjs, so activation does not even parse it (see docs/benchmarks.md).
 */
export { AgentSession } from '../core/agent/session';
export { StoreRecorder } from '../core/agent/recorder';
export { testConnection } from '../core/provider/testConnection';
export { listModels } from '../core/provider/listModels';
export { withAttachedContext, contextLabel } from '../core/agent/attachedContext';
export { NodeToolHost } from '../core/tools/nodeToolHost';
export { WorkspaceFiles, textHash } from '../core/tools/workspaceFiles';
export { checkEditsStillStand } from '../core/agent/editCheck';
export { conversationOf, transcriptOf } from '../core/agent/resume';
export { restoreAndRecord } from '../core/agent/checkpoints';
export { saveCheckpoints, loadCheckpoints, deleteCheckpoints } from '../core/agent/checkpointFile';
export { TrajectoryStore } from '../core/trajectory/store';
export { parseExtensionMessage, parseWebviewMessage } from '../core/protocol/webview';
export { parseLearningMessage, checkLearningOutgoing } from '../core/protocol/learningView';
export { LearningSummary, buildLearningData, readKnowledgeForStats } from '../core/learning';
export { saveTranscript, loadTranscript } from '../core/protocol/savedTranscript';
export { redactForLog, redactValue, redactValueThorough } from '../core/redact/redact';
export {
  KnowledgeFileStore, FileKnowledgeProvider, learnFromEpisodes, reachedModel, DailyTokenBudget, openAiEmbedder, parseKnowledge, locateItems,
  liveItems, tombstones, allItems, acceptItem, editItemText, setPinned, moveItem, pruneItem, restoreItem, getItem, budgetMarks,
  applyBudgetMarks, selectForPrompt, serializeKnowledge, emptyDocument, compareForPrompt, WORKSPACE_KNOWLEDGE_PATH, MAX_ITEM_CHARS,
  ReviewStore, ReviewSet, itemFlags, needsReview, EmbeddingCache, itemTextHash, extractionRuntimeOf, EMBEDDED_PROVIDER_URL, extractionBatchKey, embeddedModelProblem,
} from '../core/knowledge';
export {
  TeamSession, StoredOnlyRuntime, joinTeam, parseJoinInput, tokenProblem, keyIdProblem, TeamError, buildSubmission, teamAnonymizer,
  planSubmission, queuedClientIds, MAX_STATEMENTS_PER_SUBMISSION, setShareConsent, applySubmissionResponse, applyTeamStatuses, readAudit, nextSendAt,
  readActiveAdapter, activateAdapter, markAbsorbed, tokensSavedByAbsorption, storedVersions, verifyManifestSignature,
} from '../core/team';
export { AdapterManifestSchema } from '../core/protocol/consolidation';
export { VllmRuntime } from '../core/runtimes/vllm';
export { OllamaRuntime } from '../core/runtimes/ollama';
export { LlamaServerRuntime } from '../core/runtimes/llamaServer';
export { LocalModel, PREEMPTED_MESSAGE } from '../core/provider/embedded/localModel';
export { EmbeddedAdapterRuntime } from '../core/provider/embedded/adapterRuntime';
export { RECOMMENDED_MODEL, downloadModelFile, ModelDownloadError } from '../core/provider/embedded/modelDownload';
