"""aidctl: the batch work of a student financial-aid centre (学生资助管理中心)."""

__version__ = "0.1.0"
