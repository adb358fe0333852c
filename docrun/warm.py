"""Imported once by the fork server, so that no script pays for these imports again.

Importing must have no effect a script could see: nothing here draws a random number, changes a
default, starts a thread or touches a GPU.
"""

import jupytext  # noqa: F401  (the examples are notebooks)
import matplotlib.pyplot  # noqa: F401
import torch
import torch._dynamo  # (imported by the first optimizer step: ~5 s here)

import docrun.execute  # noqa: F401

assert not torch.cuda.is_initialized()  # a CUDA context cannot cross a fork
