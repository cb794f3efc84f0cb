// bencode: round trips, limits, and every malformed case with its reason.
#include <gtest/gtest.h>

#include <string>

#include "swarmbench/bt/bencode.hpp"

namespace bc = swarmbench::bt::bencode;

namespace {

std::string error_of(std::string_view input, const bc::decode_limits& limits = {}) {
    auto r = bc::decode(input, limits);
    EXPECT_FALSE(r.ok()) << "accepted: " << input;
    return r.ok() ? std::string() : r.error();
}

}  // namespace

TEST(Bencode, DecodesEveryType) {
    auto r = bc::decode("d4:listli1ei-2e3:abce3:numi42e3:str5:hello1:zdee");
    ASSERT_TRUE(r.ok()) << r.error();
    const bc::value& v = r.value();
    ASSERT_TRUE(v.is_dict());
    EXPECT_EQ(v.find("num")->as_int(), 42);
    EXPECT_EQ(v.find("str")->as_string(), "hello");
    const auto& l = v.find("list")->as_list();
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[1].as_int(), -2);
    EXPECT_TRUE(v.find("z")->is_dict());
    EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(Bencode, RoundTripsCanonicalInput) {
    const std::string inputs[] = {
        "i0e", "i-1e", "i9223372036854775807e", "i-9223372036854775808e", "0:", "3:a\0b",
        "le", "de", "lli1eeli2eee", "d1:ai1e1:bi2ee", "d0:i1e1:ai2ee", "d1:\xff" "i1ee",
    };
    for (std::string in : inputs) {
        if (in == "3:a") in = std::string("3:a\0b", 5);
        auto r = bc::decode(in);
        ASSERT_TRUE(r.ok()) << in << ": " << r.error();
        EXPECT_EQ(bc::encode(r.value()), in);
    }
}

TEST(Bencode, EncodesCanonically) {
    bc::dict d;
    bc::dict_set(d, "zeta", 1);
    bc::dict_set(d, "alpha", bc::list{bc::value("x"), bc::value(std::int64_t{-7})});
    bc::dict_set(d, "mid", std::string("\x00\x01", 2));
    bc::dict_set(d, "zeta", 2);  // replaces
    EXPECT_EQ(bc::encode(bc::value(d)), std::string("d5:alphal1:xi-7ee3:mid2:\x00\x01" "4:zetai2ee", 36));
    // Keys compare as unsigned bytes: 0xff sorts after 'a'.
    bc::dict e;
    bc::dict_set(e, "\xff", 1);
    bc::dict_set(e, "a", 2);
    EXPECT_EQ(bc::encode(bc::value(e)), "d1:ai2e1:\xffi1ee");
}

TEST(Bencode, RejectsNonCanonicalIntegers) {
    EXPECT_EQ(error_of("i03e"), "bencode: leading zero in integer at offset 1");
    EXPECT_EQ(error_of("i-0e"), "bencode: negative zero in integer at offset 1");
    EXPECT_EQ(error_of("ie"), "bencode: integer has no digits at offset 1");
    EXPECT_EQ(error_of("i-e"), "bencode: integer has no digits at offset 1");
    EXPECT_EQ(error_of("i1x2e"), "bencode: unexpected character 'x' in integer at offset 2");
    EXPECT_EQ(error_of("i+1e"), "bencode: integer has no digits at offset 1");
    EXPECT_EQ(error_of("i12"), "bencode: unexpected end of input in integer at offset 3");
    EXPECT_EQ(error_of("i9223372036854775808e"), "bencode: integer overflows 64 bits at offset 1");
    EXPECT_EQ(error_of("i-9223372036854775809e"), "bencode: integer overflows 64 bits at offset 1");
}

TEST(Bencode, RejectsBadStrings) {
    EXPECT_EQ(error_of("03:abc"), "bencode: leading zero in string length at offset 0");
    EXPECT_EQ(error_of("5:abc"), "bencode: string length 5 exceeds the 3 bytes remaining at offset 0");
    // A huge declared length is refused before any allocation.
    EXPECT_EQ(error_of("9999999999:x"),
              "bencode: string length 9999999999 exceeds the 1 bytes remaining at offset 0");
    EXPECT_EQ(error_of("99999999999999999999:x"), "bencode: string length overflows 64 bits at offset 0");
    EXPECT_EQ(error_of("3abc"), "bencode: unexpected character 'a' in string length at offset 1");
}

TEST(Bencode, RejectsBadDictionaries) {
    EXPECT_EQ(error_of("d1:bi1e1:ai2ee"), "bencode: dictionary keys out of order at offset 7");
    EXPECT_EQ(error_of("d1:ai1e1:ai2ee"), "bencode: duplicate dictionary key at offset 7");
    EXPECT_EQ(error_of("di1ei2ee"), "bencode: dictionary key is not a string at offset 1");
    EXPECT_EQ(error_of("d1:ai1e"), "bencode: unterminated dictionary at offset 7");
    EXPECT_EQ(error_of("d1:ae"), "bencode: unexpected character 'e' at offset 4");
}

TEST(Bencode, RejectsStructuralErrors) {
    EXPECT_EQ(error_of(""), "bencode: empty input at offset 0");
    EXPECT_EQ(error_of("i1ei2e"), "bencode: trailing data after the top-level value at offset 3");
    EXPECT_EQ(error_of("li1e"), "bencode: unterminated list at offset 4");
    EXPECT_EQ(error_of("x"), "bencode: unexpected character 'x' at offset 0");
    EXPECT_EQ(error_of(std::string("\x01", 1)), "bencode: unexpected character '\\x01' at offset 0");
    EXPECT_EQ(error_of("e"), "bencode: unexpected character 'e' at offset 0");
}

TEST(Bencode, EnforcesLimits) {
    bc::decode_limits limits;
    limits.max_depth = 3;
    EXPECT_TRUE(bc::decode("llleee", limits).ok());
    EXPECT_EQ(error_of("lllleeee", limits), "bencode: nesting deeper than 3 levels at offset 3");
    limits = {};
    limits.max_items = 3;
    EXPECT_TRUE(bc::decode("li1ei2ee", limits).ok());
    EXPECT_EQ(error_of("li1ei2ei3ee", limits), "bencode: more than 3 items at offset 7");
    limits = {};
    limits.max_input = 4;
    EXPECT_EQ(error_of("i100e", limits), "bencode: input of 5 bytes exceeds the limit of 4 bytes at offset 0");
    // The default depth limit stops a deeply nested bomb without overflowing the stack.
    const std::string bomb = std::string(100000, 'l') + std::string(100000, 'e');
    EXPECT_EQ(error_of(bomb), "bencode: nesting deeper than 64 levels at offset 64");
}

TEST(Bencode, CapturesRawValueOfTopLevelKey) {
    const std::string in = "d4:infod1:ai1ee4:infz3:xyze";
    std::span<const std::byte> raw;
    auto r = bc::decode_with_raw(std::as_bytes(std::span<const char>(in.data(), in.size())), "info", raw);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()), "d1:ai1ee");
    // Only the top level counts.
    const std::string nested = "d1:ad4:infoi1eee";
    r = bc::decode_with_raw(std::as_bytes(std::span<const char>(nested.data(), nested.size())), "info", raw);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(raw.empty());
}
