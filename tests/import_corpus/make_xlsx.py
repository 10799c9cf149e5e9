#!/usr/bin/env python3
"""make_xlsx.py -- writes the corpus files that are not plain UTF-8 text.

The plain UTF-8 CSV files of tests/import_corpus are checked in as they are (their ID
numbers have correct check characters unless the case is about them). This
script makes the rest: XLSX workbooks and broken zips, other encodings,
binary bytes, and the large cases (a cell over 32767 bytes, a zip bomb, a
very wide row). Standard library only (zipfile); deterministic output.
Every file it writes stays under 100 KB.

    python3 tests/import_corpus/make_xlsx.py [DIR]   # default: this directory

Expected errors are in EXPECT beside the files; tests/cli/import_corpus.sh
runs them.
"""
import os
import sys
import zipfile

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(d17):
    return "10X98765432"[sum(int(a) * b for a, b in zip(d17, W)) % 11]


def idnum(birth, seq, area="141127"):
    d = "%s%s%03d" % (area, birth, seq)
    return d + check_char(d)


HEADER = ["姓名", "性别", "身份证号", "联系电话", "社区", "楼栋", "单元", "室"]
GOOD = ["刘洋", "男", idnum("19750101", 31), "13812345601", "东村村委会", "1", "1", "101"]


def good(seq, name="赵敏"):
    return [name, "女" if seq % 2 == 0 else "男", idnum("19900101", seq), "", "东村村委会", "7", "1",
            "7%02d" % seq]


def csv_text(rows, eol="\n"):
    return eol.join(",".join(r) for r in rows) + eol


# --- XLSX ---------------------------------------------------------------

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
      '</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
           '</Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = '</sheetData></worksheet>'


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_shared(rows):
    """Sheet XML with every cell a shared string; returns (sheet, sst)."""
    strings, index, out = [], {}, []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            if v == "":
                continue
            if v not in index:
                index[v] = len(strings)
                strings.append(v)
            cells.append('<c r="%s%d" t="s"><v>%d</v></c>' % (col_name(c), r, index[v]))
        out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="%d" uniqueCount="%d">%s</sst>'
           % (len(strings), len(strings), "".join("<si><t>%s</t></si>" % esc(s) for s in strings)))
    return SHEET_HEAD + "".join(out) + SHEET_TAIL, sst


