"""Population impact evaluation of social prescribing link workers.

Public NHS files in; tables, figures and a report out. Imports no Django, so
it runs as a library and as `linkwell evaluate` anywhere Python does. Start
from `pipeline.run_evaluation` or the CLI in `cli.py`; docs/evaluation.md is
the user guide.
"""
