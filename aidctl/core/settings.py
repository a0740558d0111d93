"""The workspace's layout and its settings file (aidctl.toml); `aidctl init` makes an empty one."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

SETTINGS_FILE = "aidctl.toml"
SCHOOLS_FILE = "schools.xlsx"
LEDGER_FILE = "aidctl.db"        # the ledger, when database_url does not name another
LOCK_FILE = ".aidctl.lock"       # held by a paying run

# What a workspace keeps that no output of aidctl may replace (`files.check_output`): its files, and
# the folders it reads from (everything under them). Names are said the way the README says them.
KEPT_FILES = {SETTINGS_FILE: "设置文件", SCHOOLS_FILE: "学校名单", LEDGER_FILE: "发放账本",
              f"{LEDGER_FILE}-journal": "发放账本的日志文件", f"{LEDGER_FILE}-wal": "发放账本的日志文件",
              f"{LEDGER_FILE}-shm": "发放账本的日志文件", LOCK_FILE: "发放锁文件"}
INPUT_FOLDERS = {"intake": "学校报送的花名册", "rules": "规则文件", "finance": "财务报表",
                 "complaints": "投诉登记台账", "loans": "贷款台账"}


class Settings(BaseModel):
    """aidctl.toml. Every key is optional; unknown keys are refused so that typos do not pass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bank_profile: str | None = None     # the agent bank's profile in rules/banks/ (default: the packaged one)
    database_url: str | None = None     # the ledger (default: sqlite:///<workspace>/aidctl.db)
    operator: str | None = None         # recorded with each batch (default: the login name)
    payer_name: str | None = None       # the 资助专户 paying out: needed by ISO 20022 files
    payer_account: str | None = None
    publicity_issuer: str | None = None  # who posts the 公示 (default: each school)
    complaint_phone: str | None = None   # the 监督举报电话 printed on every 公示 list


SETTINGS_TEMPLATE = """\
# aidctl workspace settings. Every key is optional; the packaged defaults apply where one is absent.
# bank_profile = "icbc-txt"        # the agent bank (代理银行) profile in rules/banks/
# database_url = "sqlite:///aidctl.db"
# operator = "资助中心 张三"
# complaint_phone = "0000-12345678"  # 监督举报电话, printed on every 公示 list
# publicity_issuer = "市学生资助管理中心"
"""


RULES_README = """\
把要修改的规则文件（如 programmes.yaml）从 aidctl 内置的 rules/ 复制到这里再改：
这里的同名文件整体替换内置文件。改完运行 `aidctl rules check` 检查。
"""


def init_workspace(directory: Path) -> list[Path]:
    """Make an empty workspace; never overwrite what is already there, and never follow a link out of
    the folder: a folder or file of the workspace that is a link leading elsewhere is refused (exit 2)."""
    import os

    from aidctl.core.errors import UsageError

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError("这是一个文件，不是文件夹：aidctl init 需要一个新的或已有的文件夹", file=str(directory))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a parent that is a file, no permission
        raise UsageError(f"无法建立工作目录（{exc.strerror}）", file=str(directory)) from None
    root = directory.resolve()

    def inside(path: Path) -> Path:
        if path.is_symlink():
            if not path.resolve().is_relative_to(root):
                raise UsageError(f"这是指向工作目录之外的链接（→ {os.readlink(path)}），aidctl init 不会跟随它写入："
                                 "请删除该链接，或换一个文件夹", file=str(path))
            if not path.exists():
                raise UsageError(f"这是一个链接，指向的位置不存在（→ {os.readlink(path)}）：请删除该链接后再运行 aidctl init",
                                 file=str(path))
        return path

    folders = [directory / sub for sub in ("intake", "out", "rules")]
    files = ((directory / SETTINGS_FILE, SETTINGS_TEMPLATE), (directory / "rules" / "README.txt", RULES_README))
    for path in folders + [f for f, _ in files]:  # every path checked before anything is made
        inside(path)
    for path in folders:
        if path.exists() and not path.is_dir():
            raise UsageError("已有同名文件，不是文件夹：请改名或删除后再运行 aidctl init", file=str(path))
    made = []
    for path in folders:
        if not path.exists():
            try:
                path.mkdir()
            except OSError as exc:  # a link to nowhere, no permission
                raise UsageError(f"无法建立文件夹（{exc.strerror}）", file=str(path)) from None
            made.append(path)
    for path, content in files:
        try:  # created only where nothing is, not even a link: O_EXCL never follows one
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        made.append(path)
    return made
