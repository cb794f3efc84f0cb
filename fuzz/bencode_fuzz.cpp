// bencode_fuzz: the strict bencode decoder (bt/bencode.hpp) on arbitrary bytes.
//
// The decoder accepts only canonical input, so whatever it accepts must
// re-encode to exactly the input, and decode again to the same value. The
// raw span decode_with_raw() reports for "info" must lie inside the input and
// be the encoding of the value it names (the info-hash is taken over it).
//
// Thread rules: single-threaded, no state kept between inputs.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "swarmbench/bt/bencode.hpp"

namespace bencode = swarmbench::bt::bencode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // Small limits, so the depth and item limits are reached by small inputs too.
    bencode::decode_limits limits;
    limits.max_depth = 1 + (size % 64);
    limits.max_items = 4096;

    auto v = bencode::decode(input, limits);
    std::span<const std::byte> raw;
    auto w = bencode::decode_with_raw(input, "info", raw, limits);
    SWARMBENCH_FUZZ_CHECK(v.ok() == w.ok(), "decode and decode_with_raw disagree on acceptance");
    if (!v) {
        SWARMBENCH_FUZZ_CHECK(v.error().rfind("bencode: ", 0) == 0, "error message without the bencode: prefix");
        return 0;
    }
    SWARMBENCH_FUZZ_CHECK(v.value() == w.value(), "decode and decode_with_raw disagree on the value");

    const std::string again = bencode::encode(v.value());
    SWARMBENCH_FUZZ_CHECK(again == text, "canonical input did not re-encode to itself");
    auto re = bencode::decode(again, limits);
    SWARMBENCH_FUZZ_CHECK(re.ok() && re.value() == v.value(), "the re-encoding did not decode to the same value");

    const bencode::value* info = v->find("info");
    if (info == nullptr) {
        SWARMBENCH_FUZZ_CHECK(raw.empty(), "raw span reported for a missing key");
        return 0;
    }
    SWARMBENCH_FUZZ_CHECK(!raw.empty(), "no raw span for a present key");
    SWARMBENCH_FUZZ_CHECK(raw.data() >= input.data() && raw.data() + raw.size() <= input.data() + input.size(),
                          "raw span outside the input");
    const std::string_view raw_text(reinterpret_cast<const char*>(raw.data()), raw.size());
    SWARMBENCH_FUZZ_CHECK(bencode::encode(*info) == raw_text, "raw span is not the encoding of its value");
    return 0;
}
