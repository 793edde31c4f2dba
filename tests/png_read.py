"""Reads a PNG with Python's standard library alone, checking it as it
goes: the signature, every chunk's CRC-32, IHDR first and IEND last, the
zlib stream of the IDAT chunks, each row's filter.  Eight-bit RGB or RGBA,
not interlaced (what corpusrun writes, and Chromium's screenshots).
read_png(path) -> (width, height, pixel) where pixel(x, y) is a tuple of
the samples.  (A module of the tests, not a test.)"""
import struct
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s: not a PNG signature" % path
    pos, chunks = 8, []
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, "%s: bad CRC of %r" % (path, kind)
        chunks.append((kind, body))
        pos += 12 + n
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds, kinds
    w, h, depth, colour, comp, filt, inter = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and (comp, filt, inter) == (0, 0, 0), \
        "%s: not 8-bit RGB(A), or interlaced" % path
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = bpp * w
    assert len(raw) == h * (stride + 1), "%s: %d bytes of image data" % (path, len(raw))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        assert f <= 4, "%s: row %d: filter %d" % (path, y, f)
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 0:
                pred = 0
            elif f == 1:
                pred = a
            elif f == 2:
                pred = b
            elif f == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return w, h, lambda x, y: tuple(rows[y][bpp * x:bpp * x + bpp])
