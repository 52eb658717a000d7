"""`python -m linkwell.evaluation …`, the same as `linkwell evaluate …`."""

from linkwell.evaluation.cli import main

raise SystemExit(main())
