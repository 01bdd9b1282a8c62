"""A local, faithful Websets API: in-process (``Emulator.transport()``) or over HTTP (``serve``).

See DESIGN.md §8 and API-NOTES.md for the behaviour it reproduces.
"""

from websets_sync.emulator.app import Emulator, LoggedRequest
from websets_sync.emulator.faults import Faults
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.server import serve

__all__ = ["Emulator", "Faults", "LoggedRequest", "Timing", "serve"]
