"""The restricted kernel: ipykernel's wrapper-kernel base, not IPython's shell.

Before each call it re-reads main.py from the work folder (when its content
changed), checks it with :func:`load_definitions`, and executes only the kept
definitions in a fresh module namespace. A cell may only call a designated
function with literal arguments; the call's output is captured at the
file-descriptor level and streamed to iopub, and its metrics are published
as display_data afterwards.
"""

from __future__ import annotations

import ast
import builtins
import codeop
import hashlib
import inspect
import linecache
import os
import platform
import re
import signal
import sys
import threading
import traceback
import types
from pathlib import Path
from typing import Any

from ipykernel.kernelbase import Kernel
from traitlets import Float, Int, List, Unicode, default

from . import (
    DEFAULT_DESIGNATED_FUNCTIONS,
    KERNEL_SPEC_NAME,
    METRICS_MIME_TYPE,
    __version__,
)
from .allow_list import EXTRA_IMPORTS_ENV, allowed_imports
from .calls import CallNotAllowed, allowed_calls_message, parse_call
from .capture import FdCapture
from .loader import MAX_SOURCE_BYTES, Violation, load_definitions
from .metrics import MetricsRecorder, summarize
from .schemas import kernel_error_names, warm_up

DESIGNATED_ENV = "JAXLAB_DESIGNATED_FUNCTIONS"
"""Environment variable naming the designated functions (comma separated)."""

WORKDIR_ENV = "JAXLAB_WORKDIR"
"""Environment variable naming the kernel's work folder (holds main.py)."""

MODULE_NAME = "jaxlab_main"
"""Module name the definitions of main.py are executed under."""

MAX_RESULT_CHARS = 64 * 1024
"""An execute_result's text/plain is cut to this many characters."""

# The enames of the kernel's own errors come from the failure table the
# gateway reads too (schemas/json/failure-messages.json).
_ENAMES = kernel_error_names()
LOAD_REJECTED = _ENAMES["loadRejected"]
LOAD_ERROR = _ENAMES["loadError"]
FUNCTION_NOT_DEFINED = _ENAMES["functionNotDefined"]
CALL_NOT_ALLOWED = _ENAMES["callNotAllowed"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_TRAILING_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_LEADING_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]*")


class _CellError(Exception):
    """A failure to report as an execute_reply error (not the user's code)."""

    def __init__(self, ename: str, evalue: str, lines: list[str] | None = None) -> None:
        super().__init__(evalue)
        self.ename = ename
        self.evalue = evalue
        self.lines = lines if lines is not None else [f"{ename}: {evalue}"]


