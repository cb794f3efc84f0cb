// results_folder: results.json written atomically, timeseries.csv streamed
// row by row, and both read back (swarmbench/results_folder.hpp).
//
// Sections:
//   [numbers]   CSV number formatting and parsing (locale-independent)
//   [folders]   default_results_dir, create_results_dir
//   [writer]    timeseries_writer
//   [json]      write_results_json
//   [reading]   parse_timeseries_csv, load_results
#include "swarmbench/results_folder.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include "swarmbench/log.hpp"
#include "swarmbench/swarm/sample.hpp"

namespace swarmbench {

namespace fs = std::filesystem;

namespace {

// Local time without the shared static buffer of std::localtime; the only
// per-OS part of this file, kept out of function bodies.
#if defined(_WIN32)
std::tm local_tm(std::time_t t) {
    std::tm out{};
    localtime_s(&out, &t);
    return out;
}
#else
std::tm local_tm(std::time_t t) {
    std::tm out{};
    localtime_r(&t, &out);
    return out;
}
#endif

std::string errno_text(int err) { return std::generic_category().message(err); }

// ---- [numbers] ----

// Counters travel as doubles; below 2^53 they are exact and printed as integers.
constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53

// Appends one CSV field: integers without a fraction, other doubles with 9
// significant digits, NaN and infinities as an empty field. to_chars ignores
// the C locale, so a German desktop still writes "1.5", not "1,5".
void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) return;
    char buf[40];
    std::to_chars_result r{};
    if (v == std::trunc(v) && std::fabs(v) < exact_integer_limit) {
        long long whole = static_cast<long long>(v);  // -0.0 becomes 0
        r = std::to_chars(buf, buf + sizeof(buf), whole);
    } else {
        r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 9);
    }
    out.append(buf, r.ptr);
}

// Parses one CSV field; empty, "nan" and infinities read as NaN. False if
// the text is not a number.
bool parse_number(std::string_view field, double& out) {
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    if (field.empty()) {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (field.front() == '+') field.remove_prefix(1);  // from_chars rejects a leading '+'
    double v = 0;
    auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (ec != std::errc() || p != field.data() + field.size()) return false;
    out = std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN();
    return true;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            fields.push_back(line.substr(start));
            return fields;
        }
        fields.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
}

bt::parse_error line_error(std::size_t line, const std::string& what) {
    return bt::parse_error{"line " + std::to_string(line) + ": " + what};
}

// Reads a whole file; false with `error` set ("cannot read X: reason").
bool read_file(const fs::path& path, std::string& text, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path.string() + ": " + errno_text(errno);
        return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        error = "cannot read " + path.string() + ": " + errno_text(errno);
        return false;
    }
    text = std::move(buf).str();
    return true;
}

// The document's "timeseries" object as columns: t_s first, then the rest in
// name order. Nulls (values that could not be computed) read as NaN.
bt::result<loaded_results> columns_from_document(const nlohmann::json& doc, const std::string& where) {
    loaded_results out;
    auto ts = doc.find("timeseries");
    if (ts == doc.end() || ts->is_null()) return out;  // e.g. a failed run: nothing measured
    if (!ts->is_object()) return bt::parse_error{where + ": \"timeseries\" is not an object"};
    std::vector<std::string> names;
    if (ts->contains("t_s")) names.push_back("t_s");
    for (const auto& [name, column] : ts->items())
        if (name != "t_s") names.push_back(name);
    std::size_t rows = 0;
    for (const std::string& name : names) {
        const nlohmann::json& column = (*ts)[name];
        if (!column.is_array()) return bt::parse_error{where + ": timeseries." + name + " is not an array"};
        std::vector<double> values;
        values.reserve(column.size());
        for (std::size_t i = 0; i < column.size(); ++i) {
            const nlohmann::json& v = column[i];
            if (v.is_number()) values.push_back(v.get<double>());
            else if (v.is_null()) values.push_back(std::numeric_limits<double>::quiet_NaN());
            else
                return bt::parse_error{where + ": timeseries." + name + "[" + std::to_string(i) +
                                       "] is not a number"};
        }
        if (name != names.front() && values.size() != rows)
            return bt::parse_error{where + ": timeseries." + name + " has " + std::to_string(values.size()) +
                                   " values, " + names.front() + " has " + std::to_string(rows)};
        rows = values.size();
        out.columns.push_back(name);
        out.series[name] = std::move(values);
    }
    return out;
}

