import { JaxLabError } from './errors.js';
import type { ProjectFile, ProjectFileRule } from './generated/types.js';

/**
 * Limits of a project's files, the same wherever they are checked (the
 * server on every save and submission, the gateway before it writes a
 * kernel's folder, the lab before it asks). They keep a project within
 * what the restricted kernel reads (64 Python files, 4 folders deep) and a
 * job's body within the server's 2 MiB.
 */
export const PROJECT_FILE_LIMITS = Object.freeze({
  /** Files in all, main.py, README.md and requirements.txt included. */
  maxFiles: 64,
  /** UTF-8 bytes of one file. */
  maxFileBytes: 1_000_000,
  /** UTF-8 bytes of all files together. */
  maxProjectBytes: 1_500_000,
  /** Folders above a file (`a/b/c/d/x.py` is the deepest). */
  maxFolders: 4,
  /** Characters of a path. */
  maxPathChars: 200,
  /** Characters of one folder or file name. */
  maxNameChars: 64
});

/** Endings a project file may have (without the dot). */
export const PROJECT_FILE_EXTENSIONS: readonly string[] = Object.freeze([
  'py',
  'md',
  'txt',
  'json',
  'yaml',
  'yml',
  'toml',
  'cfg',
  'ini',
  'csv',
  'tsv'
]);

/**
 * The files every project has, by path, and the Project field that holds
 * each. They cannot be renamed or deleted, and are never among `files`.
 */
export const PROJECT_OWN_FILES = Object.freeze({
  'main.py': 'mainPy',
  'README.md': 'readme',
  'requirements.txt': 'requirements'
} as const);

/** Path of one of {@link PROJECT_OWN_FILES}. */
export type ProjectOwnFilePath = keyof typeof PROJECT_OWN_FILES;

/** Folders the kernel keeps for itself (outputs are collected from `outputs/`). */
const KERNEL_FOLDERS = new Set(['outputs', '__pycache__', 'node_modules']);

/** Files Python itself imports at start when it finds them on its path. */
const STARTUP_FILES = new Set(['sitecustomize.py', 'usercustomize.py']);

const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A rule a file breaks, in the user's words. */
export interface IProjectFileProblem {
  rule: ProjectFileRule;
  message: string;
}

/** Whether `path` is one of {@link PROJECT_OWN_FILES}. */
export function isProjectOwnFile(path: string): path is ProjectOwnFilePath {
  return Object.hasOwn(PROJECT_OWN_FILES, path);
}

/**
 * What is wrong with `path` as the path of one of a project's other files
 * (not main.py, README.md or requirements.txt), or null when nothing is.
 * Accepts exactly what the ProjectFilePath schema's pattern accepts.
 *
 * @example
 * ```ts
 * projectFilePathProblem('utils/data.py'); // null
 * projectFilePathProblem('../x.py')?.rule; // 'parent'
 * ```
 */
