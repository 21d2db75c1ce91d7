import type { CodeEditorWrapper } from '@jupyterlab/codeeditor';

/**
 * Makes Ctrl/Cmd+Z undo and Ctrl/Cmd+Shift+Z (or Ctrl+Y) redo in `wrapper`'s
 * editor, pastes included, as they do in JupyterLab's file editor. There,
 * the keys reach the editor's shared-model undo manager through the Edit
 * menu's undoers, which know only JupyterLab's own document widgets; a
 * project panel's editor would otherwise ignore them. Returns the function
 * that unbinds them.
 */
export function bindUndoKeys(wrapper: CodeEditorWrapper): () => void {
  const onKeydown = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    const redo =
      (key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey);
    const undo = key === 'z' && !event.shiftKey;
    if (!undo && !redo) return;
    event.preventDefault();
    event.stopPropagation();
    if (undo) wrapper.editor.undo();
    else wrapper.editor.redo();
  };
  wrapper.node.addEventListener('keydown', onKeydown, true);
  return () => wrapper.node.removeEventListener('keydown', onKeydown, true);
}
