# Attack: a compromised kernel sends one 80 MiB message frame to make the gateway buffer it.
# Contained: the gateway's ZeroMQ sockets refuse frames over 64 MiB: the kernel is disconnected
# before the frame is buffered, and the gateway stops it with a reason naming the frame limit.
# Outside a kernel (plain sandbox) there is nothing to send with.
# Loader: ok
# Sandbox: exit
import sys
import time


def main():
    module = sys.modules.get("jaxlab_harness.kernel")
    if module is None or not module.JaxLabKernel.initialized():
        print("CONTAINED: no kernel to send a frame from")
        return
    kernel = module.JaxLabKernel.instance()
    print("READY", flush=True)
    time.sleep(0.5)  # captured output is published by another thread: let it go first
    kernel._send_iopub("stream", {"name": "stdout", "text": "F" * (80 * 1024 * 1024)}, kernel.get_parent())
    while True:
        pass