class JaxLabKernel(Kernel):
    """Jupyter kernel that calls only designated functions of main.py."""

    implementation = KERNEL_SPEC_NAME
    implementation_version = __version__
    banner = (
        f"JAX TPU Lab restricted kernel {__version__}: main.py is loaded definitions-only;"
        " a cell may call a designated function, e.g. main()."
    )
    language_info = {
        "name": "python",
        "version": platform.python_version(),
        "mimetype": "text/x-python",
        "file_extension": ".py",
        "pygments_lexer": "ipython3",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "nbconvert_exporter": "python",
    }
    help_links = [
        {"text": "JAX documentation", "url": "https://docs.jax.dev/"},
    ]

    workdir = Unicode(
        help=f"Folder holding main.py and requirements.txt (env {WORKDIR_ENV};"
        " default: the current directory)."
    ).tag(config=True)

    main_file = Unicode("main.py", help="File name of the job's code inside workdir.").tag(
        config=True
    )

    designated_functions = List(
        Unicode(),
        help=f"Functions a cell may call (env {DESIGNATED_ENV}, comma separated;"
        " default: main, train_step).",
    ).tag(config=True)

    extra_imports = List(
        Unicode(),
        help=f"Modules main.py may import besides the defaults and requirements.txt"
        f" (env {EXTRA_IMPORTS_ENV}, comma separated).",
    ).tag(config=True)

    flush_interval_s = Float(
        0.02, help="Longest time captured output without a newline waits before it is sent."
    ).tag(config=True)

    max_stream_chars = Int(
        64 * 1024, help="Largest text of one stream message; floods are chunked."
    ).tag(config=True)

    @default("workdir")
    def _default_workdir(self) -> str:
        return os.environ.get(WORKDIR_ENV) or os.getcwd()

    @default("designated_functions")
    def _default_designated(self) -> list[str]:
        names = [n.strip() for n in os.environ.get(DESIGNATED_ENV, "").split(",")]
        names = [n for n in names if _IDENTIFIER.match(n)]
        return list(dict.fromkeys(names)) or list(DEFAULT_DESIGNATED_FUNCTIONS)

    @default("extra_imports")
    def _default_extra_imports(self) -> list[str]:
        return [n.strip() for n in os.environ.get(EXTRA_IMPORTS_ENV, "").split(",") if n.strip()]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_hash: str | None = None
        self._namespace: dict[str, Any] | None = None
        self._load_error: _CellError | None = None
        self._send_lock = threading.Lock()
        # Build the schema validators off the critical path of the first call.
        threading.Thread(target=warm_up, name="jaxlab-warm-up", daemon=True).start()

    # -- execute -------------------------------------------------------------

    async def do_execute(  # type: ignore[override]
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool = False,
        *,
        cell_meta: dict[str, Any] | None = None,
        cell_id: str | None = None,
    ) -> dict[str, Any]:
        try:
            request = parse_call(code, self.designated_functions)
            if request is None:
                return self._ok()
            function = self._designated_function(request.name)
        except CallNotAllowed as error:
            return self._error(_CellError(CALL_NOT_ALLOWED, str(error)))
        except _CellError as error:
            return self._error(error)
        return self._run(function, request.args, request.kwargs)

    def _run(self, function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        parent = self.get_parent()
        recorder = MetricsRecorder()

        def publish(name: str, text: str) -> None:
            recorder.feed(name, text)
            self._send_iopub("stream", {"name": name, "text": text}, parent)

        result: Any = None
        failure: BaseException | None = None
        try:
            with FdCapture(
                publish,
                flush_interval_s=self.flush_interval_s,
                max_chunk_chars=self.max_stream_chars,
            ):
                recorder.start()
                previous = signal.getsignal(signal.SIGINT)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                try:
                    result = function(*args, **kwargs)
                finally:
                    recorder.stop_clock()
                    signal.signal(signal.SIGINT, previous)
        except BaseException as error:
            failure = error
        finally:
            recorder.stop_clock()
        try:
            metrics = recorder.finish(result if failure is None else None)
            self._send_iopub(
                "display_data",
                {
                    "data": {METRICS_MIME_TYPE: metrics, "text/plain": summarize(metrics)},
                    "metadata": {},
                    "transient": {},
                },
                parent,
            )
        except Exception:
            self.log.exception("could not publish metrics")
        if failure is not None:
            return self._error(self._user_error(failure))
        if result is not None:
            self._send_iopub(
                "execute_result",
                {
                    "execution_count": self.execution_count,
                    "data": {"text/plain": _short_repr(result)},
                    "metadata": {},
                },
                parent,
            )
        return self._ok()

    def _ok(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "execution_count": self.execution_count,
            "payload": [],
            "user_expressions": {},
        }

    def _error(self, error: _CellError) -> dict[str, Any]:
        content = {"ename": error.ename, "evalue": error.evalue, "traceback": error.lines}
        self._send_iopub("error", content, self.get_parent())
        return {"status": "error", "execution_count": self.execution_count, **content}

    def _send_iopub(self, msg_type: str, content: dict[str, Any], parent: Any) -> None:
        # Reader threads publish too; one sender at a time keeps order and
        # keeps the session's signing state consistent.
        with self._send_lock:
            self.session.send(
                self.iopub_socket, msg_type, content, parent=parent, ident=self._topic(msg_type)
            )

    def _user_error(self, error: BaseException) -> _CellError:
        filename = str(self._main_path())
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != filename:
            tb = tb.tb_next
        try:
            lines = traceback.format_exception(type(error), error, tb)
        except Exception:
            lines = [f"{type(error).__name__}: {error}"]
        return _CellError(type(error).__name__, _safe_str(error), [ln.rstrip("\n") for ln in lines])

    # -- loading -------------------------------------------------------------

    def _main_path(self) -> Path:
        return Path(self.workdir) / self.main_file

    def _designated_function(self, name: str) -> Any:
        namespace = self._load()
        function = namespace.get(name)
        if not callable(function):
            raise _CellError(
                FUNCTION_NOT_DEFINED,
                f"main.py defines no {name}(). Define `def {name}(...):` in main.py and save it;"
                f" {allowed_calls_message(self.designated_functions)}",
            )
        return function

    def _read_main(self) -> bytes | None:
        path = self._main_path()
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise _CellError(LOAD_REJECTED, f"main.py cannot be read: {error.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            return handle.read(MAX_SOURCE_BYTES + 1)

    def _load(self) -> dict[str, Any]:
        """The namespace of main.py's definitions, reloaded when it changed."""
        data = self._read_main()
        digest = "missing" if data is None else hashlib.sha256(data).hexdigest()
        if digest != self._source_hash:
            self._source_hash = digest
            self._namespace, self._load_error = None, None
            try:
                self._namespace = self._build_namespace(data)
            except _CellError as error:
                self._load_error = error
        if self._load_error is not None:
            raise self._load_error
        assert self._namespace is not None
        return self._namespace

    def _build_namespace(self, data: bytes | None) -> dict[str, Any]:
        if data is None:
            return {}
        filename = str(self._main_path())
        source = data.decode("utf-8", "replace")
        result = load_definitions(
            source,
            allowed_imports=[*allowed_imports(self.workdir), *self.extra_imports],
            designated=self.designated_functions,
            filename=filename,
        )
        if not result.ok or result.module is None:
            raise _rejected(result.violations)
        module = types.ModuleType(MODULE_NAME, ast.get_docstring(result.module))
        module.__file__ = filename
        module.__builtins__ = builtins  # type: ignore[attr-defined]
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        sys.modules[MODULE_NAME] = module
        try:
            code = compile(result.module, filename, "exec", dont_inherit=True)
            with FdCapture(self._publish_load_output):
                exec(code, module.__dict__)
        except BaseException as error:
            failure = self._user_error(error)
            raise _CellError(
                LOAD_ERROR,
                f"loading main.py's definitions failed: {failure.ename}: {failure.evalue}",
                failure.lines,
            ) from None
        return module.__dict__

    def _publish_load_output(self, name: str, text: str) -> None:
        self._send_iopub("stream", {"name": name, "text": text}, self.get_parent())

    # -- introspection -------------------------------------------------------

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:  # type: ignore[override]
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        match = _TRAILING_IDENTIFIER.search(code[:cursor_pos])
        prefix = match.group(0) if match else ""
        matches = [n for n in self.designated_functions if n.startswith(prefix)]
        return {
            "status": "ok",
            "matches": matches,
            "cursor_start": cursor_pos - len(prefix),
            "cursor_end": cursor_pos,
            "metadata": {},
        }

    async def do_inspect(  # type: ignore[override]
        self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        before = _TRAILING_IDENTIFIER.search(code[:cursor_pos])
        after = _LEADING_IDENTIFIER.match(code[cursor_pos:])
        name = (before.group(0) if before else "") + (after.group(0) if after else "")
        if name not in self.designated_functions:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        try:
            function = self._designated_function(name)
            text = f"{name}{inspect.signature(function)}"
            doc = inspect.getdoc(function)
        except _CellError as error:
            text, doc = f"{name}()", error.evalue
        except (TypeError, ValueError):
            text, doc = f"{name}(...)", None
        if doc:
            text += f"\n\n{doc}"
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:  # type: ignore[override]
        try:
            compiled = codeop.compile_command(code, "<cell>", "exec")
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return {"status": "invalid"}
        if compiled is None:
            return {"status": "incomplete", "indent": ""}
        return {"status": "complete"}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:  # type: ignore[override]
        return {"status": "ok", "restart": restart}


def _rejected(violations: tuple[Violation, ...]) -> _CellError:
    first = violations[0] if violations else Violation(1, 1, "syntax-error", "rejected")
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    evalue = (
        f"main.py was rejected at line {first.line}, column {first.column}"
        f" [{first.rule}]: {first.message}{more}"
    )
    lines = [
        f"{LOAD_REJECTED}: main.py may hold only imports, definitions, literal constants and"
        " docstrings; fix these and save:",
        *(f"  main.py:{v.line}:{v.column}: [{v.rule}] {v.message}" for v in violations),
    ]
    return _CellError(LOAD_REJECTED, evalue, lines)


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + "..."
    return text
