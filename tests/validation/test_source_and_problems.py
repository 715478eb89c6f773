"""Sniffing, bad-input problems, sheets, capping, progress and cancellation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ckanext.anticorruption.validation import ValidationCancelled, validate_file
from ckanext.anticorruption.validation.source import detect_delimiter, detect_encoding

from tests.validation.corpus import build_table, table_schema, write_csv, write_xlsx

SCHEMA = table_schema("contracts_register")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("año,niño\n".encode(), "utf-8"),
        (b"\xef\xbb\xbfa,b\n", "utf-8-sig"),
        ("año “x”\n".encode("cp1252"), "cp1252"),
        ("año\n".encode("latin-1"), "latin-1"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data, complete=True) == expected


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_detect_delimiter(delimiter: str) -> None:
    text = "\n".join(delimiter.join(["a", "b c", "d"]) for _ in range(5))
    assert detect_delimiter(text) == delimiter


def test_bom_is_not_in_the_first_label(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", error_rate=0)
    path = write_csv(tmp_path / "bom.csv", header, rows, encoding="utf-8-sig")
    result = validate_file(str(path), SCHEMA)
    assert result.state == "valid", result.error_counts
    assert result.detected["encoding"] == "utf-8-sig"
    assert result.report and result.report["tasks"][0]["labels"][0] == "contract_id"


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    result = validate_file(str(path), SCHEMA, format="CSV")
    assert (result.state, result.problem) == ("error", "empty-file")


def test_binary_named_csv_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = validate_file(str(path), SCHEMA, format="csv")
    assert (result.state, result.problem) == ("error", "not-a-table")


def test_declared_pdf_is_not_validated(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    result = validate_file(str(path), SCHEMA, format="PDF")
    assert (result.state, result.problem, result.problem_params) == ("not_validated", "format-not-supported", {"format": "pdf"})


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    result = validate_file(str(path), SCHEMA, format="xlsx")
    assert (result.state, result.problem) == ("error", "password-protected")


def test_zip_bomb_is_refused_before_extracting(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    result = validate_file(str(path), SCHEMA, format="xlsx")
    assert (result.state, result.problem) == ("error", "zip-bomb")


def test_sheet_selection(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=10)
    path = write_xlsx(tmp_path / "book.xlsx", header, rows, sheet="Datos", extra_sheets=("Notas",))
    assert validate_file(str(path), SCHEMA).detected["sheet"] == "Datos"
    assert validate_file(str(path), SCHEMA, sheet=2).detected["sheet"] == "Notas"
    missing = validate_file(str(path), SCHEMA, sheet="Otra")
    assert (missing.state, missing.problem) == ("error", "sheet-not-found")
    assert missing.problem_params == {"sheet": "Otra", "sheets": ["Datos", "Notas"]}


def test_huge_cell_does_not_crash(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=5)
    rows[2][5] = "x" * (10 * 1024 * 1024)
    path = write_csv(tmp_path / "huge.csv", header, rows)
    result = validate_file(str(path), SCHEMA)
    assert result.state == "valid", result.error_counts


def test_cap_keeps_true_totals(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=200, error_rate=0)
    for row in rows:
        row[6] = "n/a"
    path = write_csv(tmp_path / "bad.csv", header, rows)
    result = validate_file(str(path), SCHEMA, max_errors_per_type=5)
    assert result.error_counts == {"type-error": 200}
    assert result.error_count == 200
    assert result.report is not None
    kept = result.report["tasks"][0]["errors"]
    assert [error["rowNumber"] for error in kept] == [2, 3, 4, 5, 6]


def test_progress_and_cancel(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=3000, error_rate=0)
    path = write_csv(tmp_path / "rows.csv", header, rows)
    seen: list[int] = []
    validate_file(str(path), SCHEMA, progress=seen.append, progress_every=1000)
    assert seen and seen[-1] <= 3000
    with pytest.raises(ValidationCancelled):
        validate_file(str(path), SCHEMA, cancelled=lambda: True)
    with pytest.raises(ValidationCancelled):
        validate_file(str(path), SCHEMA, cancelled=lambda: True, engine="frictionless")


# pyarrow decodes a ragged row's text before calling our handler, and an
# invalid byte there is reported as "unraisable" by Cython; the result is
# still an error result, which is what this test checks.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_late_decoding_error_is_a_result(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=10)
    path = write_csv(tmp_path / "late.csv", header, rows)
    with open(path, "ab") as handle:
        handle.write(b"X" * (5 * 1024 * 1024) + b"\xff\xfe,broken\r\n")
    result = validate_file(str(path), SCHEMA)
    assert result.state in {"error", "invalid"}
    if result.state == "error":
        assert result.problem in {"encoding", "unreadable"}
