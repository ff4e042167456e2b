import sys

from aekit.cli.main import main
from aekit.training import distributed

code = main()
if distributed.launched_by_torchrun():  # done and written: skip gloo's fragile shutdown
    distributed.leave(code)
sys.exit(code)
