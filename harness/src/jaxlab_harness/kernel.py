"""The restricted kernel: ipykernel's wrapper-kernel base, not IPython's shell.

Before each call it re-reads the project's Python files from the work folder
and, when one changed, checks them (:class:`~.program.Program`; nothing runs).
Just before the first call of a version it applies the configuration
prologue and runs main.py's kept statements; the call's output (that of the
top level included) is captured at the file-descriptor level and streamed to
iopub, and its metrics are published as display_data afterwards. A cell may
only call a designated function with literal arguments.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Any

from . import METRICS_MIME_TYPE, STEP_METRICS_MIME_TYPE
from .absl_calls import FlagCallError, absl_arguments
from .allow_list import allowed_imports
from .calls import CallNotAllowed, allowed_calls_message, parse_call
from .capture import FdCapture
from .cell_errors import (
    CALL_NOT_ALLOWED,
    DEVICE_UNAVAILABLE,
    FUNCTION_NOT_DEFINED,
    LOAD_ERROR,
    LOAD_REJECTED,
    CellError,
    rejected_error,
    user_error,
)
from .devices import DeviceUnavailable, add_requirements_env, check_devices
from .file_cells import FileCell, FileCellRefused, parse_file_cell, write_file_cell
from .interrupts import redeliver_swallowed_interrupts
from .kernel_config import KernelConfig, call_options
from .kernel_introspection import complete_reply, is_complete_reply, name_at, signature_text
from .metrics import MetricsRecorder, summarize
from .profiling import ProfileTrace
from .program import Program, ProjectTooLarge, digest_of, read_project_files
from .project import MAIN_FILE
from .schemas import warm_up
from .step_lines import StepLineScanner
from .step_metrics import StepLogger, active, summary_text

__all__ = [
    "CALL_NOT_ALLOWED",
    "DEVICE_UNAVAILABLE",
    "FUNCTION_NOT_DEFINED",
    "LOAD_ERROR",
    "LOAD_REJECTED",
    "JaxLabKernel",
]

MAX_RESULT_CHARS = 64 * 1024
"""An execute_result's text/plain is cut to this many characters."""

IOPUB_WINDOW = 8
"""iopub messages handed to ipykernel's IOPub thread but not yet sent. The
thread's queue is unbounded; waiting for room here passes the socket's
back-pressure on to whoever publishes (the capture's reader threads)."""


