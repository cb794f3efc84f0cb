// bind_torrent: swarmbench.bt, what a custom peer written in Python needs to
// talk to a native swarmbench swarm: synthetic torrents (the same info-hash,
// piece hashes and content the seeders serve), torrent files, and the peer
// wire codec (encoders returning bytes, a validating incremental decoder);
// and what a script driving a real client needs, as `swarmbench
// make-torrent` and `gen-data` do: .torrent files loaded and saved, a torrent
// made from existing files, a synthetic torrent's content written as a
// client's download folder, and a folder checked against a torrent.
//
// GIL: building a synthetic torrent (hashing every piece) and generating or
// checking content release the GIL; the codec runs with it (per message work
// is tiny). The content tools (content files section) also take the GIL back
// about once a second to run Python's signal handlers, so Ctrl-C stops them.
// A Torrent is immutable and shared (std::shared_ptr<const>).
//
// Index:
//  [SECTION] Helpers
//  [SECTION] Torrent and synthetic content
//  [SECTION] Content files
//  [SECTION] Wire encoders
//  [SECTION] Wire decoder
//  [SECTION] Module
#include <Python.h>
#include <structseq.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/bt/torrent_from_files.hpp"
#include "swarmbench/bt/wire.hpp"

namespace swarmbench::python {

namespace {

using torrent_ptr = std::shared_ptr<bt::torrent>;  // immutable in practice (pybind11 holders cannot be const)

//-----------------------------------------------------------------------------
// [SECTION] Helpers
//-----------------------------------------------------------------------------

/// A contiguous export of a buffer-protocol object, released on scope exit.
class buffer_view {
public:
    buffer_view(py::handle obj, bool writable, const char* what) {
        const int flags = PyBUF_ANY_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
        if (!PyObject_CheckBuffer(obj.ptr()) || PyObject_GetBuffer(obj.ptr(), &view_, flags) != 0) {
            PyErr_Clear();
            throw py::type_error(std::string(what) + ": expected a contiguous" + (writable ? " writable" : "") +
                                 " buffer (bytes, bytearray, memoryview, numpy array)");
        }
    }
    ~buffer_view() { PyBuffer_Release(&view_); }
    buffer_view(const buffer_view&) = delete;
    buffer_view& operator=(const buffer_view&) = delete;

    std::span<std::byte> bytes() const noexcept {
        return {static_cast<std::byte*>(view_.buf), static_cast<std::size_t>(view_.len)};
    }

private:
    Py_buffer view_{};  // the export
};

py::bytes to_bytes(std::span<const std::byte> s) {
    return {reinterpret_cast<const char*>(s.data()), s.size()};
}

py::bytes to_bytes(const bt::sha1_hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

/// 20 bytes from a bytes-like object, or ValueError naming the argument.
std::array<std::uint8_t, 20> twenty_bytes(py::handle obj, const char* what) {
    buffer_view v(obj, false, what);
    if (v.bytes().size() != 20) {
        throw py::value_error(std::string(what) + ": must be 20 bytes, got " + std::to_string(v.bytes().size()));
    }
    std::array<std::uint8_t, 20> out{};
    std::memcpy(out.data(), v.bytes().data(), 20);
    return out;
}

std::uint32_t check_piece(const bt::torrent& t, std::uint32_t piece, const char* what) {
    if (piece >= t.piece_count()) {
        throw py::index_error(std::string(what) + ": piece " + std::to_string(piece) + " out of range (torrent has " +
                              std::to_string(t.piece_count()) + " pieces)");
    }
    return piece;
}

/// Hashing threads: `threads`, or one per core for 0 (the engine caps them).
unsigned threads_or_cores(unsigned threads) {
    return threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
}

//-----------------------------------------------------------------------------
// [SECTION] Torrent and synthetic content
//-----------------------------------------------------------------------------

torrent_ptr synthetic_torrent(std::uint64_t size, std::uint32_t piece_size, std::uint32_t files, std::uint64_t seed,
                              const std::string& name, unsigned hash_threads) {
    bt::synthetic_spec spec;
    spec.seed = seed;
    spec.total_size = size;
    spec.piece_size = piece_size;
    spec.file_count = files;
    spec.name = name;
    spec.hash_threads = threads_or_cores(hash_threads);
    std::optional<bt::result<bt::torrent>> made;
    {
        py::gil_scoped_release release;  // hashes every piece
        made.emplace(bt::make_synthetic_torrent(spec));
    }
    if (!*made) throw py::value_error("synthetic_torrent: " + made->error());
    return std::make_shared<bt::torrent>(std::move(made->value()));
}

torrent_ptr parse_torrent(py::handle data) {
    buffer_view v(data, false, "Torrent.parse");
    auto t = bt::torrent::parse(std::span<const std::byte>(v.bytes()));
    if (!t) throw py::value_error("Torrent.parse: " + t.error());
    return std::make_shared<bt::torrent>(std::move(t.value()));
}

torrent_ptr load_torrent(const std::filesystem::path& path) {
    auto t = bt::read_torrent_file(path);  // small (at most 64 MiB, refused above): read with the GIL
    if (!t) throw py::value_error("Torrent.load: " + t.error());
    return std::make_shared<bt::torrent>(std::move(t.value()));
}

/// Writes encode() to `path`; without `overwrite` the file must not exist
/// (fopen "x": created exclusively, FileExistsError otherwise).
void save_torrent(const bt::torrent& t, const std::filesystem::path& path, bool overwrite) {
    const std::string bytes = t.encode();
    const std::string name = path.string();
    std::FILE* f = std::fopen(name.c_str(), overwrite ? "wb" : "wbx");
    if (f == nullptr) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, name.c_str());  // FileExistsError, PermissionError, ...
        throw py::error_already_set();
    }
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    int err = ok ? 0 : errno;
    if (std::fclose(f) != 0 && ok) {  // a full disk may show only here
        ok = false;
        err = errno;
    }
    if (!ok) {
        errno = err;
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, name.c_str());
        std::error_code ignored;
        std::filesystem::remove(path, ignored);  // no half-written torrent left behind
        throw py::error_already_set();
    }
}

