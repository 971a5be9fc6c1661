"""A TCP proxy that a test can cut, as a database server going down cuts its clients off.

A process that should lose its database (the web server under test) is given the proxy's port
instead of the database's. ``cut()`` resets every open connection and every new one until
``restore()``: the process sees what it would see if PostgreSQL restarted (connections dropped,
new ones refused), while the real cluster, which the test process and other tests share, keeps
running.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

_ACCEPT_POLL_S = 0.1
_CHUNK = 64 * 1024


def _reset(sock: socket.socket) -> None:
    """Drop a connection at once: SO_LINGER 0 turns the close into an RST, and the shutdown
    wakes whichever pump thread is blocked reading it."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Forwards connections made to ``127.0.0.1:<port>`` to ``upstream_host:upstream_port``.

    Threaded: one thread accepts, two pump bytes for each connection. Use it as a context
    manager (or call ``close()``) so that its threads and sockets end with the test.
    """

    def __init__(self, upstream_host: str = "127.0.0.1", upstream_port: int = 5432) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_ACCEPT_POLL_S)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._is_cut = False
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        #: Connections accepted and forwarded, and connections refused while cut.
        self.forwarded = 0
        self.refused = 0
        self._accepter = threading.Thread(target=self._accept_loop, name="tcpproxy-accept")
        self._accepter.daemon = True
        self._accepter.start()

    # -- what a test calls -------------------------------------------------------------------

    @property
    def is_cut(self) -> bool:
        return self._is_cut

    @property
    def open_connections(self) -> int:
        """Forwarded connections still open (counting each as one, not as its two sockets)."""
        with self._lock:
            return len(self._open) // 2

    def cut(self) -> None:
        """Reset every open connection, and every new one until ``restore()``."""
        with self._lock:
            self._is_cut = True
            doomed = list(self._open)
        for sock in doomed:
            _reset(sock)

    def restore(self) -> None:
        """Forward new connections again (the ones cut stay cut, as after a real restart)."""
        with self._lock:
            self._is_cut = False

    def close(self) -> None:
        self._closing.set()
        self.cut()
        self._accepter.join(timeout=5)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the threads -------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._serve(client)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        if not self._is_cut:
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                upstream = None
        with self._lock:
            # Checked again under the lock: a cut() that ran meanwhile must not miss this pair.
            if upstream is None or self._is_cut:
                self.refused += 1
                refuse = True
            else:
                self.forwarded += 1
                self._open.update((client, upstream))
                refuse = False
        if refuse:
            _reset(client)
            client.close()
            if upstream is not None:
                upstream.close()
            return
        assert upstream is not None
        client.settimeout(None)
        for source, target in ((client, upstream), (upstream, client)):
            thread = threading.Thread(
                target=self._pump, args=(source, target), name="tcpproxy-pump", daemon=True
            )
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        """Copy bytes one way until either side ends; then end both (a half-open database
        connection is of no use to anybody)."""
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                was_open = source in self._open
                self._open.discard(source)
                self._open.discard(target)
            if was_open:
                _reset(target)
            with contextlib.suppress(OSError):
                source.close()
            with contextlib.suppress(OSError):
                target.close()
