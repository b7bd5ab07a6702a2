#pragma once
// What the sweep's writers and readers share about a sweep folder's files: reading one whole,
// writing one whole or not at all, and its points.json.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace pcmsim {

/// @brief The bytes of @p path ("" if it cannot be read).
std::string read_file_text(const std::filesystem::path& path);

/// @brief Writes @p text to @p path through a temporary file beside it and a rename, so that a
/// reader sees the old file or the new one, never half of one. Throws Error if it cannot.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

/// @brief DIR/points.json, parsed; Error if DIR is not a sweep folder or the file is not JSON.
nlohmann::ordered_json read_points_json(const std::filesystem::path& dir);

}  // namespace pcmsim
