// results_folder: a run's results on disk, shared by the CLI, the app and
// Python so all three write (and read back) the same files:
//
//   <dir>/results.json     the results document (docs/results-schema.md),
//                          replaced atomically (write a temporary, rename)
//   <dir>/timeseries.csv   one header line, then one row per sample, each row
//                          flushed to the OS as it is appended, so a killed
//                          run leaves every row up to the last sample
//   <dir>/*.png, *.svg     graphs (swarmbench/graphs.hpp)
//
// Thread rules: a timeseries_writer belongs to one thread; the free functions
// are reentrant.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/bt/result.hpp"
#include "swarmbench/results.hpp"

namespace swarmbench {

/// "./swarmbench-results/20261122-071804" (local time; "-2", "-3" appended if taken).
std::filesystem::path default_results_dir(const std::filesystem::path& parent = "swarmbench-results");

/// Creates `dir` (and parents). Error: "cannot create results folder X: <reason>".
bt::result<std::filesystem::path> create_results_dir(const std::filesystem::path& dir);

/// Streams rows to a CSV file.
class timeseries_writer {
public:
    timeseries_writer() = default;
    ~timeseries_writer();
    timeseries_writer(const timeseries_writer&) = delete;
    timeseries_writer& operator=(const timeseries_writer&) = delete;

    /// Creates `path` (truncating) and writes the header. Error names the path.
    std::optional<std::string> open(const std::filesystem::path& path,
                                    const std::vector<std::string>& columns);
    /// Appends one row (values.size() == columns) and flushes it. Integral
    /// values are written without a fraction. Returns an error (disk full)
    /// once; later rows are dropped silently.
    std::optional<std::string> append(const std::vector<double>& values);
    void close();
    bool is_open() const noexcept { return file_ != nullptr; }

private:
    std::FILE* file_ = nullptr;   // owned; null when closed
    std::size_t columns_ = 0;     // values expected per row
    bool failed_ = false;         // a write failed; stop writing
    std::string path_;            // the file, for error messages
};

/// Writes `doc` to `dir`/results.json atomically (pretty, 2-space indent).
std::optional<std::string> write_results_json(const std::filesystem::path& dir, const nlohmann::json& doc);

/// A run's time series as timeseries.csv holds it: the swarm's sample
/// columns, or t_s, bytes, goodput_bytes_per_s and the mode's own columns
/// (sorted); NaN where a column has no value.
struct results_table {
    std::vector<std::string> columns;  // CSV order, t_s first
    std::vector<double> data;          // rows x columns.size(), row-major
    std::size_t rows = 0;              // samples
};

/// Writes a finished run's folder into `dir` (created): results.json (`doc`)
/// and timeseries.csv (`table`). Returns the errors, each naming its file.
std::vector<std::string> write_results_folder(const std::filesystem::path& dir, const nlohmann::json& doc,
                                              const results_table& table);

/// A results folder read back: its document (may be null if results.json is
/// missing or unparseable, as after kill -9 before the first write), and
/// its time series by column name (from timeseries.csv; a torn last line is
/// ignored; falls back to the document's timeseries).
struct loaded_results {
    std::filesystem::path dir;                         // the folder
    std::string label;                                 // the folder's name, for legends
    nlohmann::json document;                           // results.json, or null
    std::vector<std::string> columns;                  // CSV header order
    std::map<std::string, std::vector<double>> series; // column -> values
    std::size_t rows() const;
};

/// A finished run's table, or a folder's as read back.
results_table table_of(const results& r);
results_table table_of(const loaded_results& l);

/// Reads a results folder. Errors name the file and the line.
bt::result<loaded_results> load_results(const std::filesystem::path& dir);

/// Parses CSV text as written by timeseries_writer (exposed for tests).
bt::result<loaded_results> parse_timeseries_csv(std::string_view text);

}  // namespace swarmbench
