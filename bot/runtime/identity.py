"""Who this process is, for the rows it claims in the database (broadcast recipients, scheduled runs)."""

from __future__ import annotations

import os
import secrets
import socket


def process_id() -> str:
    """`host:pid:random`, made once per process by the runtime (`build_services`) and handed to the services:
    stable for the life of the process, distinct across machines, processes and restarts (the random part:
    a restarted process may get the same pid, and must not pass for its dead predecessor)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"
