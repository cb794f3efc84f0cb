"""Checks the app's screenshot: a PNG of the window's size whose graph area
shows the charts' line colours (not a blank or half-drawn window).

    check_screenshot.py SHOT.png WIDTH HEIGHT

Decodes the PNG with zlib and struct only (8-bit RGB or RGBA, no interlace,
as cairo and app/gui/png_plain.cpp write it), checking every chunk's CRC and
(through zlib) the Adler-32 of the image data."""
import struct
import sys
import zlib


def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if crc != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in the {kind.decode(errors='replace')} chunk")
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                raise ValueError(f"unsupported PNG: depth {depth} colour {colour} interlace {interlace}")
            bpp = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


# The throughput chart's line colours (app/gui/chart.cpp).
LINE_COLOURS = [(79, 195, 247), (255, 167, 38), (102, 230, 120), (240, 98, 146)]


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    width, height, bpp, rows = decode_png(path)
    print(f"screenshot {width}x{height}")
    if (width, height) != (want_w, want_h):
        print(f"expected {want_w}x{want_h}")
        return 1
    # The graphs sit right of the settings column, in the top ~60%.
    x0, x1 = int(width * 0.35), width - 10
    y0, y1 = int(height * 0.06), int(height * 0.6)
    colours, line_pixels = set(), 0
    for y in range(y0, y1, 2):
        row = rows[y]
        for x in range(x0, x1, 2):
            px = tuple(row[x * bpp:x * bpp + 3])
            colours.add(px)
            if any(sum(abs(p - q) for p, q in zip(px, c)) < 60 for c in LINE_COLOURS):
                line_pixels += 1
    print(f"graph area: {len(colours)} distinct colours, {line_pixels} line-coloured pixels (sampled)")
    if len(colours) < 20:
        print("the graph area is (nearly) blank")
        return 1
    if line_pixels < 40:
        print("no chart lines in the graph area")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
