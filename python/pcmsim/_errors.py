"""pcmsim's error: what the command line prints after ``pcmsim: error:``."""

import re

# Where a message starts: "configs/x.yaml:12: " (a file and line) or "-p override: " (a value
# set on the command line or in overrides=); then, for a parameter, its key path
# ("chip.tile.core.adc.bits = 40: not in [2, 16] bit", "simulation.numerics: ...").
_PLACE = re.compile(r"^(?:(?P<file>[^:\s]+):(?P<line>\d+)|(?P<override>-p override)): ")
_KEY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)(?: = |: )")


class Error(Exception):
    """A bad config, ONNX file, dataset or argument: the message names the file, the place and
    the rule broken, as the command line's does.

    Attributes: ``message`` (the whole text); ``file`` and ``line`` where it starts with
    ``FILE:LINE:`` (``file`` is ``"-p override"`` for a value given in overrides, line None);
    ``key``, the parameter's key path where the message names one after its place. Each is
    None where the message has no such part.
    """

    __module__ = "pcmsim"  # shown as pcmsim.Error

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        self.file = self.line = self.key = None
        m = _PLACE.match(message)
        if m:
            self.file = m.group("file") or m.group("override")
            self.line = int(m.group("line")) if m.group("line") else None
            k = _KEY.match(message, m.end())
            self.key = k.group("key") if k else None
