#include <gtest/gtest.h>
#include <zlib.h>

#include "sim/framework/error.h"
#include "tests/framework/test_util.h"
#include "workloads/dataset.h"

namespace pcmsim {
namespace {

using testing::TempDir;

std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, size_t data_bytes) {
  std::string s = {0, 0, char(type), char(dims.size())};
  for (uint32_t d : dims) {
    s += char(d >> 24);
    s += char(d >> 16);
    s += char(d >> 8);
    s += char(d);
  }
  for (size_t i = 0; i < data_bytes; ++i) s += char(i % 251);
  return s;
}

std::string write_gz(const TempDir& d, const std::string& name, const std::string& bytes) {
  std::string path = d.path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  return path;
}

std::string error_of(const std::string& path) {
  try {
    read_idx(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Idx, ReadsRawAndGzip) {
  TempDir d;
  std::string bytes = idx_bytes(0x08, {3, 2, 2}, 12);
  for (const std::string& path : {d.file("raw.idx", bytes), write_gz(d, "z.idx.gz", bytes)}) {
    IdxData x = read_idx(path);
    EXPECT_EQ(x.dims, (std::vector<uint32_t>{3, 2, 2}));
    ASSERT_EQ(x.data.size(), 12u);
    EXPECT_EQ(x.data[11], 11);
  }
}

TEST(Idx, TruncatedData) {
  TempDir d;
  std::string path = write_gz(d, "t.gz", idx_bytes(0x08, {10, 28, 28}, 7000));
  std::string msg = error_of(path);
  EXPECT_EQ(msg, path + ": truncated: the header promises 7840 bytes of data, the file holds 7000");
}

TEST(Idx, TrailingBytes) {
  TempDir d;
  std::string path = d.file("x.idx", idx_bytes(0x08, {4}, 6));
  EXPECT_EQ(error_of(path), path + ": 2 bytes after the 4 bytes of data the header promises");
}

TEST(Idx, BadMagicTypeAndHeader) {
  TempDir d;
  std::string a = d.file("a.idx", "\x01\x02\x08\x01");
  EXPECT_NE(error_of(a).find("magic number must start with two zero bytes"), std::string::npos);
  std::string b = d.file("b.idx", idx_bytes(0x0D, {4}, 16));
  EXPECT_NE(error_of(b).find("type code"), std::string::npos) << error_of(b);
  std::string c = d.file("c.idx", std::string("\0\0\x08\x03\0\0", 6));
  EXPECT_NE(error_of(c).find("truncated IDX header"), std::string::npos) << error_of(c);
  std::string e = d.file("e.idx", "ab");
  EXPECT_NE(error_of(e).find("shorter than the 4-byte magic"), std::string::npos);
  EXPECT_NE(error_of(d.path("none.idx")).find("cannot open dataset file"), std::string::npos);
}

TEST(Dataset, PreprocessesAndChecksCounts) {
  TempDir d;
  std::string im = d.file("im.idx", idx_bytes(0x08, {3, 2, 2}, 12));
  std::string lb = d.file("lb.idx", idx_bytes(0x08, {3}, 3));
  Dataset ds = load_idx_dataset(im, lb, 2, {1.0 / 255.0, 0.5, 0.25});
  EXPECT_EQ(ds.count, 2);
  EXPECT_EQ(ds.sample_size, 4);
  EXPECT_FLOAT_EQ(ds.image(1)[1], float((5.0 / 255.0 - 0.5) / 0.25));
  EXPECT_EQ(ds.labels, (std::vector<int>{0, 1}));
  EXPECT_THROW(load_idx_dataset(im, lb, 4, {}), Error);
  std::string lb2 = d.file("lb2.idx", idx_bytes(0x08, {5}, 5));
  try {
    load_idx_dataset(im, lb2, 0, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds 3 images but"), std::string::npos) << e.what();
  }
}

TEST(Dataset, FashionMnistTestSetIfInstalled) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  Dataset ds =
      load_idx_dataset(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", 0, {});
  EXPECT_EQ(ds.count, 10000);
  EXPECT_EQ(ds.sample_shape, (std::vector<int64_t>{28, 28}));
  std::vector<int> per_class(10, 0);
  for (int l : ds.labels) per_class[size_t(l)]++;
  for (int c : per_class) EXPECT_EQ(c, 1000);  // the test set is balanced
}

}  // namespace
}  // namespace pcmsim