// "[json.exception.parse_error.101] parse error at line 3, ..." -> "parse error at line 3, ...".
std::string json_error_text(const std::exception& e) {
    std::string what = e.what();
    if (!what.empty() && what.front() == '[') {
        std::size_t close = what.find("] ");
        if (close != std::string::npos) what.erase(0, close + 2);
    }
    return what;
}

// The folder's name for legends: "runs/a/" and "runs/a" both give "a".
std::string folder_label(const fs::path& dir) {
    fs::path p = dir.lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    std::string name = p.filename().string();
    if (name.empty() || name == "." || name == "..") {
        std::error_code ec;
        fs::path abs = fs::absolute(dir, ec).lexically_normal();
        if (!abs.has_filename()) abs = abs.parent_path();
        name = ec ? dir.string() : abs.filename().string();
    }
    return name.empty() ? dir.string() : name;
}

}  // namespace

// ---- [folders] ----

fs::path default_results_dir(const fs::path& parent) {
    std::tm tm = local_tm(std::time(nullptr));
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    fs::path first = parent / stamp;
    std::error_code ec;
    if (!fs::exists(first, ec)) return first;
    // Two runs in the same second: "-2", "-3", ... (bounded; the last one is
    // returned even if taken, and create_results_dir reuses it).
    for (int n = 2; n < 1000; ++n) {
        fs::path candidate = parent / (std::string(stamp) + "-" + std::to_string(n));
        if (!fs::exists(candidate, ec)) return candidate;
    }
    return parent / (std::string(stamp) + "-1000");
}

bt::result<fs::path> create_results_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return bt::parse_error{"cannot create results folder " + dir.string() + ": " + ec.message()};
    if (!fs::is_directory(dir, ec))
        return bt::parse_error{"cannot create results folder " + dir.string() + ": a file of that name exists"};
    return dir;
}

// ---- [writer] ----

timeseries_writer::~timeseries_writer() { close(); }

std::optional<std::string> timeseries_writer::open(const fs::path& path, const std::vector<std::string>& columns) {
    close();
    failed_ = false;
    path_ = path.string();
    if (columns.empty()) return "cannot write " + path_ + ": no columns";
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) return "cannot write " + path_ + ": " + errno_text(errno);
    // Unbuffered: each row leaves in one write(), so nothing lingers in a
    // stdio buffer for a kill to lose, and a failed row is not retried later.
    std::setvbuf(file_, nullptr, _IONBF, 0);
    columns_ = columns.size();
    std::string header;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) header += ',';
        header += columns[i];
    }
    header += '\n';
    if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
        std::string error = "cannot write " + path_ + ": " + errno_text(errno);
        close();
        return error;
    }
    return std::nullopt;
}

std::optional<std::string> timeseries_writer::append(const std::vector<double>& values) {
    if (file_ == nullptr) return failed_ ? std::nullopt : std::optional<std::string>("timeseries writer is not open");
    if (failed_) return std::nullopt;
    if (values.size() != columns_)
        return "timeseries row has " + std::to_string(values.size()) + " values, expected " + std::to_string(columns_);
    std::string row;
    row.reserve(values.size() * 12);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) row += ',';
        append_number(row, values[i]);
    }
    row += '\n';
    errno = 0;
    if (std::fwrite(row.data(), 1, row.size(), file_) != row.size() || std::fflush(file_) != 0) {
        failed_ = true;
        int err = errno != 0 ? errno : EIO;
        return "cannot write " + path_ + ": " + errno_text(err);
    }
    return std::nullopt;
}

void timeseries_writer::close() {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
}

// ---- [json] ----

