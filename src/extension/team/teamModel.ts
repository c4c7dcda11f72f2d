/**
 * What the Team view shows, as plain data (no `vscode` import, unit-tested): the adapter here and on the server, the
 * kept versions, the rounds with live progress and gate verdicts, and the team's knowledge. teamView.ts turns each
 * {@link TeamNode} into a tree item. Every text from the server is cut to one safe line first: the server is not
 * trusted to format the user's view.
 */
import type { ActiveAdapter, AdapterListResponse, Consolidation, KnowledgeListResponse } from '../core';
import type { TeamRole } from './teamRole';

/** Everything the view knows after one poll. Absent parts were not fetched (yet) or failed; `error` says why. */
export interface TeamSnapshot {
  server: string;
  role: TeamRole | null;
  knowledge: KnowledgeListResponse | null;
  rounds: Consolidation[] | null;
  adapters: AdapterListResponse | null;
  /** The version active on this machine (active.json) and what the runtime answered. */
  active: ActiveAdapter | null;
  /** Whether the runtime in use now still serves the active version (a runtime or model change can stop it). */
  activeApplies: boolean;
  /** Versions verified and kept on this machine, ascending. */
  stored: number[];
  /** Prompt tokens per task the active adapter saves, and how many items it absorbed. */
  saved: { tokens: number; items: number } | null;
  /** The last refusal of an update (which check failed), shown until a later update succeeds. */
  refusal: string | null;
  error: string | null;
}

/** One row of the view. `contextValue` is matched by package.json's menus. */
export interface TeamNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id (`$(id)` without the wrapper); `spin` animates it. */
  icon: string;
  /** A theme colour id for the icon (e.g. `testing.iconPassed`). */
  color?: string;
  contextValue?: string;
  children?: TeamNode[];
  /** Opened expanded. */
  expanded?: boolean;
  /** Arguments for the node's inline actions: a team item id or a version. */
  itemId?: string;
  version?: number;
}

