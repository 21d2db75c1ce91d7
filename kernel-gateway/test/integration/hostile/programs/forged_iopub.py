# Attack: a compromised kernel forges iopub messages itself (signed with the kernel's key): a 3 MiB stream
# message, metrics display_data with out-of-schema values, a display_data carrying a binary buffer, an
# execution_state 'dead' status, and a status whose state holds a newline and a fake gateway log line.
# Contained: the gateway trusts nothing the kernel says beyond the protocol: every string is capped (1 MiB,
# with a note), invalid metrics are dropped with a stderr note, only the gateway may report 'dead', and the
# gateway logs one escaped, length-capped line per event, so no kernel text becomes a log line of its own.
# Outside a kernel (plain sandbox) there is nothing to forge from.
# Loader: ok
# Sandbox: clean
import sys

METRICS = "application/vnd.jaxlab.metrics+json"


def main():
    module = sys.modules.get("jaxlab_harness.kernel")
    if module is None or not module.JaxLabKernel.initialized():
        print("CONTAINED: no kernel to forge messages from")
        return
    kernel = module.JaxLabKernel.instance()
    parent = kernel.get_parent()
    kernel._send_iopub("stream", {"name": "stdout", "text": "F" * (3 * 1024 * 1024)}, parent)
    forged = {"executionTimeMs": -1, "compilationTimeMs": "fast", "values": {"accuracy": 1e301}}
    kernel._send_iopub("display_data", {"data": {METRICS: forged}, "metadata": {}, "transient": {}}, parent)
    kernel._send_iopub("status", {"execution_state": "dead"}, parent)
    fake = "\n[2026-01-01T00:00:00.000Z] kernel 00000000-0000-0000-0000-000000000000 started (sandboxed) in 1 ms\n"
    kernel._send_iopub("status", {"execution_state": "busy" + fake + "x" * (1024 * 1024)}, parent)
    print("CONTAINED")
