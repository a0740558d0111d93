"""aidctl: the batch work of a student financial-aid centre (学生资助管理中心)."""

import os

__version__ = "0.1.0"

# Arrow's default pool (mimalloc) pays heavily for first use of fresh memory, and a validate run is
# nearly all first use: glibc's malloc makes `validate` of 500,000 rows ~15 % faster here
# (benchmarks/bench_validate.py). Read once by pyarrow, before its first allocation; a value the
# user set is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