class JaxLabKernel(KernelConfig):
    """Jupyter kernel that calls only designated functions of main.py."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._digest: str | None = None
        self._program: Program | None = None
        self._load_error: CellError | None = None
        self._send_lock = threading.Lock()
        self._iopub_window = threading.BoundedSemaphore(IOPUB_WINDOW)
        self._devices_checked = False
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
        options = call_options(self.get_parent())
        if options["designated"]:
            self.designated_functions = options["designated"]
        try:
            file_cell = parse_file_cell(code)
            if file_cell is not None:
                return self._write_file(file_cell)
            request = parse_call(code, self.designated_functions)
            if request is None:
                return self._ok()
            self._check_devices()
            program = self._program_defining(request.name)
        except (CallNotAllowed, FileCellRefused) as error:
            return self._error(CellError(CALL_NOT_ALLOWED, str(error)))
        except CellError as error:
            return self._error(error)
        return self._run(
            program, request.name, request.args, request.kwargs, profile=options["profile"]
        )

    def _run(
        self,
        program: Program,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        profile: bool = False,
    ) -> dict[str, Any]:
        parent = self.get_parent()
        recorder = MetricsRecorder(cache_dir=os.environ.get("JAX_COMPILATION_CACHE_DIR"))
        steps = self._step_logger(parent)
        lines = StepLineScanner(steps.log_parsed, enabled=lambda: not steps.api_used)

        def publish(stream: str, text: str) -> None:
            recorder.feed(stream, text)
            lines.feed(stream, text)
            self._send_iopub("stream", {"name": stream, "text": text}, parent)

        result: Any = None
        failure: BaseException | CellError | None = None
        try:
            with FdCapture(
                publish,
                flush_interval_s=self.flush_interval_s,
                max_chunk_chars=self.max_stream_chars,
            ):
                previous = signal.getsignal(signal.SIGINT)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                try:
                    with redeliver_swallowed_interrupts():
                        function = self._start(program, name, recorder)
                        call = absl_arguments(function, args, kwargs, program.module_names)
                        if call is not None:
                            args, kwargs = call
                        tracing = (
                            ProfileTrace(self.workdir) if profile else contextlib.nullcontext()
                        )
                        with active(steps), tracing:
                            result = function(*args, **kwargs)
                finally:
                    recorder.stop_clock()
                    signal.signal(signal.SIGINT, previous)
        except SystemExit as error:
            if error.code not in (None, 0):
                failure = error
        except BaseException as error:
            failure = error
        finally:
            recorder.stop_clock()
        lines.finish()
        steps.close()
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
        if isinstance(failure, CellError):
            return self._error(failure)
        if isinstance(failure, FlagCallError):
            return self._error(CellError(CALL_NOT_ALLOWED, str(failure)))
        if failure is not None:
            return self._error(user_error(failure, program.paths))
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

    def _start(self, program: Program, name: str, recorder: MetricsRecorder) -> Any:
        """Runs the project's top level (first call of this version only:
        prologue, then main.py's kept statements in source order) and
        returns the designated function."""
        if not program.executed:
            try:
                program.execute(warn=_warn, before_top_level=recorder.start)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                failure = user_error(error, program.paths)
                raise CellError(
                    LOAD_ERROR,
                    f"running the top level of the project failed: {failure.ename}:"
                    f" {failure.evalue}",
                    failure.lines,
                ) from None
        else:
            recorder.start()
        function = program.execute().get(name)
        if not callable(function):
            raise CellError(FUNCTION_NOT_DEFINED, self._not_defined(name))
        return function

    def _write_file(self, cell: FileCell) -> dict[str, Any]:
        try:
            said = write_file_cell(self.workdir, cell)
        except OSError as error:
            return self._error(
                CellError(CALL_NOT_ALLOWED, f"{cell.path} cannot be written: {error.strerror}")
            )
        self._send_iopub("stream", {"name": "stdout", "text": said + "\n"}, self.get_parent())
        return self._ok()

    def _step_logger(self, parent: Any) -> StepLogger:
        """A logger publishing the call's step metrics as one display that
        updates in place (a notebook shows the latest batch on one line)."""
        display_id = f"jaxlab-steps-{self.execution_count}-{id(parent)}"
        shown = False

        def publish(document: dict[str, Any]) -> None:
            nonlocal shown
            content = {
                "data": {STEP_METRICS_MIME_TYPE: document, "text/plain": summary_text(document)},
                "metadata": {},
                "transient": {"display_id": display_id},
            }
            self._send_iopub("update_display_data" if shown else "display_data", content, parent)
            shown = True

        def warn(text: str) -> None:
            self._send_iopub("stream", {"name": "stderr", "text": text + "\n"}, parent)

        return StepLogger(publish, warn=warn)

    def _ok(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "execution_count": self.execution_count,
            "payload": [],
            "user_expressions": {},
        }

    def _error(self, error: CellError) -> dict[str, Any]:
        content = {"ename": error.ename, "evalue": error.evalue, "traceback": error.lines}
        self._send_iopub("error", content, self.get_parent())
        return {"status": "error", "execution_count": self.execution_count, **content}

    def _send_iopub(self, msg_type: str, content: dict[str, Any], parent: Any) -> None:
        # Reader threads publish too; one sender at a time keeps order and
        # keeps the session's signing state consistent.
        self._iopub_window.acquire()
        try:
            with self._send_lock:
                self.session.send(
                    self.iopub_socket, msg_type, content, parent=parent, ident=self._topic(msg_type)
                )
        finally:
            # Runs on the IOPub thread after the send above: the slot frees
            # only once the message has left (or the socket had room).
            thread = self.iopub_thread
            if thread is not None:
                thread.schedule(self._iopub_window.release)
            else:
                self._iopub_window.release()

    def _check_devices(self) -> None:
        """Before any of the project runs: JAX must see the job's platform.

        Only then does the job's requirements environment join ``sys.path``:
        JAX has found its plugins by now, so nothing installed for the job
        can replace the host's jax, jaxlib or their plugins.
        """
        if self._devices_checked:
            return
        try:
            check_devices()
        except DeviceUnavailable as error:
            raise CellError(DEVICE_UNAVAILABLE, str(error)) from None
        add_requirements_env()
        self._devices_checked = True

    # -- loading -------------------------------------------------------------

    def _program_defining(self, name: str) -> Program:
        program = self._load()
        if program is None or not program.defines(name):
            raise CellError(FUNCTION_NOT_DEFINED, self._not_defined(name))
        return program

    def _not_defined(self, name: str) -> str:
        return (
            f"main.py defines no {name}(). Define `def {name}(...):` in main.py and save it"
            " (Make it runnable moves the top-level work of a script into a generated main());"
            f" {allowed_calls_message(self.designated_functions)}"
        )

    def _load(self) -> Program | None:
        """The checked project (None without main.py), re-read and re-checked
        when a file changed. Nothing of it runs here."""
        try:
            files = read_project_files(self.workdir)
        except ProjectTooLarge as error:
            raise CellError(LOAD_REJECTED, f"{error}; keep the project smaller") from None
        digest = digest_of(files)
        if digest != self._digest:
            if self._program is not None:
                self._program.discard()
            self._digest, self._program, self._load_error = digest, None, None
            program = Program(
                files,
                self.workdir,
                allowed_imports=[*allowed_imports(self.workdir), *self.extra_imports],
                designated=self.designated_functions,
            )
            if MAIN_FILE in files and not program.checked.ok:
                self._load_error = rejected_error(program.violations, files)
            else:
                self._program = program
        if self._load_error is not None:
            raise self._load_error
        if self._program is None or MAIN_FILE not in self._program.checked.results:
            return None
        return self._program

    # -- introspection -------------------------------------------------------

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:  # type: ignore[override]
        return complete_reply(code, cursor_pos, self.designated_functions)

    async def do_inspect(  # type: ignore[override]
        self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        name = name_at(code, cursor_pos)
        if name not in self.designated_functions:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        try:
            program = self._program_defining(name)
            text = signature_text(name, program.main.functions.get(name))
        except CellError as error:
            text = f"{name}()\n\n{error.evalue}" if error.evalue else f"{name}()"
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:  # type: ignore[override]
        return is_complete_reply(code)

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:  # type: ignore[override]
        return {"status": "ok", "restart": restart}


def _warn(line: str) -> None:
    sys.stderr.write(f"jaxlab: {line}\n")
    sys.stderr.flush()


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<unrepresentable {type(value).__name__}>"
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + "..."
    return text