void synthetic_fill(std::uint64_t seed, std::uint64_t offset, py::handle buffer) {
    buffer_view v(buffer, true, "synthetic_fill");
    py::gil_scoped_release release;
    bt::synthetic_fill(seed, offset, v.bytes());
}

py::bytes synthetic_bytes(std::uint64_t seed, std::uint64_t offset, std::size_t length) {
    std::string out(length, '\0');
    {
        py::gil_scoped_release release;
        bt::synthetic_fill(seed, offset, std::as_writable_bytes(std::span<char>(out)));
    }
    return py::bytes(out);
}

bool synthetic_matches(std::uint64_t seed, std::uint64_t offset, py::handle data) {
    buffer_view v(data, false, "synthetic_matches");
    py::gil_scoped_release release;
    return bt::synthetic_matches(seed, offset, v.bytes());
}

void bind_torrent_class(py::module_& bm) {
    py::class_<bt::torrent, torrent_ptr>(bm, "Torrent",
                                          "A v1 torrent (immutable): geometry, info-hash and piece hashes. "
                                          "Make one with synthetic_torrent(), torrent_from_path(), Torrent.load() "
                                          "or Torrent.parse().")
        .def_static("parse", &parse_torrent, py::arg("data"),
                    "Parses .torrent bytes; ValueError with the reason if they are not a valid torrent.")
        .def_static("load", &load_torrent, py::arg("path"),
                    "Reads a .torrent file (as `swarmbench upload --torrent` does); ValueError naming the file and "
                    "the reason if it cannot be read or is not a valid torrent.")
        .def("encode", [](const bt::torrent& t) { return py::bytes(t.encode()); },
             "The .torrent file bytes (with the content seed, if any, outside the info dictionary).")
        .def("save", &save_torrent, py::arg("path"), py::kw_only(), py::arg("overwrite") = false,
             "Writes encode() to path. FileExistsError if path exists, unless overwrite=True; OSError naming the "
             "file if it cannot be written.")
        .def_property_readonly("content_seed", &bt::torrent::content_seed,
                               "The synthetic content seed of a torrent made by swarmbench (synthetic_torrent(), "
                               "`swarmbench make-torrent`): its content is synthetic_bytes(seed, ...), which "
                               "write_content() writes and swarmbench's seeders serve without files. None for any "
                               "other torrent. Saved outside the info dictionary: the info-hash does not depend on "
                               "it.")
        .def_property_readonly("name", &bt::torrent::name, "The torrent's name (file or directory).")
        .def_property_readonly("announce", &bt::torrent::announce, "The tracker URL, usually empty.")
        .def_property_readonly("multi_file", &bt::torrent::multi_file, "True for a multi-file torrent.")
        .def_property_readonly("piece_length", &bt::torrent::piece_length, "Nominal piece size in bytes.")
        .def_property_readonly("piece_count", &bt::torrent::piece_count, "Number of pieces.")
        .def_property_readonly("total_length", &bt::torrent::total_length, "Bytes in the torrent.")
        .def_property_readonly("info_hash", [](const bt::torrent& t) { return to_bytes(t.info_hash()); },
                               "The 20-byte SHA-1 info-hash (what handshakes carry).")
        .def_property_readonly("info_hash_hex", &bt::torrent::info_hash_hex, "The info-hash in lower-case hex.")
        .def_property_readonly(
            "files",
            [](const bt::torrent& t) {
                py::list out;
                for (const auto& f : t.files()) out.append(py::make_tuple(f.relative_path(), f.length, f.offset));
                return out;
            },
            "[(relative path, length, offset in the torrent's byte stream), ...].")
        .def(
            "piece_size",
            [](const bt::torrent& t, std::uint32_t piece) { return t.piece_size(check_piece(t, piece, "piece_size")); },
            py::arg("piece"), "Bytes in piece (the last may be short).")
        .def(
            "piece_offset",
            [](const bt::torrent& t, std::uint32_t piece) {
                return t.geometry().piece_offset(check_piece(t, piece, "piece_offset"));
            },
            py::arg("piece"), "Where piece starts in the torrent's byte stream.")
        .def(
            "piece_hash",
            [](const bt::torrent& t, std::uint32_t piece) {
                return to_bytes(t.piece_hash(check_piece(t, piece, "piece_hash")));
            },
            py::arg("piece"), "The piece's expected 20-byte SHA-1.")
        .def(
            "blocks_in_piece",
            [](const bt::torrent& t, std::uint32_t piece, std::uint32_t block_size) {
                if (block_size == 0) throw py::value_error("blocks_in_piece: block_size must be > 0");
                return t.geometry().blocks_in_piece(check_piece(t, piece, "blocks_in_piece"), block_size);
            },
            py::arg("piece"), py::arg("block_size") = bt::default_block_size,
            "Requests of block_size bytes needed for piece (the last may be short).")
        .def("__repr__", [](const bt::torrent& t) {
            return "<swarmbench.bt.Torrent " + t.name() + " " + std::to_string(t.total_length()) + " bytes, " +
                   std::to_string(t.piece_count()) + " pieces, info_hash=" + t.info_hash_hex() + ">";
        });
}

