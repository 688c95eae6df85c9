"""aiotsec.read_keyfile*: the library's key-file parser through Python, against the
official vectors' keys, MemStore's reading of the same text, and every rejection."""

import pytest

import aiotsec
from aiotsec import KeyRecord, read_keyfile, read_keyfile_file, read_keyfile_text
from conftest import h, load_tsv

VECTORS = load_tsv("aiot-profile0.tsv")


def _vector_text():
    """A key file with one device per official vector row, comments and blank lines between."""
    lines = ["# Permanent-Identifier  K_AIOT_root", ""]
    for i, row in enumerate(VECTORS):
        sep = "\t" if i % 2 else "   "
        lines.append(sep.join([(b"V-%03d" % i).hex(), row["k_root"]]))
        lines.append("   # after row %d" % i)
    return "\n".join(lines) + "\n"


def _expected():
    return [(4 + 2 * i - 1, b"V-%03d" % i, h(row["k_root"])) for i, row in enumerate(VECTORS)]


def test_text_official_keys():
    recs = read_keyfile_text(_vector_text())
    assert [(r.line, r.perm_id, r.k_root) for r in recs] == _expected()
    assert {len(r.k_root) for r in recs} <= {16, 32}
    # bytes input and read_keyfile() dispatch give the same records
    assert read_keyfile_text(_vector_text().encode()) == recs
    assert read_keyfile(_vector_text()) == recs
    assert read_keyfile(bytearray(_vector_text().encode())) == recs
    # K_AIOT_root stays out of repr
    assert all(VECTORS[i]["k_root"] not in repr(r) for i, r in enumerate(recs))


def test_same_reading_as_memstore(ctx):
    text = _vector_text()
    with aiotsec.MemStore(ctx) as store:
        store.load_text(text)
        assert store.perm_ids() == [r.perm_id for r in read_keyfile_text(text)]


def test_three_column_form_of_0_1_is_still_read():
    """The 0.1 form (identification information first): its first column is ignored."""
    old = "".join("%s %s %s\n" % (bytes([0xA0, i]).hex(), (b"V-%03d" % i).hex(), row["k_root"])
                  for i, row in enumerate(VECTORS))
    new = "".join("%s %s\n" % ((b"V-%03d" % i).hex(), row["k_root"]) for i, row in enumerate(VECTORS))
    assert read_keyfile_text(old) == read_keyfile_text(new)
    mixed = old.splitlines()[0] + "\n" + new.splitlines()[1] + "\n"
    assert [r.perm_id for r in read_keyfile_text(mixed)] == [b"V-000", b"V-001"]


def test_file_forms(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(_vector_text())
    want = read_keyfile_text(_vector_text())
    assert read_keyfile(path) == want                   # PathLike: a file
    assert read_keyfile_file(str(path)) == want         # path in a str
    assert read_keyfile_file(bytes(path)) == want
    # a file larger than any read buffer, streamed
    big = "".join("%s %s\n" % ((b"P%06d" % i).hex(), "11" * 16) for i in range(5000))
    path.write_text(big)
    recs = read_keyfile(path)
    assert len(recs) == 5000 and recs[-1].line == 5000 and recs[-1].perm_id == b"P004999"


def test_empty_and_comments_only():
    assert read_keyfile_text("") == []
    assert read_keyfile_text("# nothing\n\n   \n\t# still nothing") == []


@pytest.mark.parametrize("bad, name, cls", [
    ("4d2d30 00", "AIOTSEC_E_BAD_LENGTH", aiotsec.ArgumentError),                # key 1 octet
    ("4d2d30", "AIOTSEC_E_PARSE", aiotsec.ProcedureError),                      # one field
    ("4d2d3 " + "00" * 16, "AIOTSEC_E_PARSE", aiotsec.ProcedureError),          # odd hex
    ("4d2dzz " + "00" * 16, "AIOTSEC_E_PARSE", aiotsec.ProcedureError),
    ("00" * 65 + " " + "00" * 16, "AIOTSEC_E_BAD_LENGTH", aiotsec.ArgumentError),  # 65 octets
    ("0102a0 4d2d30 " + "00" * 16 + " extra", "AIOTSEC_E_PARSE", aiotsec.ProcedureError),  # four
    ("0102a0 4d2d30 " + "00" * 24, "AIOTSEC_E_BAD_LENGTH", aiotsec.ArgumentError),  # 24-octet key
    ("#" + "x" * 1100, "AIOTSEC_E_PARSE", aiotsec.ProcedureError),             # line over 1024
])
def test_rejections_name_the_line(bad, name, cls, tmp_path):
    text = "# header\n0c0d " + "22" * 32 + "\n" + bad + "\n0c0e " + "33" * 16 + "\n"
    with pytest.raises(cls) as ei:
        read_keyfile_text(text)
    assert ei.value.name == name
    assert ei.value.line == 3
    assert "line 3" in str(ei.value)
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(cls) as ei:
        read_keyfile(path)
    assert (ei.value.name, ei.value.line) == (name, 3)


def test_memstore_errors_carry_line(ctx):
    with aiotsec.MemStore(ctx) as store:
        with pytest.raises(aiotsec.ProcedureError) as ei:
            store.load_text("0c0d " + "22" * 16 + "\n\nnot hex\n")
        assert (ei.value.name, ei.value.line) == ("AIOTSEC_E_PARSE", 3)


def test_bad_arguments(tmp_path):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        read_keyfile(tmp_path / "missing.txt")
    assert ei.value.name == "AIOTSEC_E_IO" and ei.value.line is None
    with pytest.raises(TypeError):
        read_keyfile_text(None)
    with pytest.raises(TypeError):
        read_keyfile(42)
    with pytest.raises(TypeError):
        read_keyfile_file(42)
    with pytest.raises(ValueError):
        read_keyfile_file("bad\0name")
    # binary garbage is a parse error, not a crash
    with pytest.raises(aiotsec.ProcedureError):
        read_keyfile_text(bytes(range(256)) * 4)


def test_record_type():
    rec = read_keyfile_text("02 " + "ab" * 16)[0]
    assert isinstance(rec, KeyRecord)
    assert (rec.line, rec.perm_id, rec.k_root) == (1, b"\x02", b"\xab" * 16)
    assert "ab" * 16 not in repr(rec) and "k_root" not in repr(rec)
    with pytest.raises(Exception):
        rec.line = 2                      # frozen