std::optional<std::string> write_results_json(const fs::path& dir, const nlohmann::json& doc) {
    const fs::path final_path = dir / "results.json";
    const fs::path tmp_path = dir / "results.json.tmp";
    // Invalid UTF-8 (say, a file name in an error message) is replaced, not thrown.
    std::string text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    std::FILE* f = std::fopen(tmp_path.string().c_str(), "wb");
    if (f == nullptr) return "cannot write " + tmp_path.string() + ": " + errno_text(errno);
    errno = 0;
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = std::fflush(f) == 0 && ok;
    int err = errno != 0 ? errno : EIO;
    ok = std::fclose(f) == 0 && ok;
    std::error_code ec;
    if (!ok) {
        fs::remove(tmp_path, ec);
        return "cannot write " + tmp_path.string() + ": " + errno_text(err);
    }
    // rename replaces the old document in one step: a reader (or a kill)
    // sees the old file or the new one, never half of one.
    fs::rename(tmp_path, final_path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp_path, ignored);
        return "cannot replace " + final_path.string() + ": " + ec.message();
    }
    return std::nullopt;
}

// ---- [a finished run] ----

namespace {

/// The table of named columns (missing values read as NaN).
template <class Column>
results_table table_from(const std::vector<std::string>& names, const Column& column) {
    results_table out;
    out.columns = names;
    for (const std::string& n : names)
        if (const std::vector<double>* c = column(n)) out.rows = std::max(out.rows, c->size());
    out.data.assign(out.rows * names.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t j = 0; j < names.size(); ++j) {
        const std::vector<double>* c = column(names[j]);
        if (c == nullptr) continue;
        for (std::size_t i = 0; i < c->size(); ++i) out.data[i * names.size() + j] = (*c)[i];
    }
    return out;
}

}  // namespace

results_table table_of(const results& r) {
    const timeseries& ts = r.series;
    std::vector<std::string> names;
    if (r.mode == "swarm") {
        for (const sample_column& c : sample_columns()) names.push_back(c.name);
    } else {
        names = {"t_s", "bytes", "goodput_bytes_per_s"};
        for (const auto& [name, values] : ts.extra) names.push_back(name);
        std::sort(names.begin() + 1, names.end());
    }
    const std::vector<double> bytes(ts.bytes.begin(), ts.bytes.end());
    const auto column = [&](const std::string& n) -> const std::vector<double>* {
        if (n == "t_s") return &ts.t_s;
        if (n == "bytes" && r.mode != "swarm") return &bytes;
        if (n == "goodput_bytes_per_s" && r.mode != "swarm") return &ts.goodput_bytes_per_s;
        auto it = ts.extra.find(n);
        return it != ts.extra.end() ? &it->second : nullptr;
    };
    return table_from(names, column);
}

results_table table_of(const loaded_results& l) {
    return table_from(l.columns, [&](const std::string& n) -> const std::vector<double>* {
        auto it = l.series.find(n);
        return it != l.series.end() ? &it->second : nullptr;
    });
}

std::vector<std::string> write_results_folder(const fs::path& dir, const nlohmann::json& doc,
                                              const results_table& table) {
    auto made = create_results_dir(dir);
    if (!made) return {made.error()};
    std::vector<std::string> errors;
    if (auto err = write_results_json(dir, doc)) errors.push_back(*err);
    timeseries_writer csv;
    if (auto err = csv.open(dir / "timeseries.csv", table.columns)) {
        errors.push_back(*err);
        return errors;
    }
    std::vector<double> row(table.columns.size());
    for (std::size_t i = 0; i < table.rows; ++i) {
        std::copy_n(table.data.begin() + static_cast<std::ptrdiff_t>(i * row.size()), row.size(), row.begin());
        if (auto err = csv.append(row)) {
            errors.push_back(*err);
            break;
        }
    }
    csv.close();
    return errors;
}

// ---- [reading] ----

std::size_t loaded_results::rows() const {
    auto t = series.find("t_s");
    if (t != series.end()) return t->second.size();
    std::size_t n = 0;
    for (const auto& [name, values] : series) n = std::max(n, values.size());
    return n;
}

