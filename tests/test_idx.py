"""minigrad.data.read_idx on small IDX files written here, raw and gzipped."""
import gzip
import struct

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.data import read_idx

# The test's own table of IDX type codes (big-endian element types).
CODES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def write_idx(path, array, code, gz=False, body=None):
    """An IDX file: 00 00 <code> <ndim>, the dims as big-endian uint32, the elements
    big-endian. ``body`` replaces the elements' bytes (to write broken files)."""
    array = np.asarray(array)
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + (array.astype(CODES[code]).tobytes() if body is None else body)
    write_bytes(path, data, gz)
    return path


def write_bytes(path, data, gz=False):
    with open(path, "wb") as f:
        f.write(gzip.compress(data) if gz else data)
    return path


# ---- hand-made files ---------------------------------------------------------------
def test_a_hand_written_ubyte_matrix(tmp_path):
    data = bytes.fromhex("00000802" "00000002" "00000003" "010203040506")
    out = read_idx(write_bytes(tmp_path / "m.idx", data))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[1, 2, 3], [4, 5, 6]])


def test_a_hand_written_big_endian_short_vector(tmp_path):
    # FF FE is -2 and 01 00 is 256, read big-endian.
    data = bytes.fromhex("00000B01" "00000002" "FFFE" "0100")
    out = read_idx(write_bytes(tmp_path / "v.idx", data))
    assert out.dtype == np.int16 and out.dtype.isnative
    np.testing.assert_array_equal(out, [-2, 256])


def test_a_hand_written_double(tmp_path):
    data = bytes.fromhex("00000E01" "00000001" "3FF8000000000000")  # 1.5
    np.testing.assert_array_equal(read_idx(write_bytes(tmp_path / "d.idx", data)), [1.5])


@pytest.mark.parametrize("gz", [False, True])
def test_gzip_is_recognised_by_its_magic_bytes_not_the_name(tmp_path, gz):
    # A gzipped file without .gz and a raw file named .gz both read.
    path = tmp_path / ("images.idx" if gz else "images.idx.gz")
    write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 4), 0x08, gz=gz)
    np.testing.assert_array_equal(read_idx(path), np.arange(12).reshape(3, 4))


def test_result_is_writable_and_accepts_str_paths(tmp_path):
    path = write_idx(tmp_path / "a.idx", np.array([1, 2], dtype=np.int32), 0x0C)
    out = read_idx(str(path))
    out[0] = 7  # owns its memory
    assert out.tolist() == [7, 2]


# ---- round trips over dtypes and ranks ---------------------------------------------
@st.composite
def idx_arrays(draw):
    code = draw(st.sampled_from(sorted(CODES)))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    array = draw(hnp.arrays(np.dtype(CODES[code]).newbyteorder("="), shape))
    return code, array


@given(idx_arrays(), st.booleans())
def test_round_trip_of_every_type_and_rank(tmp_path_factory, case, gz):
    code, array = case
    path = write_idx(tmp_path_factory.mktemp("idx") / "x.idx", array, code, gz=gz)
    out = read_idx(path)
    assert out.shape == array.shape
    assert out.dtype == array.dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, array)  # NaNs compare equal here


# ---- broken files ------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic_number(tmp_path, gz):
    path = write_bytes(tmp_path / "bad.idx", bytes.fromhex("01000801" "00000001" "05"), gz)
    with pytest.raises(ValueError, match=r"bad\.idx: not an IDX file: bad magic number 0x01000801"):
        read_idx(path)


def test_a_text_file_is_not_an_idx_file(tmp_path):
    path = write_bytes(tmp_path / "page.html", b"<html>404 not found</html>")
    with pytest.raises(ValueError, match="page.html: not an IDX file: bad magic"):
        read_idx(path)


def test_shorter_than_the_magic_number(tmp_path):
    path = write_bytes(tmp_path / "tiny.idx", b"\x00\x00")
    with pytest.raises(ValueError, match=r"tiny\.idx: not an IDX file: 2 bytes"):
        read_idx(path)


def test_unknown_type_code(tmp_path):
    path = write_bytes(tmp_path / "t.idx", bytes.fromhex("00000A01" "00000001" "05"))
    with pytest.raises(ValueError, match=r"t\.idx: unknown IDX type code 0x0A.*0x08 \(ubyte\)"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tmp_path, gz):
    # 2 x 3 int32 need 24 bytes; the file has 23.
    body = np.arange(6, dtype=">i4").tobytes()[:-1]
    path = write_idx(tmp_path / "cut.idx", np.zeros((2, 3)), 0x0C, gz=gz, body=body)
    with pytest.raises(ValueError, match=r"cut\.idx: truncated IDX data: dims \(2, 3\) of int "
                                         r"need 24 bytes .* found 23"):
        read_idx(path)


def test_truncated_header(tmp_path):
    # Three dims announced, only one dim size present.
    path = write_bytes(tmp_path / "h.idx", bytes.fromhex("00000803" "00000002"))
    with pytest.raises(ValueError, match=r"h\.idx: truncated IDX header: 3 dims need a 16-byte"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_trailing_bytes(tmp_path, gz):
    path = write_idx(tmp_path / "long.idx", np.zeros(3), 0x08, gz=gz, body=b"\x01\x02\x03\x04\x05")
    with pytest.raises(ValueError, match=r"long\.idx: 2 trailing bytes after the IDX data"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path):
    whole = gzip.compress(bytes.fromhex("00000801" "00000040") + bytes(range(64)))
    path = write_bytes(tmp_path / "cut.gz", whole[: len(whole) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz: corrupt or truncated gzip data"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nothing.idx")
