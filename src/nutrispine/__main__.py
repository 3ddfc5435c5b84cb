"""``python -m nutrispine``: the same command line as the ``nutrispine`` script."""

from nutrispine.cli import main

main()