/** Server text made one printable line of at most `max` characters. */
export function plain(s: unknown, max = 120): string {
  const t = String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const TERMINAL = new Set(['released', 'failed_gate', 'failed', 'cancelled']);

/** Whether a round is still queued, preparing or training (the view polls faster then). */
export function isRunning(r: Pick<Consolidation, 'status'>): boolean {
  return !TERMINAL.has(r.status);
}

const fmtKl = (kl: number | null | undefined) => (typeof kl === 'number' && Number.isFinite(kl) ? kl.toFixed(4) : '–');

/** A round in one line: its status with live progress while it runs, its verdict when it ended. */
export function roundDescription(r: Consolidation): string {
  const p = r.progress;
  switch (r.status) {
    case 'queued': return 'queued';
    case 'preparing': return 'preparing prompts';
    case 'training': return `training · step ${p.step}/${p.total_steps} · KL ${fmtKl(p.kl)}`;
    case 'released': return `released v${r.adapter_version ?? '?'} · gate passed${r.gate?.kl_reduction != null ? ` (KL −${(r.gate.kl_reduction * 100).toFixed(1)}%)` : ''}`;
    case 'failed_gate': return `not released · gate failed${r.gate?.reasons[0] ? `: ${plain(r.gate.reasons[0], 80)}` : ''}`;
    case 'failed': return `failed${r.message ? `: ${plain(r.message, 80)}` : ''}`;
    case 'cancelled': return 'cancelled';
  }
}

function roundNode(r: Consolidation): TeamNode {
  const running = isRunning(r);
  const icon = running ? 'sync~spin' : r.status === 'released' ? 'pass' : r.status === 'cancelled' ? 'circle-slash' : 'error';
  const color = running ? undefined : r.status === 'released' ? 'testing.iconPassed' : r.status === 'cancelled' ? undefined : 'testing.iconFailed';
  const gate = r.gate;
  const gateLines = gate ? [
    `Gate: ${gate.passed ? 'passed' : 'failed'}`,
    `Held-out KL ${fmtKl(gate.heldout_kl_before)} → ${fmtKl(gate.heldout_kl_after)} (must fall by ≥ ${(gate.min_kl_reduction * 100).toFixed(0)}%)`,
    `OOD KL ${fmtKl(gate.ood_kl_new_vs_prev)} (≤ ${gate.max_ood_kl})`,
    ...gate.reasons.map((x) => `• ${plain(x, 200)}`),
  ] : [];
  const tooltip = [
    `Round ${plain(r.id, 40)} (${r.status})`,
    `${r.knowledge_ids.length} item(s), from ${r.parent_version ? `v${r.parent_version}` : 'the base model'}`,
    `Step ${r.progress.step}/${r.progress.total_steps}, KL ${fmtKl(r.progress.kl)}`,
    ...gateLines,
    ...(r.message ? [plain(r.message, 300)] : []),
  ].join('\n');
  return { id: `round:${r.id}`, label: `Round ${plain(r.id, 12)}`, description: roundDescription(r), tooltip, icon, color, contextValue: `oel.team.round.${r.status}` };
}

function versionNodes(s: TeamSnapshot, admin: boolean): TeamNode[] {
  const current = s.adapters?.current ?? null;
  const listed = new Set((s.adapters?.adapters ?? []).map((a) => a.version));
  const versions = [...new Set([...listed, ...s.stored])].sort((a, b) => b - a);
  return versions.map((v) => {
    const parts: string[] = [];
    if (v === current) parts.push('current on server');
    if (s.active?.version === v) parts.push(s.active.taken && s.activeApplies ? 'active here' : 'active here (stored only)');
    else if (s.stored.includes(v)) parts.push('kept here');
    if (!listed.has(v) && s.adapters) parts.push('no longer on server');
    const meta = s.adapters?.adapters.find((a) => a.version === v);
    return {
      id: `version:${v}`, label: `v${v}`, description: parts.join(' · '),
      tooltip: meta ? `Version ${v}, from ${meta.parent_version ? `v${meta.parent_version}` : 'the base model'}, round ${plain(meta.round_id, 40)}, released ${plain(meta.created_at, 40)}` : `Version ${v}`,
      icon: s.active?.version === v ? 'circle-filled' : 'circle-outline',
      ...(v === current ? { color: 'charts.blue' } : {}),
      // Admins may make any version the server lists current, except the one that already is.
      contextValue: `oel.team.version${admin && listed.has(v) && v !== current ? '.settable' : ''}`,
      version: v,
    };
  });
}

/** The "Adapter" section: what is active here (the read-only "setting"), what the server calls current, the savings. */
function adapterNode(s: TeamSnapshot, admin: boolean): TeamNode {
  const current = s.adapters?.current ?? null;
  const a = s.active;
  const taken = !!a && a.taken && s.activeApplies;
  const rows: TeamNode[] = [
    a ? {
      id: 'adapter:active', label: 'Active here', description: `v${a.version} · ${taken ? `taken by ${plain(a.target, 30)}` : `stored only (${plain(a.target, 30)})`}`,
      tooltip: `${plain(a.message, 400)}\nBase model: ${plain(a.base_model_id, 120)}\nActivated ${plain(a.activated_at, 40)}`,
      icon: taken ? 'check' : 'archive', contextValue: 'oel.team.active',
    } : { id: 'adapter:active', label: 'Active here', description: 'none (base model)', icon: 'circle-slash', contextValue: 'oel.team.active' },
    {
      id: 'adapter:current', label: 'Current on server', description: current === null ? 'none released yet' : `v${current}${a?.version === current ? '' : ' · not active here: Update Adapter'}`,
      icon: 'cloud', contextValue: 'oel.team.current',
    },
    {
      // A short label, so the number stays visible in a narrow side bar.
      id: 'adapter:saved', label: 'Saved per task',
      description: taken && s.saved ? `${s.saved.tokens} prompt tokens · ${s.saved.items} absorbed item${s.saved.items === 1 ? '' : 's'}` : '0 prompt tokens (no adapter taken by a model runtime)',
      tooltip: 'Knowledge the active adapter absorbed no longer goes into the agent\'s prompt. Each task records this number in its episode.',
      icon: 'dashboard',
    },
  ];
  if (s.refusal) rows.push({ id: 'adapter:refusal', label: 'Last update refused', description: plain(s.refusal, 200), tooltip: plain(s.refusal, 600), icon: 'warning', color: 'problemsWarningIcon.foreground' });
  return {
    id: 'section:adapter', label: 'Adapter', icon: 'package', expanded: true,
    children: [...rows, { id: 'section:versions', label: 'Versions', icon: 'versions', expanded: true, children: versionNodes(s, admin), description: `${s.stored.length} kept here` }],
    contextValue: 'oel.team.section.adapter',
  };
}

function knowledgeNode(s: TeamSnapshot, admin: boolean): TeamNode {
  const items = s.knowledge?.items ?? [];
  const order = { waiting: 0, admitted: 1, rejected: 2 } as const;
  const sorted = [...items].sort((a, b) => order[a.status] - order[b.status] || b.last_seen.localeCompare(a.last_seen));
  return {
    id: 'section:knowledge', label: 'Team knowledge', icon: 'library', expanded: true,
    description: s.knowledge ? `${items.filter((i) => i.status === 'admitted').length} admitted · k = ${s.knowledge.k}` : '',
    contextValue: 'oel.team.section.knowledge',
    children: sorted.map((i) => ({
      id: `item:${i.id}`, label: plain(i.text, 80),
      description: `${i.status}${i.members ? ` · ${i.members} member${i.members === 1 ? '' : 's'}` : ''}${i.decided_by_admin ? ' · by admin' : ''}${i.flags.length ? ` · ${i.flags.map((f) => plain(f.kind, 20)).join(', ')}` : ''}`,
      tooltip: `${plain(i.text, 2000)}\n\n${i.status} · team id ${plain(i.id, 60)}${i.flags.map((f) => `\n⚠ ${plain(f.reason, 200)}`).join('')}`,
      icon: i.status === 'admitted' ? 'pass' : i.status === 'rejected' ? 'circle-slash' : 'clock',
      ...(i.status === 'admitted' ? { color: 'testing.iconPassed' } : {}),
      contextValue: `oel.team.item.${i.status}${admin ? '.admin' : ''}`,
      itemId: i.id,
    })),
  };
}

/** The whole tree for one snapshot. */
export function teamTree(s: TeamSnapshot): TeamNode[] {
  const admin = s.role === 'admin';
  const rounds = s.rounds ?? [];
  const nodes: TeamNode[] = [];
  if (s.error) nodes.push({ id: 'error', label: 'Cannot reach the team server', description: plain(s.error, 200), tooltip: plain(s.error, 600), icon: 'error', color: 'errorForeground' });
  nodes.push(
    adapterNode(s, admin),
    {
      id: 'section:rounds', label: 'Rounds', icon: 'history', expanded: true, contextValue: 'oel.team.section.rounds',
      description: rounds.some(isRunning) ? 'a round is running' : `${rounds.length}`,
      children: rounds.slice(0, 20).map(roundNode),
    },
    knowledgeNode(s, admin),
  );
  return nodes;
}

/** The message for a new current version seen on the server (null when nothing new was released). */
export function releaseNotice(before: number | null | undefined, after: number | null): string | null {
  if (after === null || before === undefined || after === before) return null;
  return before !== null && after < before
    ? `The team server made adapter version ${after} current again (it was ${before}).`
    : `The team released adapter version ${after}.`;
}
