import sys

from aekit.cli.main import main

sys.exit(main())