//-----------------------------------------------------------------------------
// [SECTION] Content files
//-----------------------------------------------------------------------------

PyTypeObject* verify_report_type = nullptr;  // bt.VerifyReport (structseq), made at import

/// Runs work(hooks) with the GIL released. hooks.on_progress (called about
/// once a second on this thread while the work lasts) takes the GIL back to
/// run Python's signal handlers: if one raises (KeyboardInterrupt on
/// Ctrl-C), the work is stopped through hooks.stop and the exception is
/// raised here once it has returned.
template <class F>
auto run_interruptible(unsigned threads, F&& work) {
    std::atomic<bool> stop{false};
    std::optional<py::error_already_set> raised;  // a signal handler's exception
    bt::content_hooks hooks;
    hooks.threads = threads;
    hooks.stop = &stop;
    hooks.on_progress = [&](std::uint64_t, std::uint64_t) {
        if (raised) return;
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
            raised.emplace();  // fetches the exception (and clears it)
            stop = true;
        }
    };
    std::optional<decltype(work(hooks))> out;
    {
        py::gil_scoped_release release;
        out.emplace(work(hooks));
    }
    if (raised) throw *raised;
    return std::move(*out);
}

torrent_ptr torrent_from_path(const std::filesystem::path& path, std::uint32_t piece_size,
                              const std::optional<std::string>& name, const std::string& announce,
                              unsigned hash_threads) {
    bt::from_files_spec spec;
    spec.piece_size = piece_size;
    spec.name = name.value_or("");
    spec.announce = announce;
    auto made = run_interruptible(threads_or_cores(hash_threads), [&](const bt::content_hooks& hooks) {
        spec.hooks = hooks;
        return bt::make_torrent_from_path(path, spec);
    });
    if (!made) throw py::value_error("torrent_from_path: " + made.error());
    return std::make_shared<bt::torrent>(std::move(made.value()));
}

