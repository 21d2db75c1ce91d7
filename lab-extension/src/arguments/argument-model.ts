import type {
  FunctionParameter,
  FunctionSignature,
  LiteralArgs
} from '@jaxlab/schemas/contract';
import { pythonCall } from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';
import { parsePythonLiteral } from './python-literal.js';

/** Models not yet disposed, which follow each other's typed values. */
const openModels = new Set<ArgumentModel>();

/** The call the form makes, or why it cannot. */
export type FormCall =
  | { ok: true; entrypoint: string; args: LiteralArgs; text: string }
  | { ok: false; errors: Record<string, string>; text: string };

/** Parameters a run can set: by keyword. */
export function isSettable(param: FunctionParameter): boolean {
  return (
    param.kind === 'positional-or-keyword' || param.kind === 'keyword-only'
  );
}

/**
 * The argument form's state for one project: the designated functions'
 * signatures (read by the server from main.py), the function chosen, the
 * literal the user typed per parameter (empty: its default) and the call
 * they make. Typed values are kept per project and function in
 * `storage`, so a reload keeps them.
 */
export class ArgumentModel {
  constructor(options: ArgumentModel.IOptions) {
    this._client = options.client;
    this._projectId = options.projectId;
    this._designated = options.designated;
    this._storage = options.storage ?? null;
    this._entrypoint = this._designated[0] ?? 'main';
    this._values = this._load();
    openModels.add(this);
  }

  /** Emitted when signatures, the function or a value change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The designated functions as main.py declares them. */
  get functions(): readonly FunctionSignature[] {
    return this._functions;
  }

  /** Why the signatures could not be read ('' when they could). */
  get error(): string {
    return this._error;
  }

  /** The function a run calls. */
  get entrypoint(): string {
    return this._entrypoint;
  }

  set entrypoint(name: string) {
    if (name === this._entrypoint) return;
    this._entrypoint = name;
    this._values = this._load();
    this._changed.emit();
  }

  /** The chosen function's signature, if main.py defines it. */
  get signature(): FunctionSignature | undefined {
    return this._functions.find(f => f.name === this._entrypoint);
  }

  /** What the user typed for `param` ('' : its default). */
  value(param: string): string {
    return this._values[param] ?? '';
  }

  setValue(param: string, text: string): void {
    if (text === this.value(param)) return;
    if (text.trim()) this._values[param] = text;
    else delete this._values[param];
    this._save();
    this._changed.emit();
  }

  /** Reads the signatures of `code` again (after main.py changed). */
  async refresh(code: string): Promise<void> {
    try {
      const answer = await this._client().readSignatures({
        code,
        designatedFunctions: [...this._designated]
      });
      this._functions = answer.functions;
      this._error = answer.syntaxError
        ? `main.py line ${answer.syntaxError.line}: ${answer.syntaxError.message}`
        : '';
    } catch (error) {
      this._error = (error as Error).message;
    }
    this._changed.emit();
  }

  /**
   * The call as the form stands: the chosen function with every parameter
   * the user set, as a literal; refused when a value is not a literal, a
   * required parameter is empty, or a value was typed for a parameter
   * main.py no longer has.
   */
  call(): FormCall {
    const errors: Record<string, string> = {};
    const args: LiteralArgs = {};
    const params = this.signature?.params ?? [];
    for (const param of params.filter(isSettable)) {
      const text = this.value(param.name).trim();
      if (!text) {
        if (param.required) errors[param.name] = 'required: it has no default';
        continue;
      }
      const parsed = parsePythonLiteral(text);
      if (parsed.ok) args[param.name] = parsed.value;
      else errors[param.name] = parsed.error;
    }
    const text = pythonCall(this._entrypoint, args);
    if (this.signature && !this.signature.defined) {
      errors[''] = `main.py defines no ${this._entrypoint}()`;
    }
    return Object.keys(errors).length
      ? { ok: false, errors, text }
      : { ok: true, entrypoint: this._entrypoint, args, text };
  }

  /** Stops; idempotent. */
  dispose(): void {
    openModels.delete(this);
    Signal.clearData(this);
  }

  private _key(): string {
    return `jaxlab:args:${this._projectId}:${this._entrypoint}`;
  }

  private _load(): Record<string, string> {
    try {
      const saved = JSON.parse(this._storage?.getItem(this._key()) ?? '{}');
      return saved && typeof saved === 'object' ? saved : {};
    } catch {
      return {};
    }
  }

  private _save(): void {
    try {
      this._storage?.setItem(this._key(), JSON.stringify(this._values));
    } catch {
      // Storage full or off: the values last for this page only.
    }
    // Another form of the same project and function (the run settings and
    // a sweep form open beside them) shows what was just typed.
    for (const other of openModels) {
      if (other === this || other._key() !== this._key()) continue;
      other._values = { ...this._values };
      other._changed.emit();
    }
  }

  private _client: () => ApiClient;
  private _projectId: string;
  private _designated: readonly string[];
  private _storage: Storage | null;
  private _entrypoint: string;
  private _functions: FunctionSignature[] = [];
  private _error = '';
  private _values: Record<string, string>;
  private _changed = new Signal<this, void>(this);
}

/** Statics of {@link ArgumentModel}. */
export namespace ArgumentModel {
  export interface IOptions {
    client: () => ApiClient;
    projectId: string;
    /** The project's designated functions. */
    designated: readonly string[];
    /** Where typed values are kept (the browser's localStorage). */
    storage?: Storage | null;
  }
}
