"""gunicorn settings of the web unit (``-c python:xinzhi.gunicorn_conf``, deploy/systemd/xinzhi-web@.service).

One hook: a stopping instance stops *listening* at once. On SIGTERM gunicorn's master closes its copy of the
listening socket, but every worker holds the same socket until its last request in flight is done; the
kernel meanwhile still accepts connections into the backlog, and those waited (up to 2 s in the rehearsal,
docs/operations.md) before they were reset and nginx passed them to the other instance. ``shutdown(SHUT_RD)``
on a listening socket stops the listen for every process sharing it (Linux): queued connections are reset
and new ones refused at once, so nginx sends them to the other instance without waiting; requests already
accepted finish as before (graceful stop).
"""

import signal
import socket


def post_worker_init(worker):
    previous = signal.getsignal(signal.SIGTERM)

    def stop_listening(signum, frame):
        if getattr(worker, "alive", False) and hasattr(worker, "set_accept_enabled"):
            worker.set_accept_enabled(False)  # the gthread worker: no accept() on a socket shut below
            for listener in worker.sockets:
                try:
                    listener.sock.shutdown(socket.SHUT_RD)
                except OSError:
                    pass  # another worker shut it already
        previous(signum, frame)

    signal.signal(signal.SIGTERM, stop_listening)