std::filesystem::path write_content(const torrent_ptr& t, const std::filesystem::path& dir, bool overwrite) {
    auto failed = run_interruptible(1, [&](const bt::content_hooks& hooks) {
        bt::write_options options;
        options.overwrite = overwrite;
        options.hooks = hooks;
        return bt::write_synthetic_content(*t, dir, options);
    });
    if (failed) throw py::value_error("write_content: " + *failed);
    return bt::content_root(*t, dir);
}

py::object verify_content(const torrent_ptr& t, const std::filesystem::path& dir, unsigned hash_threads) {
    auto checked = run_interruptible(threads_or_cores(hash_threads), [&](const bt::content_hooks& hooks) {
        return bt::verify_content(*t, dir, hooks);
    });
    if (!checked) throw py::value_error("verify_content: " + checked.error());
    const bt::verify_report& r = checked.value();
    PyObject* out = PyStructSequence_New(verify_report_type);
    if (out == nullptr) throw py::error_already_set();
    auto report = py::reinterpret_steal<py::object>(out);
    py::object first_bad = r.first_bad_piece ? py::object(py::int_(*r.first_bad_piece)) : py::object(py::none());
    PyStructSequence_SET_ITEM(out, 0, py::int_(r.pieces).release().ptr());
    PyStructSequence_SET_ITEM(out, 1, py::int_(r.bad_pieces).release().ptr());
    PyStructSequence_SET_ITEM(out, 2, first_bad.release().ptr());
    PyStructSequence_SET_ITEM(out, 3, py::cast(r.first_bad_files).release().ptr());
    return report;
}

PyStructSequence_Field verify_report_fields[] = {
    {"pieces", "Pieces checked (all of the torrent's)."},
    {"bad_pieces", "Pieces whose SHA-1 differs from the torrent's (0: the folder holds the content)."},
    {"first_bad_piece", "The lowest bad piece index, or None."},
    {"first_bad_files", "The files (relative paths, as in Torrent.files) that piece covers; [] if none is bad."},
    {nullptr, nullptr},
};

PyStructSequence_Desc verify_report_desc = {
    "swarmbench.bt.VerifyReport",
    "What verify_content() found: a named tuple (pieces, bad_pieces, first_bad_piece, first_bad_files).",
    verify_report_fields,
    4,
};

//-----------------------------------------------------------------------------
// [SECTION] Wire encoders
//-----------------------------------------------------------------------------

/// Runs an encoder into a stack buffer and returns the message as bytes.
template <std::size_t N, class F>
py::bytes encoded(F&& encode) {
    std::array<std::byte, N> buf{};
    const std::size_t n = encode(std::span<std::byte>(buf));
    return to_bytes(std::span<const std::byte>(buf.data(), n));
}

py::bytes encode_message(const std::string& kind) {
    if (kind == "keep_alive") return encoded<4>([](auto out) { return bt::encode_keep_alive(out); });
    static const std::pair<const char*, bt::msg_id> simple[] = {
        {"choke", bt::msg_id::choke},           {"unchoke", bt::msg_id::unchoke},
        {"interested", bt::msg_id::interested}, {"not_interested", bt::msg_id::not_interested},
        {"have_all", bt::msg_id::have_all},     {"have_none", bt::msg_id::have_none},
    };
    for (const auto& [name, id] : simple) {
        if (kind == name) return encoded<5>([id = id](auto out) { return bt::encode_simple(out, id); });
    }
    throw py::value_error("encode_message: kind must be keep_alive, choke, unchoke, interested, not_interested, "
                          "have_all or have_none, got \"" + kind + "\"");
}

//-----------------------------------------------------------------------------
// [SECTION] Wire decoder
//-----------------------------------------------------------------------------

PyTypeObject* message_type = nullptr;  // bt.Message (structseq), made at import
PyObject* protocol_error = nullptr;    // bt.ProtocolError, made at import

/// Python names of the message kinds (identifiers, unlike bt::to_string).
const char* kind_name(bt::message_kind k) noexcept {
    using mk = bt::message_kind;
    switch (k) {
        case mk::handshake: return "handshake";
        case mk::keep_alive: return "keep_alive";
        case mk::choke: return "choke";
        case mk::unchoke: return "unchoke";
        case mk::interested: return "interested";
        case mk::not_interested: return "not_interested";
        case mk::have: return "have";
        case mk::bitfield: return "bitfield";
        case mk::request: return "request";
        case mk::piece: return "piece";
        case mk::cancel: return "cancel";
        case mk::port: return "port";
        case mk::suggest: return "suggest";
        case mk::have_all: return "have_all";
        case mk::have_none: return "have_none";
        case mk::reject: return "reject";
        case mk::allowed_fast: return "allowed_fast";
        case mk::extended_handshake: return "extended_handshake";
        case mk::extended: return "extended";
        case mk::unknown: return "unknown";
        case mk::piece_header: return "piece_header";
        case mk::piece_data: return "piece_data";
    }
    return "unknown";
}

