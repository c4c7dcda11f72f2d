/**
 * The model picker under the task box: the configured model on a button; opened, the models the server lists
 * (asked for each time it opens, so a model pulled meanwhile shows up). Picking one writes the user setting.
 */
import type { ViewState } from './state';
import { actionLink, el, icon } from './dom';

/** What the picker needs from the view. */
export interface PickerHooks {
  list(): void;
  pick(model: string): void;
  openSettings(): void;
  /** The embedded runtime runs the agent: its settings (the GGUF path) instead of a server's list. */
  openLocalSettings(): void;
}

/** The picker's button and its menu, redrawn from the state. */
export class ModelPicker {
  readonly button: HTMLButtonElement;
  readonly menu: HTMLElement;
  private open = false;

  constructor(private readonly hooks: PickerHooks) {
    this.button = el('button', { class: 'model-picker', 'data-testid': 'model-picker', type: 'button', 'aria-haspopup': 'listbox', 'aria-expanded': 'false' });
    this.button.addEventListener('click', () => this.toggle());
    this.menu = el('div', { class: 'model-menu', 'data-testid': 'model-menu', role: 'listbox', 'aria-label': 'Models' });
    this.menu.hidden = true;
  }

  /** Set by render: the embedded runtime runs the agent, so there is no server to list models from. */
  private local = false;

  private toggle(): void {
    if (this.local) { this.hooks.openLocalSettings(); return; }
    this.open = !this.open;
    if (this.open) this.hooks.list();
    this.button.setAttribute('aria-expanded', String(this.open));
    this.menu.hidden = !this.open;
  }

  /** Draws the current model and, when open, the listed ones. `loading`: the list asked for has not come yet. */
  render(state: ViewState, loading: boolean): void {
    this.local = !!state.local;
    if (state.local) {
      // The local GGUF, not a server's list: llama.cpp runs the one file the user set.
      if (this.open) { this.open = false; this.menu.hidden = true; this.button.setAttribute('aria-expanded', 'false'); }
      this.button.replaceChildren(icon('chip'), el('span', { class: 'model-name' }, state.local.file), el('span', { class: 'model-kind' }, 'local'));
      this.button.title = `Local (llama.cpp): ${state.local.file}. Click to set another GGUF file.`;
      this.button.setAttribute('aria-haspopup', 'false');
      return;
    }
    this.button.setAttribute('aria-haspopup', 'listbox');
    this.button.replaceChildren(icon('hubot'), el('span', { class: 'model-name' }, state.model || 'Choose a model'), icon('chevron-down'));
    this.button.title = state.model ? `Model: ${state.model}. Click to choose another.` : 'No model is configured. Click to choose one.';
    if (!this.open) return;
    this.menu.replaceChildren();
    if (loading) { this.menu.append(el('div', { class: 'model-note' }, icon('loading~spin'), el('span', {}, 'Listing the server\'s models…'))); return; }
    if (state.modelsError) {
      this.menu.append(el('div', { class: 'model-note error', 'data-testid': 'model-error' }, icon('error'), el('span', {}, state.modelsError), actionLink('Open Settings', () => this.hooks.openSettings())));
      return;
    }
    if (!state.models?.length) { this.menu.append(el('div', { class: 'model-note' }, 'The server lists no models.')); return; }
    for (const id of state.models) {
      const current = id === state.model;
      const option = el('button', { class: `model-option${current ? ' current' : ''}`, 'data-testid': 'model-option', type: 'button', role: 'option', 'aria-selected': String(current) },
        icon(current ? 'check' : 'blank'), el('span', {}, id));
      option.addEventListener('click', () => { this.hooks.pick(id); this.toggle(); });
      this.menu.append(option);
    }
  }
}
