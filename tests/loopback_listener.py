"""A TCP listener on a loopback port that counts the connections made to it and never answers:
any count above zero means something tried to reach out."""

from __future__ import annotations

import socket
import threading
import time


class Listener:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
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
        """The count once a connection being made has had time to be counted."""
        time.sleep(0.05)
        return self.connections

    def close(self) -> None:
        self.sock.close()
