// SHA-256 against the known answers of FIPS 180-4's examples (NIST, "SHA256.pdf", example
// messages "abc", the two-block 448-bit message, and one million 'a').

#include "sim/base/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace pcmsim {
namespace {

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // One million 'a', fed in pieces that straddle the 64-byte blocks.
  Sha256 h;
  const std::string piece(999, 'a');
  for (int i = 0; i < 1001; ++i) h.update(piece);
  h.update(std::string(1000000 - 999 * 1001, 'a'));
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace pcmsim
