"""Bank profiles (rules/banks/*.yaml) and the payment files (报盘) and result files (回盘) they describe.

There is no national format: each agent bank sends its own template, so a profile is data: file
type, encoding, delimiter or widths, columns and their order, amount format, header and trailer
lines with 总笔数/总金额, records per file, the file name. Writers are vectorised over the batch; a
record a profile cannot carry (a 生僻字 outside the encoding, a value wider than its field, the
delimiter inside a value) is found before anything is written.
"""

from __future__ import annotations

import functools
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

from aidctl.core.errors import AidctlError, RuleError
from aidctl.core.money import exact_total, fen_from_text, yuan, yuan_text
from aidctl.core.text import arrow_text, integer_text, text_series
from aidctl.rulebook import BankProfile, check_file_name

TEXT_FORMATS = ("delimited", "fixed_width")   # written in the profile's encoding; xlsx and pain.001 in UTF-8
MADE = ("seq", "amount")   # columns aidctl writes itself, in ASCII digits: every other one comes from a roster


class UnwritableRecords(AidctlError):
    """Records a bank file cannot carry, met by the renderer. The plan refuses them as bank.unwritable
    by the same test (unwritable), so only a batch recorded by an older aidctl gets here. `records`
    are the offending ones (with their file_seq), `reasons` what each holds (without advice)."""

    def __init__(self, profile_id: str, profile: BankProfile, records: pd.DataFrame, reasons: pd.Series):
        self.profile_id, self.profile, self.records, self.reasons = profile_id, profile, records, reasons
        more = f"（共 {len(records)} 条记录无法写入）" if len(records) > 1 else ""
        super().__init__(f"银行文件没有写出：{reasons.iloc[0]}{more}")


def file_encodings(profile: BankProfile, encoding: str) -> tuple[str, ...]:
    """The codecs a value must pass to go into this profile's file written in `encoding` (the profile's,
    or GB18030 where it allows it): a text file is that encoding; an xlsx or pain.001 file is UTF-8,
    and the profile's encoding restricts its characters further (the bank's system takes no more)."""
    return (encoding,) if profile.format in TEXT_FORMATS else tuple(dict.fromkeys([encoding, "utf-8"]))


@functools.cache
def _encodes(encoding: str, ch: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _writes_ascii(encodings: tuple[str, ...]) -> bool:
    return all(_encodes(e, chr(c)) for e in encodings for c in range(128))


def unencodable(values: pd.Series, encodings: tuple[str, ...]) -> np.ndarray:
    """The first character of each value that one of `encodings` cannot write, or None where every
    one writes it all: the one definition the plan's check (unwritable) and the renderer both use.
    Asked of the codecs themselves, once for each distinct character of the column (a stateless
    codec writes a text exactly when it writes each of its characters); the values holding one are
    found in one RE2 pass. Linear in rows, without a Python loop over them (only over the values
    found). Values of ASCII alone are passed over at once where the codecs write all of ASCII
    (every encoding a bank uses)."""
    arr = pc.fill_null(arrow_text(values), "")
    out = np.full(len(arr), None, dtype=object)
    at = np.arange(len(arr))
    if len(arr) and _writes_ascii(encodings):
        at = np.flatnonzero(pc.not_equal(pc.utf8_length(arr), pc.binary_length(arr)).to_numpy(zero_copy_only=False))
        arr = arr.take(at)
    if not len(arr):
        return out
    # the column's distinct characters: its text joined by Arrow, each code point marked in a table
    whole = pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, len(arr)], pa.int64()), arr),
                           pa.scalar("", pa.large_string()))[0].as_py()
    seen = np.zeros(0x110000, dtype=bool)
    seen[np.frombuffer(whole.encode("utf-32-le"), dtype="<u4")] = True
    bad = [ch for ch in map(chr, np.flatnonzero(seen)) if not all(_encodes(e, ch) for e in encodings)]
    if not bad:
        return out
    pattern = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in bad) + "]"
    hit = np.flatnonzero(pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False))
    found = re.compile("[" + "".join(re.escape(ch) for ch in bad) + "]")
    held = arr.take(hit).to_pylist()  # the values holding one: their first such character, once a value
    first = {v: found.search(v).group() for v in set(held)}
    out[at[hit]] = [first[v] for v in held]
    return out


def _encoding_of(profile: BankProfile, records: pd.DataFrame) -> str:
    """The encoding the file of these records is written in: the profile's, or GB18030 where the
    profile allows it and a value needs it (a value neither writes is refused: see unwritable)."""
    if profile.allow_gb18030:
        encodings = file_encodings(profile, profile.encoding)
        if any(pd.notna(unencodable(_field_text(profile, records, c.field), encodings)).any()
               for c in profile.columns if c.field not in MADE):
            return "gb18030"
    return profile.encoding


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