export function projectFilePathProblem(
  path: string
): IProjectFileProblem | null {
  const limits = PROJECT_FILE_LIMITS;
  if (path === '') return { rule: 'empty', message: 'The file has no name' };
  const shown = JSON.stringify(path.slice(0, 100));
  if (path.startsWith('/'))
    return {
      rule: 'absolute',
      message: `${shown} is an absolute path; project files are relative to the project folder`
    };
  if (path.length > limits.maxPathChars)
    return {
      rule: 'too-long',
      message: `${shown}… is longer than ${limits.maxPathChars} characters`
    };
  const names = path.split('/');
  const file = names.pop()!;
  for (const name of [...names, file]) {
    if (name === '.' || name === '..')
      return {
        rule: 'parent',
        message: `${shown} has a '${name}' folder; name the file by its place in the project`
      };
    if (name.startsWith('.'))
      return {
        rule: 'hidden',
        message: `${shown}: names starting with '.' are hidden files, which a project cannot hold`
      };
    if (name.length > limits.maxNameChars)
      return {
        rule: 'too-long',
        message: `${shown}: the name '${name.slice(0, 20)}…' is longer than ${limits.maxNameChars} characters`
      };
  }
  const badFolder = names.find(name => !FOLDER_NAME.test(name));
  if (badFolder !== undefined)
    return {
      rule: 'characters',
      message: `${shown}: the folder name '${badFolder}' may hold only letters, digits, _ and -`
    };
  if (!FILE_NAME.test(file))
    return {
      rule: 'characters',
      message: `${shown}: the file name may hold only letters, digits, _, - and dots`
    };
  if (names.length > limits.maxFolders)
    return {
      rule: 'too-deep',
      message: `${shown} is ${names.length} folders deep; a project file may be at most ${limits.maxFolders}`
    };
  const dot = file.lastIndexOf('.');
  const extension = dot > 0 ? file.slice(dot + 1) : '';
  if (!PROJECT_FILE_EXTENSIONS.includes(extension))
    return {
      rule: 'extension',
      message: `${shown} is not a ${PROJECT_FILE_EXTENSIONS.map(e => `.${e}`).join(', ')} file`
    };
  if (isProjectOwnFile(path))
    return {
      rule: 'reserved',
      message: `${path} is one of the project's own files; write it as such, not as another file`
    };
  if (names.length > 0 && KERNEL_FOLDERS.has(names[0]))
    return {
      rule: 'reserved',
      message: `${shown}: the folder ${names[0]}/ is the kernel's own`
    };
  if (names.length === 0 && STARTUP_FILES.has(file))
    return {
      rule: 'reserved',
      message: `${file} would run when Python starts; give the module another name`
    };
  return null;
}

/**
 * Checks the path of one of a project's other files.
 *
 * @throws JaxLabError `PROJECT_FILE_REJECTED` with `details {path, rule}`.
 */
export function checkProjectFilePath(path: string): void {
  const problem = projectFilePathProblem(path);
  if (problem) throw rejection(path, problem);
}

/** The text of a project's own files, as far as the caller has them. */
export interface IProjectOwnTexts {
  mainPy?: string;
  readme?: string;
  requirements?: string;
}

/**
 * Checks a whole project's files: each other file's path and size, no path
 * twice, the number of files and their bytes in all (the own files' texts
 * included).
 *
 * @throws JaxLabError `PROJECT_FILE_REJECTED` with `details {path, rule}`
 *   for the first file that breaks a rule.
 */
export function checkProjectFiles(
  files: readonly ProjectFile[],
  own: IProjectOwnTexts = {}
): void {
  const limits = PROJECT_FILE_LIMITS;
  const seen = new Set<string>();
  let total = 0;
  for (const [path, text] of [
    ['main.py', own.mainPy],
    ['README.md', own.readme],
    ['requirements.txt', own.requirements]
  ] as const) {
    if (text !== undefined) total += checkFileSize(path, text);
  }
  for (const file of files) {
    checkProjectFilePath(file.path);
    if (seen.has(file.path))
      throw rejection(file.path, {
        rule: 'duplicate',
        message: `The project has ${file.path} twice`
      });
    seen.add(file.path);
    total += checkFileSize(file.path, file.content);
  }
  const count = files.length + Object.keys(PROJECT_OWN_FILES).length;
  if (count > limits.maxFiles)
    throw rejection(files[files.length - 1].path, {
      rule: 'too-many-files',
      message: `The project would hold ${count} files; at most ${limits.maxFiles} (main.py, README.md and requirements.txt included)`
    });
  if (total > limits.maxProjectBytes)
    throw rejection(files[files.length - 1]?.path ?? 'main.py', {
      rule: 'project-too-large',
      message: `The project's files would hold ${total} bytes in all; at most ${limits.maxProjectBytes}`
    });
}

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

function checkFileSize(path: string, text: string): number {
  const bytes = utf8Bytes(text);
  if (bytes > PROJECT_FILE_LIMITS.maxFileBytes)
    throw rejection(path, {
      rule: 'file-too-large',
      message: `${path} is ${bytes} bytes; a file may hold at most ${PROJECT_FILE_LIMITS.maxFileBytes}`
    });
  return bytes;
}

function rejection(path: string, problem: IProjectFileProblem): JaxLabError {
  return new JaxLabError('PROJECT_FILE_REJECTED', problem.message, {
    details: { path: path.slice(0, 200), rule: problem.rule }
  });
}
