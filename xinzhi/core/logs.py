"""Logging helpers for ``settings.LOGGING``.

Server errors are logged with their traceback to ``var/log/errors.log`` and to stderr. On an interactive
terminal (someone running ``xinzhi import …`` by hand) a traceback on stderr is noise that the command's
Chinese message already explains: there the stderr line keeps the message and points to the log file,
which has the full traceback. Under gunicorn, systemd or a container stderr is not a terminal and gets
everything.
"""

from __future__ import annotations

import logging
import sys


class TerminalFormatter(logging.Formatter):
    """The verbose format; on a terminal without the traceback (it is in the errors file)."""

    def __init__(self, *args, log_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.log_file = log_file

    def format(self, record: logging.LogRecord) -> str:
        stream = sys.stderr
        if record.exc_info and getattr(stream, "isatty", lambda: False)():
            short = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
            return f"{super().format(short)}（详细错误已记入 {self.log_file}）"
        return super().format(record)
