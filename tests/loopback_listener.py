"""A TCP listener on a loopback port that counts the connections made to it and never answers:
any count above zero means something tried to reach out."""

from __future__ import annotations

import socket
import threading


class Listener:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._own = 0  # settled()'s own connections, counted by _accept too
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def settled(self) -> int:
        """The count of the connections made before this call. One of its own goes through the
        same accept queue, which hands connections over in order: once the listener has hung up on
        it, every one made before it has been counted. Its own are not counted."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as own:
            own.recv(1)
        self._own += 1
        return self.connections - self._own

    def close(self) -> None:
        self.sock.close()
