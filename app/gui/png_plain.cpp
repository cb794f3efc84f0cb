// png_plain: write_png without cairo (SWARMBENCH_WITH_GRAPHS=OFF, e.g. the
// Windows cross build), so --screenshot and --write-icon work everywhere.
//
// The smallest valid PNG (RFC 2083, zlib RFC 1950, deflate RFC 1951): 8-bit
// RGBA, no interlace, filter 0 on every row, and the zlib stream made of
// deflate "stored" blocks, i.e. not compressed at all. A 1280x800 screenshot
// is then 4 MB instead of cairo's few hundred KB; that is the price of
// needing no zlib. CRC-32 (per chunk) and Adler-32 (over the raw rows) are
// computed here, table-free for Adler and with a 256-entry table for CRC.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "png.hpp"

namespace swarmbench::gui {
namespace {

/// CRC-32 as PNG and zlib define it (reflected polynomial 0xEDB88320).
class crc32 {
public:
    void add(const std::uint8_t* p, std::size_t n) noexcept {
        for (std::size_t i = 0; i < n; ++i) crc_ = table()[(crc_ ^ p[i]) & 0xFFu] ^ (crc_ >> 8);
    }
    std::uint32_t value() const noexcept { return crc_ ^ 0xFFFFFFFFu; }

private:
    static const std::array<std::uint32_t, 256>& table() noexcept {
        static const std::array<std::uint32_t, 256> t = [] {
            std::array<std::uint32_t, 256> out{};
            for (std::uint32_t n = 0; n < 256; ++n) {
                std::uint32_t c = n;
                for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                out[n] = c;
            }
            return out;
        }();
        return t;
    }
    std::uint32_t crc_ = 0xFFFFFFFFu;  // running register, inverted at the end
};

/// Adler-32 over the uncompressed zlib payload.
class adler32 {
public:
    void add(const std::uint8_t* p, std::size_t n) noexcept {
        // 5552 bytes is the most that cannot overflow 32 bits before the modulo.
        while (n > 0) {
            const std::size_t run = n < 5552 ? n : 5552;
            for (std::size_t i = 0; i < run; ++i) {
                a_ += p[i];
                b_ += a_;
            }
            a_ %= 65521u;
            b_ %= 65521u;
            p += run;
            n -= run;
        }
    }
    std::uint32_t value() const noexcept { return (b_ << 16) | a_; }

private:
    std::uint32_t a_ = 1;  // sum of bytes + 1
    std::uint32_t b_ = 0;  // sum of the a_ values
};

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

/// Appends one chunk: length, type, data, CRC over type and data.
void put_chunk(std::vector<std::uint8_t>& out, const char (&type)[5], const std::vector<std::uint8_t>& data) {
    put_be32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    crc32 crc;
    crc.add(out.data() + type_at, out.size() - type_at);
    put_be32(out, crc.value());
}

/// The PNG file's bytes for top-down RGBA pixels.
std::vector<std::uint8_t> encode_png(int width, int height, const std::vector<std::uint8_t>& rgba) {
    const std::size_t row = static_cast<std::size_t>(width) * 4;
    // The image data: each row is a filter-type byte (0, none) and its pixels.
    std::vector<std::uint8_t> raw;
    raw.reserve((row + 1) * static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y) {
        raw.push_back(0);
        const auto* src = rgba.data() + static_cast<std::size_t>(y) * row;
        raw.insert(raw.end(), src, src + row);
    }

    // zlib: header (deflate, 32 KiB window, no dictionary, check bits so that
    // 0x7801 % 31 == 0), stored blocks of at most 65535 bytes, Adler-32.
    constexpr std::size_t max_block = 65535;
    std::vector<std::uint8_t> z;
    z.reserve(raw.size() + raw.size() / max_block * 5 + 16);
    z.push_back(0x78);
    z.push_back(0x01);
    std::size_t at = 0;
    do {
        const std::size_t len = std::min(max_block, raw.size() - at);
        const bool last = at + len == raw.size();
        z.push_back(last ? 1 : 0);  // BFINAL, BTYPE=00 (stored); the rest of the byte is padding
        z.push_back(static_cast<std::uint8_t>(len));
        z.push_back(static_cast<std::uint8_t>(len >> 8));
        z.push_back(static_cast<std::uint8_t>(~len));
        z.push_back(static_cast<std::uint8_t>(~len >> 8));
        z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(at), raw.begin() + static_cast<std::ptrdiff_t>(at + len));
        at += len;
    } while (at < raw.size());
    adler32 adler;
    adler.add(raw.data(), raw.size());
    put_be32(z, adler.value());

    std::vector<std::uint8_t> ihdr;
    put_be32(ihdr, static_cast<std::uint32_t>(width));
    put_be32(ihdr, static_cast<std::uint32_t>(height));
    ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});  // 8 bits, RGBA, deflate, filter method 0, no interlace

    std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    png.reserve(z.size() + 64);
    put_chunk(png, "IHDR", ihdr);
    put_chunk(png, "IDAT", z);
    put_chunk(png, "IEND", {});
    return png;
}

}  // namespace

std::optional<std::string> write_png(const std::filesystem::path& path, int width, int height,
                                     const std::vector<std::uint8_t>& rgba) {
    if (width <= 0 || height <= 0 || rgba.size() < static_cast<std::size_t>(width) * height * 4)
        return "cannot write " + path.string() + ": no pixels";
    // One IDAT chunk: its length field is 31 bits (a 23000x23000 image).
    if (static_cast<std::uint64_t>(width) * 4 * static_cast<std::uint64_t>(height) > 0x7FFF0000u)
        return "cannot write " + path.string() + ": image too large";
    const std::vector<std::uint8_t> png = encode_png(width, height, rgba);
    errno = 0;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + path.string() + ": " + (errno != 0 ? std::strerror(errno) : "cannot open");
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    out.close();
    if (!out) return "cannot write " + path.string() + ": write failed (disk full?)";
    return std::nullopt;
}

}  // namespace swarmbench::gui