def write_zip(path, parts):
    """parts: list of (name, text or bytes); fixed timestamps, deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 29, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data,
                       compresslevel=9)


def workbook(path, rows=None, sheet=None, sst=None, skip=(), extra=()):
    if rows is not None:
        sheet, sst = sheet_shared(rows)
    parts = [("[Content_Types].xml", CT), ("_rels/.rels", ROOT_RELS),
             ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WB_RELS),
             ("xl/worksheets/sheet1.xml", sheet)]
    if sst is not None:
        parts.append(("xl/sharedStrings.xml", sst))
    parts = [p for p in parts if p[0] not in skip] + list(extra)
    write_zip(path, parts)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    def out(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    # Encodings and bytes.
    out("001-empty-file.csv", b"")
    out("002-bom-only.csv", b"\xef\xbb\xbf")
    # Row 3 holds bytes that are neither UTF-8 nor GB18030 (0xFF is never
    # valid in either); rows 1-2 are pure ASCII + valid UTF-8 Chinese.
    out("050-invalid-utf8-not-gb18030.csv",
        csv_text([HEADER, GOOD]).encode("utf-8")
        + b"\xd5\xd4\xff\xff,\xc5\xae," + idnum("19900101", 2).encode() + b",,1,7,1,701\n")
    # The same text as UTF-16 (Excel's "Unicode text"), little and big endian.
    text = csv_text([HEADER, GOOD])
    out("051-utf16le-bom.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    out("052-utf16be-bom.csv", b"\xfe\xff" + text.encode("utf-16-be"))
    # One cell of 32768 bytes (the cap is 32767).
    out("053-cell-over-32767-bytes.csv",
        csv_text([HEADER, GOOD, ["赵敏", "女", idnum("19900101", 2), "", "东村村委会", "7", "1",
                                 "701 " + "x" * 32764]]).encode("utf-8"))
    # GBK (what Excel saves as "CSV" on a Chinese Windows) with one bad row:
    # the error must show the Chinese of the file correctly in UTF-8.
    out("054-gbk-bad-row.csv",
        csv_text([HEADER, GOOD, ["赵敏", "男", idnum("19900101", 2), "", "东村村委会", "7", "1", "701"]],
                 eol="\r\n").encode("gbk"))
    # Windows line ends, bad phone on row 3.
    out("055-crlf-bad-row.csv",
        csv_text([HEADER, GOOD, ["赵敏", "女", idnum("19900101", 2), "1381234567", "东村村委会", "7",
                                 "1", "701"]], eol="\r\n").encode("utf-8"))
    out("056-nul-byte.csv",
        csv_text([HEADER, GOOD]).encode("utf-8") + b"\xe8\xb5\xb5\x00\xe6\x95\x8f,\xe5\xa5\xb3\n")
    # Not a zip at all, but named .xlsx (binary junk: read as CSV by content).
    junk = bytes((i * 131 + 7) % 256 for i in range(2048))
    out("057-binary-named-xlsx.xlsx", junk)
    # A CSV renamed to .xlsx is read as CSV (format comes from the content);
    # its bad row is reported as in any CSV.
    out("058-csv-named-xlsx-bad-row.xlsx",
        csv_text([HEADER, GOOD, ["赵敏", "女", idnum("19900101", 2)[:17] + "0", "", "东村村委会", "7",
                                 "1", "701"]]).encode("utf-8"))
    # Legacy Excel 97-2003 (OLE2 compound file magic), as .xls and as .xlsx.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + bytes(range(256)) * 2
    out("066-legacy-xls-ole2.xls", ole)
    out("067-legacy-xls-named-xlsx.xlsx", ole)
    # Too many columns: a field beyond column 256 of a wide sheet.
    hdr = ["备注%d" % i for i in range(300)]
    row = [""] * 300
    for i, (h, v) in enumerate(zip(HEADER, good(2))):
        hdr[i if h != "身份证号" else 280] = h
        row[i if h != "身份证号" else 280] = v
    hdr[2], row[2] = "备注2", ""
    out("070-id-column-beyond-256.csv", csv_text([hdr, row]).encode("utf-8"))

    # XLSX.
    ok_rows = [HEADER, GOOD, good(2)]
    path = lambda n: os.path.join(d, n)
    workbook(path("059-xlsx-truncated.xlsx"), ok_rows)
    with open(path("059-xlsx-truncated.xlsx"), "rb") as f:
        data = f.read()
    out("059-xlsx-truncated.xlsx", data[: len(data) // 2])
    workbook(path("060-xlsx-no-workbook.xlsx"), ok_rows, skip=("xl/workbook.xml",))
    workbook(path("061-xlsx-sheet-missing.xlsx"), ok_rows, skip=("xl/worksheets/sheet1.xml",))
    sheet, sst = sheet_shared(ok_rows)
    sheet = sheet.replace('<c r="B3" t="s"><v>', '<c r="B3" t="s"><v>9', 1)
    workbook(path("062-xlsx-sharedstrings-index-out-of-range.xlsx"), sheet=sheet, sst=sst)
    bad = good(2)
    bad[2] = bad[2][:17] + ("0" if bad[2][17] != "0" else "1")
    workbook(path("063-xlsx-bad-id-row.xlsx"), [HEADER, GOOD, good(4), bad])
    # A DOCTYPE with an internal entity ("billion laughs" shape, small).
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>')
    sheet, _ = sheet_shared(ok_rows)
    workbook(path("064-xlsx-doctype-entity.xlsx"), sheet=sheet, sst=lol)
    # Zip bomb: a 90 MiB sheet (white space) deflated to about 90 KB.
    bomb = SHEET_HEAD + " " * (90 << 20) + SHEET_TAIL
    workbook(path("065-xlsx-zip-bomb.xlsx"), sheet=bomb)
    sheet, sst = sheet_shared(ok_rows)
    workbook(path("068-xlsx-broken-xml.xlsx"), sheet=sheet.replace("</row>", "</rw>", 2), sst=sst)
    # Row 4 as inline strings, its 室 cell 32768 bytes long.
    long_row = ["孙丽", "女", idnum("19900101", 6), "", "东村村委会", "7", "1", "7" * 32768]
    cells = "".join('<c r="%s4" t="inlineStr"><is><t>%s</t></is></c>' % (col_name(c), esc(v))
                    for c, v in enumerate(long_row) if v)
    sheet, sst = sheet_shared(ok_rows)
    workbook(path("069-xlsx-cell-over-32767-bytes.xlsx"),
             sheet=sheet.replace(SHEET_TAIL, '<row r="4">%s</row>' % cells + SHEET_TAIL), sst=sst)
    sheet, sst = sheet_shared(ok_rows)
    workbook(path("071-xlsx-header-only.xlsx"), [HEADER])
    workbook(path("072-xlsx-rows-out-of-order.xlsx"),
             sheet=sheet.replace('<row r="3">', '<row r="1">', 1), sst=sst)
    workbook(path("073-xlsx-dtd-in-workbook.xlsx"), ok_rows,
             skip=("xl/workbook.xml",),
             extra=[("xl/workbook.xml", WORKBOOK.replace(
                 "<workbook ", '<!DOCTYPE workbook SYSTEM "http://example.invalid/x.dtd"><workbook ', 1))])

    for n in sorted(os.listdir(d)):
        size = os.path.getsize(os.path.join(d, n))
        if size > 100 * 1024:
            sys.exit("%s is %d bytes: keep corpus files under 100 KB" % (n, size))


if __name__ == "__main__":
    main()