/// bt::wire_decoder for one connection, fed whatever the socket produced.
class py_decoder {
public:
    py_decoder(torrent_ptr t, bool handshake, bool extensions, bool fast, bool check_info_hash,
               std::uint32_t max_piece_block)
        : torrent_(std::move(t)), decoder_(torrent_->geometry(), options(*torrent_, handshake, extensions, fast,
                                                                         check_info_hash, max_piece_block)) {}

    py::list feed(py::handle data) {
        buffer_view v(data, false, "WireDecoder.feed");
        std::span<const std::byte> input = v.bytes();
        py::list out;
        bt::message m;
        for (;;) {
            const auto st = decoder_.next(input, m);
            if (st == bt::wire_decoder::status::need_more) break;
            if (st == bt::wire_decoder::status::error) {
                PyErr_SetString(protocol_error, decoder_.error().c_str());
                throw py::error_already_set();
            }
            out.append(convert(m));
        }
        return out;
    }

    std::optional<std::string> error() const {
        if (!decoder_.failed()) return std::nullopt;
        return decoder_.error();
    }
    bool extensions() const noexcept { return decoder_.extensions_negotiated(); }
    bool fast() const noexcept { return decoder_.fast_negotiated(); }

private:
    static bt::wire_options options(const bt::torrent& t, bool handshake, bool extensions, bool fast,
                                    bool check_info_hash, std::uint32_t max_piece_block) {
        if (max_piece_block < 1 || max_piece_block > bt::max_block_limit)
            throw py::value_error("WireDecoder: max_piece_block must be 1..131072");
        bt::wire_options o;
        o.expect_handshake = handshake;
        o.our_reserved = bt::make_reserved(extensions, fast);
        if (check_info_hash) o.expected_info_hash = t.info_hash();
        o.limits.max_piece_block = max_piece_block;
        o.limits.max_request_length = max_piece_block;
        return o;
    }

    static py::object convert(const bt::message& m) {
        PyObject* t = PyStructSequence_New(message_type);
        if (t == nullptr) throw py::error_already_set();
        py::object data = py::none();
        py::object peer_id = py::none();
        if (m.kind == bt::message_kind::handshake && m.hs != nullptr) {
            data = to_bytes(m.hs->info_hash);
            peer_id = py::bytes(reinterpret_cast<const char*>(m.hs->id.data()), m.hs->id.size());
        } else if (!m.data.empty() || m.kind == bt::message_kind::piece) {
            data = to_bytes(m.data);
        }
        PyStructSequence_SET_ITEM(t, 0, py::str(kind_name(m.kind)).release().ptr());
        PyStructSequence_SET_ITEM(t, 1, PyLong_FromUnsignedLong(m.index));
        PyStructSequence_SET_ITEM(t, 2, PyLong_FromUnsignedLong(m.begin));
        PyStructSequence_SET_ITEM(t, 3, PyLong_FromUnsignedLong(m.length));
        PyStructSequence_SET_ITEM(t, 4, data.release().ptr());
        PyStructSequence_SET_ITEM(t, 5, peer_id.release().ptr());
        PyStructSequence_SET_ITEM(t, 6, PyLong_FromUnsignedLong(m.ext_id));
        PyStructSequence_SET_ITEM(t, 7, PyLong_FromUnsignedLong(m.port));
        return py::reinterpret_steal<py::object>(t);
    }

    torrent_ptr torrent_;       // keeps the geometry's torrent alive for repr and checks
    bt::wire_decoder decoder_;  // the engine's decoder
};

