"""Reading the IDX format, the file format of MNIST and Fashion-MNIST.

An IDX file is a header followed by the array's elements, big-endian, row-major:

    bytes 0-1   0x00 0x00
    byte  2     the element type: 0x08 ubyte, 0x09 byte, 0x0B short (int16),
                0x0C int (int32), 0x0D float (float32), 0x0E double (float64)
    byte  3     the number of dims, n
    then        n dim sizes, 4-byte big-endian unsigned ints
    then        prod(dims) elements

Files are often gzipped (``train-images-idx3-ubyte.gz``): :func:`read_idx` recognises
gzip by its magic bytes (1f 8b), never by the file name.
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib

import numpy as np

# The IDX element types, big-endian as they are stored.
TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_TYPE_NAMES = {0x08: "ubyte", 0x09: "byte", 0x0B: "short", 0x0C: "int", 0x0D: "float",
               0x0E: "double"}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzipped or raw).

    Returns a new, writable array in native byte order whose dtype is the file's
    element type (uint8, int8, int16, int32, float32 or float64) and whose shape is the
    file's dims.

    Raises ValueError naming the file when it is not a well-formed IDX file: a bad
    magic number, an unknown type code, a header or data shorter than the dims say,
    bytes after the data, or corrupt gzip data. FileNotFoundError when it is missing.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        buffer = f.read()
    if buffer[:2] == _GZIP_MAGIC:
        try:
            buffer = gzip.decompress(buffer)
        except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
            raise ValueError(f"{path}: corrupt or truncated gzip data ({e})") from None
    return parse_idx(buffer, name=path)


def parse_idx(buffer: bytes, name: str = "<buffer>") -> np.ndarray:
    """The array in an IDX file's (decompressed) bytes; ``name`` goes into errors."""
    size = len(buffer)
    if size < 4:
        raise ValueError(f"{name}: not an IDX file: {size} bytes, shorter than the 4-byte "
                         "magic number")
    zero0, zero1, code, ndim = buffer[0], buffer[1], buffer[2], buffer[3]
    if zero0 != 0 or zero1 != 0:
        raise ValueError(f"{name}: not an IDX file: bad magic number 0x{buffer[:4].hex()} "
                         "(expected two zero bytes, a type code and the number of dims, "
                         "e.g. 0x00000803 for ubyte images)")
    if code not in TYPES:
        known = ", ".join(f"0x{c:02X} ({n})" for c, n in _TYPE_NAMES.items())
        raise ValueError(f"{name}: unknown IDX type code 0x{code:02X} in the magic number; "
                         f"expected one of {known}")
    header = 4 + 4 * ndim
    if size < header:
        raise ValueError(f"{name}: truncated IDX header: {ndim} dims need a {header}-byte "
                         f"header, the file has {size} bytes")
    dims = struct.unpack(f">{ndim}I", buffer[4:header])
    dtype = TYPES[code]
    need = math.prod(dims) * dtype.itemsize
    have = size - header
    if have < need:
        raise ValueError(f"{name}: truncated IDX data: dims {dims} of {_TYPE_NAMES[code]} "
                         f"need {need} bytes after the {header}-byte header, found {have}")
    if have > need:
        raise ValueError(f"{name}: {have - need} trailing bytes after the IDX data: dims "
                         f"{dims} of {_TYPE_NAMES[code]} need exactly {header + need} bytes, "
                         f"the file has {size}")
    flat = np.frombuffer(buffer, dtype=dtype, count=math.prod(dims), offset=header)
    # astype copies: the result owns writable memory in native byte order.
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(dims)
