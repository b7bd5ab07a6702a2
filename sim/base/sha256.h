#pragma once
// SHA-256 (FIPS 180-4), for content-addressed results: a sweep point is named by the hash of
// its resolved config and input files.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace pcmsim {

class Sha256 {
 public:
  Sha256();
  /// @brief Adds @p n bytes at @p data to the message.
  void update(const void* data, size_t n);
  void update(const std::string& s) { update(s.data(), s.size()); }
  /// @brief The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> m_h;
  std::array<uint8_t, 64> m_buf{};
  size_t m_fill = 0;
  uint64_t m_bytes = 0;
};

/// @brief SHA-256 of a string, as hex.
std::string sha256_hex(const std::string& s);
/// @brief SHA-256 of a file's bytes, as hex. Throws Error if it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace pcmsim
