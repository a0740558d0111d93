"""The ground every rule-file model stands on: strict pydantic models, the packaged rules folder, YAML read safely with errors that name the file and key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from aidctl.core.errors import RuleError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def packaged_rules_dir() -> Path:
    """The rules shipped with aidctl: inside the installed package, or the repository's rules/."""
    inside = Path(str(resources.files("aidctl"))) / "_rules"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "rules"


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise RuleError("规则文件不存在", file=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(f"YAML 格式错误：{getattr(exc, 'problem', exc)}；请修正后重试",
                        file=str(path), row=(mark.line + 1) if mark else None) from None


def parse_file(path: Path, model: type[Strict]) -> Strict:
    data = load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(顶层)"
        more = f"（另有 {len(exc.errors()) - 1} 处问题）" if len(exc.errors()) > 1 else ""
        raise RuleError(f"{err['msg']}{more}；请对照 README“修改规则”一节修正", file=str(path),
                        key=key) from None
