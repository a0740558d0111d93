"""aidctl: the batch work of a student financial-aid centre (学生资助管理中心).

The packages follow the flow of the data, each using only those above it in this list:
core → rulebook → read → ledger → check → pay → report → enlist, loans → oversight → cli.
"""

from aidctl.core.runtime import use_system_allocator

__version__ = "0.1.0"

use_system_allocator()  # before pyarrow's first allocation: see aidctl.core.runtime
