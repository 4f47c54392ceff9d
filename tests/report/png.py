"""A minimal PNG reader (8-bit RGB/RGBA/grey, non-interlaced: what Chromium and rsvg-convert
write) in the standard library, so the browser test needs no imaging package."""
import struct
import zlib


def read_png(path):
    """Returns (width, height, channels, rows): rows is a list of bytes, one per scanline."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {color})")
    raw = zlib.decompress(idat)
    stride, bpp = width * channels, channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def ink_fraction(png, top=0, bottom=None):
    """Share of pixels in rows [top, bottom) that are not (near) white: 0 for a blank page."""
    width, height, channels, rows = png
    bottom = height if bottom is None else min(bottom, height)
    inked = total = 0
    for y in range(top, bottom):
        line = rows[y]
        for x in range(0, width * channels, channels * 4):  # every 4th pixel is plenty
            px = line[x:x + min(channels, 3)]
            total += 1
            if channels == 4 and line[x + 3] < 16:
                continue  # transparent
            if min(px) < 230:
                inked += 1
    return inked / total if total else 0.0


def write_png(path, width, height, channels, rows):
    """Writes rows (filter 0) as a PNG: lets a person crop a tall screenshot to look at it."""
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


if __name__ == "__main__":
    # png.py IN.png OUT.png TOP BOTTOM: crop rows [TOP, BOTTOM)
    import sys
    w, h, ch, rows = read_png(sys.argv[1])
    top, bottom = int(sys.argv[3]), min(int(sys.argv[4]), h)
    write_png(sys.argv[2], w, bottom - top, ch, rows[top:bottom])
