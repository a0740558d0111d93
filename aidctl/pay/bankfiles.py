"""Bank profiles (rules/banks/*.yaml) and the payment files (报盘) and result files (回盘) they describe.

There is no national format: each agent bank sends its own template, so a profile is data: file
type, encoding, delimiter or widths, columns and their order, amount format, header and trailer
lines with 总笔数/总金额, records per file, the file name. Writers are vectorised over the batch; a
record a profile cannot carry (a 生僻字 outside the encoding, a value wider than its field, the
delimiter inside a value) is found before anything is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.errors import RuleError
from aidctl.core.money import exact_total, fen_from_text, yuan, yuan_text
from aidctl.core.text import arrow_text, integer_text, text_series
from aidctl.rulebook import BankProfile, check_file_name

# characters every Chinese bank encoding carries: ASCII, CJK punctuation, full-width forms, and
# the 20,902 ideographs of the basic CJK block (all in GBK); only others need a closer look
# Characters outside ASCII, CJK punctuation, full-width forms and the common hanzi: only values with
# one are tried against the bank's encoding. RE2 syntax (Arrow's regex engine), one pass per column.
_UNCOMMON = r"[^\x{00}-\x{7f}\x{3000}-\x{303f}\x{ff00}-\x{ffef}\x{4e00}-\x{9fa5}·•]"


def _uncommon(values: pd.Series) -> np.ndarray:
    """True where a text value holds a character outside the common set (see _UNCOMMON)."""
    return pc.fill_null(pc.match_substring_regex(arrow_text(values), _UNCOMMON), False).to_numpy(zero_copy_only=False)


@dataclass
class BankFile:
    """One rendered payment file, not yet on disk."""

    profile: str
    name: str
    content: bytes
    count: int
    total_fen: int          # the sum of the amounts as written in the file, read back
    declared_total_fen: int  # what the header/trailer/control sum says
    encoding: str


def write_files(files: list[BankFile], folder: Path) -> list[Path]:
    """Put rendered files in `folder`, each under a temporary name first and then renamed."""
    from aidctl.core.files import atomic_path

    written = []
    for f in files:
        target = folder / f.name
        with atomic_path(target) as tmp:
            tmp.write_bytes(f.content)
        written.append(target)
    return written


def _context_values(profile: BankProfile, count: int, total_fen: int, ctx: dict) -> dict:
    return ctx | {"count": count, "total_fen": total_fen, "total": str(yuan(total_fen))}


def byte_width(values: pd.Series, encoding: str) -> pd.Series:
    """Bytes each value takes written in `encoding`, exactly: in GB18030 a character outside GBK takes
    four (㐀, 𠀀: rare characters of names), and a fixed-width field is padded by what is written. A
    character the encoding cannot write counts one (the caller refuses that value on its own)."""
    text = values.astype("string").fillna("")
    arr = arrow_text(text)
    utf8 = pc.binary_length(arr)
    out = utf8.to_numpy(zero_copy_only=False).astype(np.int64)
    wide = np.flatnonzero(pc.not_equal(pc.utf8_length(arr), utf8).to_numpy(zero_copy_only=False))
    if len(wide):  # ASCII is one byte in every encoding a bank file uses; the rest is encoded, all at once
        found = text.iloc[wide].tolist()
        joined = "\0".join(found).encode(encoding, errors="replace")
        ends = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 0)
        if len(ends) == len(found) - 1:  # no encoding a bank uses puts a zero byte inside a character
            out[wide] = np.diff(np.concatenate([[-1], ends, [len(joined)]])) - 1
        else:  # a value holding a NUL, or an encoding that writes zero bytes: one value at a time
            out[wide] = [len(v.encode(encoding, errors="replace")) for v in found]
    return pd.Series(out, index=values.index)


def unwritable(profile: BankProfile, records: pd.DataFrame) -> pd.Series:
    """Why each record cannot go into this profile's file (None where it can)."""
    reasons = pd.Series(None, index=records.index, dtype=object)
    text_fields = [c for c in profile.columns if c.field in ("name", "memo", "school", "programme")]
    for col in text_fields:
        values = records[col.field].astype("string").fillna("")
        odd = _uncommon(values)
        for value in values[odd].unique():
            try:
                value.encode(profile.encoding)
            except UnicodeEncodeError as exc:
                ch = value[exc.start:exc.end]
                if profile.allow_gb18030:
                    continue
                where = (values == value).to_numpy() & reasons.isna().to_numpy()
                reasons[where] = (f"{col.title}“{value}”中的“{ch}”（U+{ord(ch[0]):04X}）无法用 "
                                  f"{profile.encoding.upper()} 编码写入“{profile.name}”文件：请与银行核对"
                                  f"该字的录入方式，或在银行格式中允许 GB18030")
        if profile.format == "delimited":
            bad = values.str.contains(re.escape(profile.delimiter)).fillna(False).to_numpy() & reasons.isna().to_numpy()
            reasons[bad] = f"{col.title}中含有分隔符“{profile.delimiter}”，银行文件无法写入：请更正"
    if profile.format == "fixed_width":
        if "file_seq" not in records:  # planning: the 序号 are given later, none above the count
            records = records.assign(file_seq=np.arange(1, len(records) + 1))
        # a profile that allows GB18030 writes its file so when any name needs it: a value must fit either way
        encodings = [profile.encoding, *(["gb18030"] if profile.allow_gb18030 else [])]
        for col in profile.columns:
            values = _field_text(profile, records, col.field)
            width = np.maximum.reduce([byte_width(values, e).to_numpy() for e in encodings])
            wide = (width > col.width) & reasons.isna().to_numpy()
            reasons[wide] = (f"{col.title}“" + values[wide] + f"”超过银行文件规定的 {col.width} 字节宽度："
                             f"请与银行核对").to_numpy()
    return reasons