PyStructSequence_Field message_fields[] = {
    {"kind", "\"handshake\", \"keep_alive\", \"choke\", \"unchoke\", \"interested\", \"not_interested\", "
             "\"have\", \"bitfield\", \"request\", \"piece\", \"cancel\", \"port\", \"suggest\", \"have_all\", "
             "\"have_none\", \"reject\", \"allowed_fast\", \"extended_handshake\", \"extended\" or \"unknown\"."},
    {"piece", "Piece index (have, request, piece, cancel, reject, suggest, allowed_fast); else 0."},
    {"begin", "Offset in the piece (request, piece, cancel, reject); else 0."},
    {"length", "Block length (request, piece, cancel, reject); unknown: payload bytes skipped; else 0."},
    {"data", "piece: the block; bitfield: its bytes; extended: the payload; handshake: the info-hash; "
             "else None."},
    {"peer_id", "handshake: the sender's 20-byte peer id; else None."},
    {"ext_id", "extended: the extended message id; unknown: the message id; else 0."},
    {"port", "port (BEP 5): the DHT port; else 0."},
    {nullptr, nullptr},
};

PyStructSequence_Desc message_desc = {
    "swarmbench.bt.Message",
    "One decoded peer-wire message: a named tuple (kind, piece, begin, length, data, peer_id, ext_id, port).",
    message_fields,
    8,
};

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Module
//-----------------------------------------------------------------------------