def unwritable(profile: BankProfile, records: pd.DataFrame, *, widths: bool = True, advice: bool = True,
               encoding: str | None = None) -> pd.Series:
    """Why each record cannot go into this profile's file (None where it can). Every column the file
    takes from the roster is asked of the file's codecs (unencodable); a fixed-width field also of
    its width. The renderer runs the same test on what it is given (render: `widths`=False, as it
    proves the widths of what it writes; `advice`=False, the what-to-do said by its caller; `encoding`,
    the file's as it has settled it)."""
    why = np.full(len(records), None, dtype=object)
    if "file_seq" not in records:  # planning: the 序号 are given later, none above the count
        records = records.assign(file_seq=np.arange(1, len(records) + 1))
    fields = {c.field: _field_text(profile, records, c.field) for c in profile.columns if c.field not in MADE}
    encoding = encoding or _encoding_of(profile, records)
    encodings = file_encodings(profile, encoding)
    allow = "" if profile.allow_gb18030 else "，或在银行格式中允许 GB18030"
    for col in profile.columns:
        if col.field in MADE:
            continue
        values = fields[col.field]
        first = unencodable(values, encodings)
        hit = np.flatnonzero(pd.notna(first) & pd.isna(why))
        if len(hit):  # few: said a record at a time
            why[hit] = [f"{col.title}“{v}”中的“{ch}”（U+{ord(ch):04X}）无法用 {encoding.upper()} 编码写入"
                        f"“{profile.name}”文件" + (f"：请与银行核对该字的录入方式{allow}" if advice else "")
                        for v, ch in zip(values.iloc[hit].tolist(), first[hit])]
        if profile.format == "delimited" and col.field in ("name", "memo", "school", "programme"):
            inside = pc.match_substring(pc.fill_null(arrow_text(values), ""), profile.delimiter)
            why[inside.to_numpy(zero_copy_only=False) & pd.isna(why)] = \
                f"{col.title}中含有分隔符“{profile.delimiter}”，银行文件无法写入" + ("：请更正" if advice else "")
    if widths and profile.format == "fixed_width":
        # a profile that allows GB18030 writes its file so when any name needs it: a value must fit either way
        encodings = [profile.encoding, *(["gb18030"] if profile.allow_gb18030 else [])]
        for col in profile.columns:
            values = fields[col.field] if col.field in fields else _field_text(profile, records, col.field)
            width = np.maximum.reduce([byte_width(values, e).to_numpy() for e in encodings])
            wide = np.flatnonzero((width > col.width) & pd.isna(why))
            if len(wide):
                why[wide] = (f"{col.title}“" + values.iloc[wide] + f"”超过银行文件规定的 {col.width} 字节宽度："
                             f"请与银行核对").to_numpy(dtype=object)
    return pd.Series(why, index=records.index, dtype=object)


def _field_text(profile: BankProfile, records: pd.DataFrame, field: str) -> pd.Series:
    if field == "amount":
        amount = records["amount_fen"]
        return text_series(integer_text(amount), amount.index) if profile.amount == "fen" else yuan_text(amount)
    if field == "seq":
        return text_series(integer_text(records["file_seq"]), records.index)
    return text_series(pc.fill_null(arrow_text(records[field]), ""), records.index)  # Arrow's: not copied


def render(profile_id: str, profile: BankProfile, records: pd.DataFrame, ctx: dict) -> list[BankFile]:
    """The payment files for `records` (file_seq, name, card, amount_fen, id_number, memo …), split
    by max_records. `ctx` fills names and header lines: term, term_label, batch, date, payer_*."""
    files = []
    records = records.sort_values("file_seq").reset_index(drop=True)
    parts = max(1, -(-len(records) // profile.max_records))
    # what the plan refuses is never written, by the plan's own test: a value no codec of the file
    # writes stops here, named, before a byte is made (never a UnicodeEncodeError, never a "?")
    encoding = _encoding_of(profile, records)
    reasons = unwritable(profile, records, widths=False, advice=False, encoding=encoding)
    bad = reasons.notna().to_numpy()
    if bad.any():
        raise UnwritableRecords(profile_id, profile, records[bad], reasons[bad])
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
    try:  # the records were proven writable (render): what is left is the profile's own text
        content = text.encode(encoding)
    except UnicodeEncodeError as exc:
        ch = exc.object[exc.start:exc.end]
        raise RuleError(f"银行格式的首尾行或列名中的“{ch}”（U+{ord(ch[0]):04X}）无法用 {encoding.upper()} 编码写入",
                        key=profile.name) from None
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
