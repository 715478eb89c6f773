"""Hostile and broken files that publishers upload, made at test time.

Each case is (name, file name, bytes, declared format). Large ones (a 10 MB
cell, a zip bomb) are generated here rather than committed.
"""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADER = ("contract_id,ocid,buyer_id,supplier_id,supplier_name,contract_title,contract_value,"
          "currency,date_signed,start_date,end_date,procurement_method,project_id")
ROW = ("C-1,ocds-abc123-1,09-210,CMO180304KX1,Constructora del Mayab SA de CV,Obra,100.50,MXN,"
       "2025-03-10,2025-04-01,2025-12-15,licitación pública,")


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


def _encrypted_xlsx() -> bytes:
    # An OLE compound file (what Excel writes for a password-protected
    # workbook): its signature and the stream names are enough to recognise it.
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    return header + "EncryptedPackage".encode("utf-16-le") + b"\0" * 4096


def cases() -> list[tuple[str, str, bytes, str]]:
    rows = [HEADER.split(","), ROW.split(",")]
    latin = (HEADER + "\r\n" + ROW.replace("licitación", "licitaci\u00f3n") + "\r\n").encode("latin-1")
    cp1252 = (HEADER + "\r\n" + ROW.replace("Obra", "Obra \u201cnorte\u201d") + "\r\n").encode("cp1252")
    return [
        ("empty", "empty.csv", b"", "CSV"),
        ("whitespace only", "blank.csv", b"   \n\n  \n", "CSV"),
        ("header only", "header.csv", (HEADER + "\n").encode(), "CSV"),
        ("binary named csv", "image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "CSV"),
        ("pdf named csv", "report.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" * 50, "CSV"),
        ("semicolon delimiter", "semicolon.csv", (HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + "\n").encode(), "CSV"),
        ("tab delimiter", "tab.csv", (HEADER.replace(",", "\t") + "\n" + ROW.replace(",", "\t") + "\n").encode(), "CSV"),
        ("pipe delimiter", "pipe.csv", (HEADER.replace(",", "|") + "\n" + ROW.replace(",", "|") + "\n").encode(), "CSV"),
        ("latin-1", "latin1.csv", latin, "CSV"),
        ("windows-1252", "cp1252.csv", cp1252, "CSV"),
        ("utf-8 with BOM", "bom.csv", ("\ufeff" + HEADER + "\n" + ROW + "\n").encode(), "CSV"),
        ("mixed encodings", "mixed.csv", (HEADER + "\n" + ROW + "\n").encode() + "C-2,x,y,z,Compañía\n".encode("latin-1"), "CSV"),
        ("ragged rows", "ragged.csv", (HEADER + "\n" + ROW + "\nC-2,a\n" + ROW + ",extra,cells\n").encode(), "CSV"),
        ("duplicate headers", "dupheader.csv", (HEADER.replace("ocid", "contract_id") + "\n" + ROW + "\n").encode(), "CSV"),
        ("blank headers", "blankheader.csv", (HEADER.replace("ocid", "") + "\n" + ROW + "\n").encode(), "CSV"),
        ("quoted newlines", "newlines.csv", (HEADER + "\n" + ROW.replace("Obra", '"Obra\nen dos\nrenglones"') + "\n").encode(), "CSV"),
        ("10 MB single cell", "bigcell.csv", (HEADER + "\n" + ROW.replace("Obra", "x" * (10 * 1024 * 1024)) + "\n").encode(), "CSV"),
        ("formula injection", "formula.csv", (HEADER + "\n" + ROW.replace("Obra", '"=HYPERLINK(""http://evil.example"",""click"")"') + "\n").encode(), "CSV"),
        ("wrong types", "types.csv", (HEADER + "\n" + ROW.replace("100.50", "cien pesos").replace("2025-03-10", "10/03/2025") + "\n").encode(), "CSV"),
        ("blank rows", "blankrows.csv", (HEADER + "\n" + ROW + "\n,,,,,,,,,,,,\n\n" + ROW.replace("C-1", "C-2") + "\n").encode(), "CSV"),
        ("duplicate keys", "dupkeys.csv", (HEADER + "\n" + ROW + "\n" + ROW + "\n").encode(), "CSV"),
        ("hostile strings", "hostile.csv", (HEADER + "\n" + ROW.replace("Obra", '"<script>alert(1)</script> \'; DROP TABLE package;--"') + "\n").encode(), "CSV"),
        ("nul bytes", "nul.csv", (HEADER + "\n" + ROW.replace("Obra", "Ob\0ra") + "\n").encode(), "CSV"),
        ("only newlines and commas", "commas.csv", b",,,,\n,,,,\n", "CSV"),
        ("json named csv", "data.csv", b'{"contracts": [1, 2, 3]}', "CSV"),
        ("xlsx several sheets", "sheets.xlsx", _xlsx({"notas": [["léame"]], "datos": rows}), "XLSX"),
        ("xlsx valid first sheet", "valid.xlsx", _xlsx({"datos": rows}), "XLSX"),
        ("xlsx empty", "empty.xlsx", _xlsx({"datos": []}), "XLSX"),
        ("xlsx password protected", "locked.xlsx", _encrypted_xlsx(), "XLSX"),
        ("xlsx zip bomb", "bomb.xlsx", _zip_bomb(), "XLSX"),
        ("xlsx that is not a zip", "fake.xlsx", b"this is not a workbook", "XLSX"),
        ("pdf", "document.pdf", b"%PDF-1.4\n", "PDF"),
        ("no format declared", "noformat", (HEADER + "\n" + ROW + "\n").encode(), ""),
    ]
