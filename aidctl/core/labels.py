"""What aidctl writes where a record names no school or county: one spelling everywhere, so that a
school's rows from the roster, the ledger and the reports fall in the same group. And how the files
list of validate (terminal and report alike) names the rows it did not count and the hidden rows."""

UNKNOWN_SCHOOL = "（学校不明）"
UNKNOWN_COUNTY = "（县区不明）"
NO_SCHOOL_NAMED = "（未指明学校）"   # a complaint about the centre or a county, not about one school

# rows under a header that are not students, by why (read.rows), as the files list names them
DROPPED = {"blank": "空行", "total": "合计/小计", "signature": "签字/联系人", "note": "注释/标记",
           "marker": "合计/签字/注释", "repeated_header": "重复表头"}


def dropped_text(dropped: dict[str, int]) -> str:
    """'空行 3，合计/小计 1': the rows a table did not count."""
    return "，".join(f"{DROPPED.get(k, k)} {n}" for k, n in dropped.items())


def struck_rows_text(struck: int | None) -> str | int:
    """The records with text struck out; None (an .xls file whose records could not be read) is 不明."""
    return "不明（该 .xls 文件的格式记录无法读取，看不出删除线）" if struck is None else struck


def hidden_rows_text(hidden: int | None) -> str:
    """The records read from hidden rows; None (an .xls file whose records could not be read) is 不明,
    never none."""
    return "不明（该 .xls 文件的格式记录无法读取，看不出隐藏行）" if hidden is None else str(hidden) if hidden else ""