bt::result<loaded_results> parse_timeseries_csv(std::string_view text) {
    loaded_results out;
    if (text.empty()) return line_error(1, "empty file (no header)");
    std::size_t pos = 0;
    std::size_t line_no = 0;
    bool have_header = false;
    std::vector<std::vector<double>*> targets;  // series per column, in header order
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        ++line_no;
        if (nl == std::string_view::npos) {
            // A line without its newline is the row a killed writer was in
            // the middle of: everything before it is whole, so drop it.
            if (!have_header) return line_error(line_no, "header is incomplete (no newline)");
            break;
        }
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // edited on Windows
        if (!have_header) {
            for (std::string_view name : split_fields(line)) {
                std::string n(name);
                if (n.empty()) return line_error(line_no, "empty column name in header");
                if (out.series.count(n) != 0) return line_error(line_no, "column '" + n + "' appears twice");
                out.columns.push_back(n);
                out.series[n];
            }
            for (const std::string& n : out.columns) targets.push_back(&out.series[n]);
            have_header = true;
            continue;
        }
        if (line.empty()) continue;
        std::vector<std::string_view> fields = split_fields(line);
        if (fields.size() != out.columns.size())
            return line_error(line_no, std::to_string(fields.size()) + " fields, expected " +
                                           std::to_string(out.columns.size()));
        for (std::size_t i = 0; i < fields.size(); ++i) {
            double v = 0;
            if (!parse_number(fields[i], v))
                return line_error(line_no, "column '" + out.columns[i] + "': not a number: '" +
                                               std::string(fields[i].substr(0, 40)) + "'");
            targets[i]->push_back(v);
        }
    }
    return out;
}

bt::result<loaded_results> load_results(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return bt::parse_error{"results folder " + dir.string() + ": does not exist"};
    if (!fs::is_directory(dir, ec)) return bt::parse_error{"results folder " + dir.string() + ": not a folder"};
    const fs::path json_path = dir / "results.json";
    const fs::path csv_path = dir / "timeseries.csv";
    const bool has_json = fs::is_regular_file(json_path, ec);
    const bool has_csv = fs::is_regular_file(csv_path, ec);
    if (!has_json && !has_csv)
        return bt::parse_error{"results folder " + dir.string() + ": no results.json or timeseries.csv in it"};

    nlohmann::json document;  // null unless results.json parses
    std::string json_error;
    if (has_json) {
        std::string text;
        if (read_file(json_path, text, json_error)) {
            try {
                document = nlohmann::json::parse(text);
            } catch (const nlohmann::json::exception& e) {
                json_error = json_path.string() + ": " + json_error_text(e);
            }
        }
    }

    bt::result<loaded_results> parsed = loaded_results{};
    std::string csv_error;
    if (has_csv) {
        std::string text;
        if (!read_file(csv_path, text, csv_error)) {
        } else if (parsed = parse_timeseries_csv(text); !parsed) {
            csv_error = csv_path.string() + ": " + parsed.error();
        }
    }

    if (has_csv && csv_error.empty()) {
        // The CSV is the time series; a missing or torn results.json only
        // costs the summary (a run killed before its first write).
        if (!json_error.empty()) log().warn("{} (using timeseries.csv alone)", json_error);
    } else {
        // No usable CSV: the document's own columns (stream and disk runs).
        if (!json_error.empty()) return bt::parse_error{csv_error.empty() ? json_error : csv_error};
        if (document.is_null()) return bt::parse_error{csv_error};
        if (!document.is_object()) return bt::parse_error{json_path.string() + ": not a JSON object"};
        if (!csv_error.empty() && !document.contains("timeseries")) return bt::parse_error{csv_error};
        parsed = columns_from_document(document, json_path.string());
        if (!parsed) return bt::parse_error{csv_error.empty() ? parsed.error() : csv_error};
        if (!csv_error.empty()) log().warn("{} (using the time series in results.json)", csv_error);
    }
    loaded_results out = std::move(parsed).value();
    out.dir = dir;
    out.label = folder_label(dir);
    out.document = std::move(document);
    return out;
}

}  // namespace swarmbench