def _field_text(profile: BankProfile, records: pd.DataFrame, field: str) -> pd.Series:
    if field == "amount":
        amount = records["amount_fen"]
        return text_series(integer_text(amount), amount.index) if profile.amount == "fen" else yuan_text(amount)
    if field == "seq":
        return text_series(integer_text(records["file_seq"]), records.index)
    return records[field].astype("string").fillna("")


def _needs_gb18030(profile: BankProfile, records: pd.DataFrame) -> bool:
    if not profile.allow_gb18030:
        return False
    names = pd.concat([records[c.field].astype("string").fillna("") for c in profile.columns
                       if c.field in ("name", "memo", "school", "programme")])
    for value in names[_uncommon(names)].unique():
        try:
            value.encode(profile.encoding)
        except UnicodeEncodeError:
            return True
    return False


def render(profile_id: str, profile: BankProfile, records: pd.DataFrame, ctx: dict) -> list[BankFile]:
    """The payment files for `records` (file_seq, name, card, amount_fen, id_number, memo …), split
    by max_records. `ctx` fills names and header lines: term, term_label, batch, date, payer_*."""
    files = []
    records = records.sort_values("file_seq").reset_index(drop=True)
    parts = max(1, -(-len(records) // profile.max_records))
    encoding = "gb18030" if _needs_gb18030(profile, records) else profile.encoding
    lines = None
    if profile.format in _LINES:  # one record a line: every line made at once, then cut into files
        lines, amounts = _LINES[profile.format](profile, records, encoding)
        written_all = _read_back(profile, amounts)
    for part in range(parts):
        at = slice(part * profile.max_records, (part + 1) * profile.max_records)
        chunk = records.iloc[at]
        total = exact_total(chunk["amount_fen"])
        values = _context_values(profile, len(chunk), total, ctx | {"part": part + 1, "parts": parts})
        try:  # the profile's template was checked when read; the values are aidctl's own: a last guard
            name = check_file_name(profile.file_name.format(**values))
        except (ValueError, KeyError) as exc:
            raise RuleError(f"银行文件名无法生成（{exc}）", key=f"{profile.name}.file_name") from None
        if lines is not None:
            content = _text_file(profile, values, lines.iloc[at], encoding)
            written = written_all.iloc[at]
        else:
            writer = {"xlsx": _xlsx, "pain.001.001.03": _pain001}[profile.format]
            content, amounts = writer(profile, chunk, values, encoding)
            written = _read_back(profile, amounts)
        files.append(BankFile(profile_id, name, content, len(chunk), exact_total(written), total, encoding))
    return files


def _read_back(profile: BankProfile, amounts: pd.Series) -> pd.Series:
    """The amounts as the file writes them, read back as fen (what the bank will read)."""
    if profile.amount == "yuan" or profile.format == "pain.001.001.03":
        return fen_from_text(amounts)
    return pd.to_numeric(amounts, errors="coerce").astype("Int64")


def _lines(profile: BankProfile, values: dict, templates: list[str]) -> list[str]:
    try:
        return [t.format(**values) for t in templates]
    except (KeyError, ValueError, IndexError) as exc:
        raise RuleError(f"银行格式的首尾行模板无法填写（{exc}）", key=f"{profile.name}.header") from None


def _delimited_lines(profile, records, encoding):
    cols = [_field_text(profile, records, c.field) for c in profile.columns]
    body = pc.binary_join_element_wise(*[arrow_text(c) for c in cols], pa.scalar(profile.delimiter, pa.large_string()))
    amount_col = [c.field for c in profile.columns].index("amount")
    return text_series(body, records.index), cols[amount_col]


def _fixed_lines(profile, records, encoding):
    cols = []
    for c in profile.columns:
        v = _field_text(profile, records, c.field)
        pad = (c.width - byte_width(v, encoding)).clip(lower=0)
        filler = pd.Series(np.char.multiply(c.pad, pad.to_numpy(dtype=np.int64)), index=v.index)
        cols.append(filler + v if c.align == "right" else v + filler)
    body = cols[0]
    for c in cols[1:]:
        body = body + c
    amount_col = [c.field for c in profile.columns].index("amount")
    return body, cols[amount_col].str.lstrip(profile.columns[amount_col].pad).replace("", "0")


_LINES = {"delimited": _delimited_lines, "fixed_width": _fixed_lines}


def _text_file(profile, values, body: pd.Series, encoding) -> bytes:
    """A text file: header lines, column titles (delimited), one line per record, trailer lines."""
    lines = _lines(profile, values, profile.header)
    if profile.format == "delimited" and profile.column_titles:
        lines.append(profile.delimiter.join(c.title for c in profile.columns))
    text = profile.newline.join([*lines, *body.tolist(), *_lines(profile, values, profile.trailer)]) + profile.newline
    content = text.encode(encoding)
    if profile.format == "fixed_width":  # the widths are a contract with the bank: prove them
        width = sum(c.width for c in profile.columns)
        records = content.split(profile.newline.encode())[len(lines):len(lines) + len(body)]
        if any(len(r) != width for r in records):
            raise RuleError(f"定长记录宽度不是 {width} 字节", key=profile.name)
    return content


def _xlsx(profile, chunk, values, encoding):
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("代发明细")
    text = wb.add_format({"num_format": "@"})
    head = wb.add_format({"bold": True})
    row = 0
    for line in _lines(profile, values, profile.header):
        ws.write_row(row, 0, line.split("|"), head)
        row += 1
    if profile.column_titles:
        ws.write_row(row, 0, [c.title for c in profile.columns], head)
        row += 1
    cols = [_field_text(profile, chunk, c.field).tolist() for c in profile.columns]
    for j, col in enumerate(cols):
        ws.set_column(j, j, 22 if profile.columns[j].field in ("card", "id_number") else 14, text)
        ws.write_column(row, j, col, text)  # every cell text: Excel must not turn a card into 6.2E+18
    for line in _lines(profile, values, profile.trailer):
        ws.write_row(row + len(chunk), 0, line.split("|"), head)
    wb.close()
    amount_col = [c.field for c in profile.columns].index("amount")
    return buffer.getvalue(), pd.Series(cols[amount_col], index=chunk.index)


def _pain001(profile, chunk, values, encoding):
    payer_name, payer_account = values.get("payer_name"), values.get("payer_account")
    if not payer_name or not payer_account:
        raise RuleError("ISO 20022 文件需要付款账户：请在 aidctl.toml 中设置 payer_name 和 payer_account",
                        key=profile.name)
    amounts = yuan_text(chunk["amount_fen"])
    e2e = values["batch"] + "-" + chunk["file_seq"].astype("int64").astype(str)
    names = _escape(chunk["name"])
    memo = _escape(chunk["memo"])
    tx = ("<CdtTrfTxInf><PmtId><EndToEndId>" + e2e + "</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"CNY\">"
          + amounts + "</InstdAmt></Amt><Cdtr><Nm>" + names + "</Nm></Cdtr><CdtrAcct><Id><Othr><Id>"
          + chunk["card"].astype(str) + "</Id></Othr></Id></CdtrAcct><RmtInf><Ustrd>" + memo
          + "</Ustrd></RmtInf></CdtTrfTxInf>")
    # <batch>-<first 序号>-<last 序号>: the bank echoes it (OrgnlMsgId, OrgnlPmtInfId), and the payments
    # it names follow from the ledger alone (EndToEndId is <batch>-<序号>)
    seqs = chunk["file_seq"].astype("int64")
    msg_id = f"{values['batch']}-{int(seqs.min())}-{int(seqs.max())}"
    total = values["total"]
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
            f"<CstmrCdtTrfInitn><GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>{values['timestamp']}</CreDtTm>"
            f"<NbOfTxs>{len(chunk)}</NbOfTxs><CtrlSum>{total}</CtrlSum><InitgPty><Nm>{escape(payer_name)}</Nm>"
            f"</InitgPty></GrpHdr><PmtInf><PmtInfId>{msg_id}</PmtInfId><PmtMtd>TRF</PmtMtd>"
            f"<NbOfTxs>{len(chunk)}</NbOfTxs><CtrlSum>{total}</CtrlSum>"
            f"<ReqdExctnDt>{values['date_iso']}</ReqdExctnDt><Dbtr><Nm>{escape(payer_name)}</Nm></Dbtr>"
            f"<DbtrAcct><Id><Othr><Id>{escape(payer_account)}</Id></Othr></Id></DbtrAcct>"
            f"<DbtrAgt><FinInstnId/></DbtrAgt>")
    text = head + "\n".join(tx.tolist()) + "</PmtInf></CstmrCdtTrfInitn></Document>\n"
    return text.encode("utf-8"), amounts


def _escape(values: pd.Series) -> pd.Series:
    s = values.astype("string").fillna("")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        s = s.str.replace(a, b, regex=False)
    return s


def now_context() -> dict:
    moment = datetime.now()
    return {"date": moment.strftime("%Y%m%d"), "date_iso": moment.strftime("%Y-%m-%d"),
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S")}
