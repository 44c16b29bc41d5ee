"""`python -m services.cli`: how `tecflow up` starts each part.

A part that has stopped ends with `os._exit` after the usual exit steps (threads
joined, atexit handlers run, logs flushed): the interpreter's own teardown of all the
modules a worker loads takes up to two seconds on a loaded machine, does nothing a
stopped part needs, and `tecflow up` must stop every part within five."""

import atexit
import logging
import os
import sys
import threading

from services.cli import main

try:
    main()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
threading._shutdown()  # type: ignore[attr-defined]  # what interpreter exit does first
atexit._run_exitfuncs()
logging.shutdown()
if code is not None and not isinstance(code, int):
    print(code, file=sys.stderr)
    code = 1
sys.stdout.flush()
sys.stderr.flush()
os._exit(code or 0)
