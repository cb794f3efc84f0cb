// The unit policy (units.hpp), the one every front end reads sizes and rates
// by: binary and decimal prefixes, bits for rates, and ambiguous spellings
// refused with both readings named.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "swarmbench/units.hpp"

namespace swarmbench {
namespace {

struct accepted {
    const char* text;
    quantity q;
    std::uint64_t bytes;
};

TEST(Units, TheSpellingsThePolicyAcceptsAndWhatTheyMean) {
    const accepted table[] = {
        {"4096", quantity::size, 4096},
        {" 512 B ", quantity::size, 512},
        {"16KiB", quantity::size, 16384},
        {"16 kib", quantity::size, 16384},  // binary prefixes are unambiguous in any case
        {"1.5GiB", quantity::size, 1536ull << 20},
        {"2TiB", quantity::size, 2ull << 40},
        {"16kB", quantity::size, 16000},
        {"1.5GB", quantity::size, 1'500'000'000},
        {"3MB", quantity::size, 3'000'000},
        {"4MiB/s", quantity::rate, 4ull << 20},
        {"100Mbit", quantity::rate, 12'500'000},
        {"1 Gbit/s", quantity::rate, 125'000'000},
        {"8kbit", quantity::rate, 1000},
        {"250kB/s", quantity::rate, 250'000},
        {"0", quantity::rate, 0},
    };
    for (const accepted& a : table) {
        const auto r = parse_quantity(a.text, a.q);
        ASSERT_TRUE(r) << a.text << ": " << r.error();
        EXPECT_EQ(r.value(), a.bytes) << a.text;
    }
}

struct refused {
    const char* text;
    quantity q;
    const char* error;
};

TEST(Units, AmbiguousAndWrongSpellingsAreRefusedSayingWhatWasMeantPossibly) {
    const refused table[] = {
        {"16K", quantity::size, "ambiguous unit \"K\" in \"16K\": write 16KiB (16384 bytes) or 16kB (16000 bytes)"},
        {"1G", quantity::size, "ambiguous unit \"G\" in \"1G\": write 1GiB (1073741824 bytes) or 1GB (1000000000 bytes)"},
        {"16KB", quantity::size, "ambiguous unit \"KB\" in \"16KB\": write 16KiB (16384 bytes) or 16kB (16000 bytes)"},
        {"2mb", quantity::rate, "ambiguous unit \"mb\" in \"2mb\": write 2MiB (2097152 bytes) or 2MB (2000000 bytes)"},
        {"4 b", quantity::rate, "ambiguous unit \"b\" in \"4 b\": write B for bytes or Kbit, Mbit, Gbit for bits"},
        {"100Mbit", quantity::size, "bits are for rates; a size is in bytes (1GiB, 256KiB or 4096), got \"100Mbit\""},
        {"4MiB/s", quantity::size, "a size takes no \"/s\", got \"4MiB/s\""},
        {"1 parsec", quantity::size,
         "unknown unit \"parsec\" in \"1 parsec\" (units: B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)"},
        {"fast", quantity::rate, "expected a number with an optional unit such as 4MiB/s, 100Mbit or 1048576, got \"fast\""},
        {"-1KiB", quantity::size, "must not be negative, got \"-1KiB\""},
        {"1.3B", quantity::size, "not a whole number of bytes, or too large: \"1.3B\""},
        {"1bit", quantity::rate, "unknown unit \"bit\" in \"1bit\" (units: B, KiB, MiB, GiB, TiB, kB, MB, GB, TB; rates also Kbit, Mbit, Gbit and /s)"},
        {"20000PiB", quantity::size, "not a whole number of bytes, or too large: \"20000PiB\""},
    };
    for (const refused& r : table) {
        const auto got = parse_quantity(r.text, r.q);
        ASSERT_FALSE(got) << r.text << " was read as " << got.value();
        EXPECT_EQ(got.error(), r.error) << r.text;
    }
}

TEST(Units, OutputIsBinaryForBytesBitsBesideRatesAndThreeDigitsForMilliseconds) {
    EXPECT_EQ(format_bytes(16384), "16 KiB");
    EXPECT_EQ(format_bytes(1.5 * (1 << 30)), "1.50 GiB");
    EXPECT_EQ(format_rate(125'000'000), "119 MiB/s (1 Gbit/s)");
    EXPECT_EQ(format_ms(0.012345), "0.0123 ms");
    EXPECT_EQ(format_ms(1.2345), "1.23 ms");
    EXPECT_EQ(format_ms(123.45), "123 ms");
    EXPECT_EQ(format_ms(999.7), "1000 ms");
    EXPECT_EQ(format_ms(12345.6), "12346 ms");
    EXPECT_EQ(format_ms(0), "0 ms");
}

}  // namespace
}  // namespace swarmbench
