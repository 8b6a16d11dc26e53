"""A pool of warm Jupyter kernels shared by one build's narrate jobs.

Starting a kernel and importing pandas and matplotlib costs about 2 s, more than most report notebooks.
`keystage build` starts a few kernels (`KernelPool`) next to Snakemake and names their folder in the
KEYSTAGE_KERNEL_POOL environment variable; `keystage narrate` takes a free one (`claimed_kernel`, a file
lock per kernel), empties its namespace and restores the state a fresh kernel has (`reset_kernel`), then
papermill runs the notebook on it. Without a pool, narrate starts its own kernel as before.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client import BlockingKernelClient, KernelManager
from jupyter_client.utils import run_sync
from jupyter_core.utils import ensure_async

POOL_ENV = "KEYSTAGE_KERNEL_POOL"
KERNEL_NAME = "python3"
READY_TIMEOUT = 120
IOPUB_WAIT = 0.5  # seconds to wait for a request's idle status on IOPub before asking again
# What the report notebooks import; importing it once per kernel is the point of the pool.
WARM_MODULES = (
    "numpy", "pandas", "matplotlib.pyplot", "nbformat", "IPython.display", "IPython.utils.capture",
    "keystage.narrate", "keystage.stages", "keystage.standards", "keystage.rounding", "keystage.reportconfig",
    "keystage.present.tables", "keystage.present.charts", "keystage.present.sections", "keystage.present.show",
    "keystage.render.engine", "keystage.opendata", "keystage.profiles", "keystage.disclosure",
    "keystage.measures.partnerships", "keystage.measures.floor", "keystage.measures.cohorts",
)
WARM_CODE = "import keystage.kernelpool as _pool; _pool.warm_kernel(); del _pool"
RESET_CODE = "__import__('keystage.kernelpool', fromlist=['reset_kernel']).reset_kernel({cwd!r})"
_FRESH: dict[str, Any] = {}


def warm_kernel() -> None:
    """Run once in a pooled kernel: import what the notebooks use, then remember the state a fresh kernel has after them.

    Idempotent, so a reset that arrives before the pool's own warm-up request (or a late warm-up) changes nothing.
    """
    import matplotlib

    if _FRESH:
        return
    for name in WARM_MODULES:
        importlib.import_module(name)
    _FRESH.update(rc=dict(matplotlib.rcParams), path=list(sys.path), warnings=list(warnings.filters), env=dict(os.environ))


def reset_kernel(cwd: str) -> None:
    """Run in a pooled kernel before each notebook: forget the last notebook's variables, figures and settings."""
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython import get_ipython

    warm_kernel()
    get_ipython().reset(new_session=True)  # %reset -f, and a new history session numbered from 1 as in a fresh kernel
    plt.close("all")
    changed = {key: value for key, value in _FRESH["rc"].items() if matplotlib.rcParams[key] != value}
    matplotlib.rcParams.update(changed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    sys.path[:] = _FRESH["path"]
    warnings.filters[:] = _FRESH["warnings"]
    os.environ.clear()
    os.environ.update(_FRESH["env"])
    os.chdir(cwd)


class PooledKernelClient(BlockingKernelClient):
    """A client of a warm pooled kernel, ready as soon as one kernel_info request has gone round shell and IOPub.

    jupyter_client's own wait_for_ready then waits for 0.2 s of IOPub silence, twice per notebook (once here,
    once in nbclient), which costs more than a small report. Seeing the kernel's "idle" status for our own
    request proves IOPub is subscribed and drained; when the subscription was late, the request is sent again.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else READY_TIMEOUT)
        while (left := deadline - time.monotonic()) > 0:
            request = self.kernel_info()
            try:
                reply = await self._async_recv_reply(request, timeout=min(1.0, left))
            except TimeoutError:  # still busy warming up, or gone: ask again only while its process lives
                if not await self._async_is_alive():
                    raise RuntimeError("pooled kernel died before replying to kernel_info") from None
                continue
            if await self._idle_after(request, min(IOPUB_WAIT, max(deadline - time.monotonic(), 0))):
                self._handle_kernel_info_reply(reply)
                return
        raise RuntimeError(f"pooled kernel did not answer within {timeout} s")

    async def _idle_after(self, request: str, wait: float) -> bool:
        """Whether the kernel's idle status for `request` arrives on IOPub within `wait` seconds."""
        until = time.monotonic() + wait
        while (left := until - time.monotonic()) > 0:
            try:
                message = await ensure_async(self.iopub_channel.get_msg(timeout=left))
            except Empty:
                return False
            if (message["parent_header"].get("msg_id") == request and message["msg_type"] == "status"
                    and message["content"]["execution_state"] == "idle"):
                return True
        return False

    wait_for_ready = run_sync(_async_wait_for_ready)


class PooledKernelManager(KernelManager):
    """A manager for a kernel another process started and will stop: alive while its process is, never shut down here."""

    def __init__(self, connection_file: Path, pid: int) -> None:
        super().__init__(kernel_name=KERNEL_NAME, owns_kernel=False, client_class="keystage.kernelpool.PooledKernelClient")
        self.load_connection_file(str(connection_file))
        self.pooled_pid = pid

    @property
    def has_kernel(self) -> bool:
        """The kernel is running already, so nbclient must not start one."""
        return True

    async def _async_is_alive(self) -> bool:
        """Whether the kernel's process still exists, so a crashed kernel fails a notebook instead of hanging it."""
        try:
            os.kill(self.pooled_pid, 0)
        except OSError:
            return False
        return True

    is_alive = run_sync(_async_is_alive)


class KernelPool:
    """Kernels started for one build: a connection file, a pid file and a lock file per kernel in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.managers: list[KernelManager] = []
        self.clients: list[BlockingKernelClient] = []  # kept until stop, so their warm-up requests are delivered

    def clear(self) -> None:
        """Remove what an earlier build left in the folder (a crashed build's kernels are gone with it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in self.folder.glob("kernel-*"):
            if path.suffix != ".log":
                path.unlink()

    def start(self, size: int, cwd: Path) -> None:
        """Start `size` kernels in `cwd` without waiting for them; each imports the notebooks' modules as it starts.

        A kernel's own messages (warnings, crashes) go to kernel-N.log in the pool's folder.
        """
        self.clear()
        for index in range(size):
            manager = KernelManager(kernel_name=KERNEL_NAME, connection_file=str(self.folder / f"kernel-{index}.json"))
            with (self.folder / f"kernel-{index}.log").open("w", encoding="utf-8") as log:
                manager.start_kernel(cwd=str(cwd), stdout=log, stderr=log)
            client = manager.client()
            client.start_channels()
            client.execute(WARM_CODE, silent=True, store_history=False)
            self.clients.append(client)
            (self.folder / f"kernel-{index}.pid").write_text(str(manager.provisioner.pid), encoding="utf-8")
            self.managers.append(manager)

    def stop(self) -> None:
        """Stop every kernel of the pool and remove its files."""
        for client in self.clients:
            client.stop_channels()
        for manager in self.managers:
            manager.shutdown_kernel(now=True)
        self.managers, self.clients = [], []
        self.clear()


def _prepared(connection: Path, cwd: Path) -> PooledKernelManager | None:
    """A manager for the pooled kernel at `connection`, reset for a new notebook; None when that kernel is unusable."""
    pid_file = connection.with_suffix(".pid")
    if not pid_file.is_file():
        return None
    manager = PooledKernelManager(connection, int(pid_file.read_text(encoding="utf-8")))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=READY_TIMEOUT)
        reply = client.execute_interactive(RESET_CODE.format(cwd=str(cwd.resolve())), store_history=False,
                                           timeout=READY_TIMEOUT, output_hook=lambda message: None)
    except (RuntimeError, TimeoutError):
        return None
    finally:
        client.stop_channels()
    return manager if reply["content"]["status"] == "ok" else None


@contextmanager
def claimed_kernel(folder: Path | None, cwd: Path) -> Iterator[PooledKernelManager | None]:
    """Hold a free kernel of the pool in `folder`, reset and working in `cwd`; None when there is no pool or no free kernel."""
    connections = sorted(folder.glob("kernel-*.json")) if folder is not None and folder.is_dir() else []
    for connection in connections:
        lock = os.open(connection.with_suffix(".lock"), os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue
        try:
            manager = _prepared(connection, cwd)
            if manager is not None:
                yield manager
                return
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            os.close(lock)
    yield None


def pool_folder() -> Path | None:
    """The folder of the running build's kernel pool, from KEYSTAGE_KERNEL_POOL (None outside `keystage build`)."""
    value = os.environ.get(POOL_ENV)
    return Path(value) if value else None