void bind_torrent(py::module_& m) {
    py::module_ bm = m.def_submodule("bt", "Torrents (synthetic, from files, .torrent files), their content on disk, "
                                           "and the peer wire codec for custom peers.");

    message_type = PyStructSequence_NewType(&message_desc);
    if (message_type == nullptr) throw py::error_already_set();
    bm.add_object("Message", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(message_type)));
    protocol_error = PyErr_NewExceptionWithDoc("swarmbench.bt.ProtocolError",
                                               "A peer broke the wire protocol; the message says how (drop the peer).",
                                               PyExc_ValueError, nullptr);
    if (protocol_error == nullptr) throw py::error_already_set();
    bm.add_object("ProtocolError", py::reinterpret_borrow<py::object>(protocol_error));

    verify_report_type = PyStructSequence_NewType(&verify_report_desc);
    if (verify_report_type == nullptr) throw py::error_already_set();
    bm.add_object("VerifyReport", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(verify_report_type)));

    bm.attr("BLOCK_SIZE") = bt::default_block_size;
    bm.attr("HANDSHAKE_SIZE") = bt::handshake_size;

    bind_torrent_class(bm);
    bm.def("synthetic_torrent", &synthetic_torrent, py::arg("size"), py::kw_only(), py::arg("piece_size") = 256 * 1024,
           py::arg("files") = 1, py::arg("seed") = 1, py::arg("name") = "swarmbench-synthetic",
           py::arg("hash_threads") = 0,
           "The synthetic torrent a swarmbench swarm with the same torrent_size, piece_size, file_count and "
           "content_seed serves (same info-hash and piece hashes). Hashes every piece with the GIL released "
           "(hash_threads 0: one per core). ValueError naming the bad field.");
    bm.def("torrent_from_path", &torrent_from_path, py::arg("path"), py::kw_only(),
           py::arg("piece_size") = 256 * 1024, py::arg("name") = py::none(), py::arg("announce") = "",
           py::arg("hash_threads") = 0,
           "A v1 torrent of an existing file (single-file torrent) or directory (every regular file below it, "
           "sorted by path), as `swarmbench make-torrent --from PATH`. name: the torrent's name (None: the file's "
           "or directory's own); no content seed (its content is those files). Hashes with the GIL released "
           "(hash_threads 0: one per core, at most 8); Ctrl-C stops it. ValueError naming the path and the reason "
           "(a symlink or special file inside, a bad piece size, no data, ...).");
    bm.def("write_content", &write_content, py::arg("torrent"), py::arg("directory"), py::kw_only(),
           py::arg("overwrite") = false,
           "Writes a synthetic torrent's content (torrent.content_seed set) under directory, laid out as a "
           "client's download folder, as `swarmbench gen-data`; returns directory/<name>, the file or folder "
           "written. Refuses to replace existing files unless overwrite=True, and never writes through a "
           "symlink. GIL released; Ctrl-C stops it. ValueError with the reason, naming the file.");
    bm.def("verify_content", &verify_content, py::arg("torrent"), py::arg("directory"), py::kw_only(),
           py::arg("hash_threads") = 0,
           "Reads torrent's content back from directory (laid out as write_content() writes it: "
           "directory/<name>/...) and checks every piece's SHA-1, as `swarmbench gen-data --verify-only`; any "
           "torrent, synthetic or not. Returns a VerifyReport (bad_pieces 0: all good). GIL released "
           "(hash_threads 0: one per core, at most 8); Ctrl-C stops it. ValueError naming the file if one is "
           "missing, has the wrong size or cannot be read.");
    bm.def("synthetic_fill", &synthetic_fill, py::arg("seed"), py::arg("offset"), py::arg("buffer"),
           "Writes bytes [offset, offset + len(buffer)) of the synthetic content for seed into buffer.");
    bm.def("synthetic_bytes", &synthetic_bytes, py::arg("seed"), py::arg("offset"), py::arg("length"),
           "Bytes [offset, offset + length) of the synthetic content for seed.");
    bm.def("synthetic_matches", &synthetic_matches, py::arg("seed"), py::arg("offset"), py::arg("data"),
           "Whether data equals the synthetic content for seed at offset.");

    bm.def(
        "encode_handshake",
        [](py::handle info_hash, py::handle peer_id, bool extensions, bool fast) {
            bt::handshake hs;
            hs.reserved = bt::make_reserved(extensions, fast);
            hs.info_hash = twenty_bytes(info_hash, "encode_handshake: info_hash");
            hs.id = twenty_bytes(peer_id, "encode_handshake: peer_id");
            return encoded<bt::handshake_size>([&](auto out) { return bt::encode_handshake(out, hs); });
        },
        py::arg("info_hash"), py::arg("peer_id"), py::kw_only(), py::arg("extensions") = false,
        py::arg("fast") = false,
        "The 68-byte handshake; extensions / fast advertise BEP 10 / BEP 6 (then the seeder answers with "
        "have_all instead of a bitfield).");
    bm.def("encode_message", &encode_message, py::arg("kind"),
           "A message without payload: keep_alive, choke, unchoke, interested, not_interested, have_all, have_none.");
    bm.def(
        "encode_have",
        [](std::uint32_t index) { return encoded<9>([&](auto out) { return bt::encode_have(out, index); }); },
        py::arg("index"), "have(index).");
    bm.def(
        "encode_request",
        [](std::uint32_t index, std::uint32_t begin, std::uint32_t length) {
            return encoded<17>([&](auto out) { return bt::encode_request(out, index, begin, length); });
        },
        py::arg("index"), py::arg("begin"), py::arg("length") = bt::default_block_size,
        "request(index, begin, length).");
    bm.def(
        "encode_cancel",
        [](std::uint32_t index, std::uint32_t begin, std::uint32_t length) {
            return encoded<17>([&](auto out) { return bt::encode_cancel(out, index, begin, length); });
        },
        py::arg("index"), py::arg("begin"), py::arg("length") = bt::default_block_size,
        "cancel(index, begin, length).");
    bm.def(
        "encode_piece_header",
        [](std::uint32_t index, std::uint32_t begin, std::uint32_t length) {
            return encoded<bt::piece_header_size>(
                [&](auto out) { return bt::encode_piece_header(out, index, begin, length); });
        },
        py::arg("index"), py::arg("begin"), py::arg("length"),
        "The 13-byte header of a piece message carrying length bytes; send the block right after it.");

    py::class_<py_decoder>(bm, "WireDecoder",
                           "Decodes one connection's incoming bytes, checking every length and index against "
                           "the torrent. feed() returns the complete messages; a protocol violation raises "
                           "ProtocolError and the decoder stays failed.")
        .def(py::init<torrent_ptr, bool, bool, bool, bool, std::uint32_t>(), py::arg("torrent"), py::kw_only(),
             py::arg("handshake") = true, py::arg("extensions") = false, py::arg("fast") = false,
             py::arg("check_info_hash") = true, py::arg("max_piece_block") = bt::default_block_size,
             "handshake: the first 68 bytes are a handshake; extensions / fast: what we advertised (a "
             "feature counts when both sides set it); check_info_hash: reject a handshake for another "
             "torrent; max_piece_block: largest block accepted.")
        .def("feed", &py_decoder::feed, py::arg("data"),
             "Decodes data (any bytes-like object, split anywhere) and returns the Messages completed by it.")
        .def_property_readonly("error", &py_decoder::error, "Why the decoder failed, or None.")
        .def_property_readonly("extensions_negotiated", &py_decoder::extensions,
                               "Both sides set the BEP 10 bit (after the handshake).")
        .def_property_readonly("fast_negotiated", &py_decoder::fast,
                               "Both sides set the BEP 6 bit (after the handshake).");
}

}  // namespace swarmbench::python
