#include <gtest/gtest.h>
#include <zlib.h>

#include "sim/base/error.h"
#include "tests/base/test_util.h"
#include "workloads/dataset.h"
#include "workloads/graph.h"

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
  Dataset ds = load_idx_dataset(im, lb, 2, {1.0 / 255.0, 0.5, 0.25, {}, {}});
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

namespace pcmsim {
namespace {

using testing::TempDir;

std::string cifar_records(int classes, const std::vector<int>& labels) {
  std::string s;
  for (size_t r = 0; r < labels.size(); ++r) {
    if (classes == 100) s += char(labels[r] / 5);  // coarse label
    s += char(labels[r]);
    for (int i = 0; i < 3072; ++i) s += char((i / 1024) * 100 + int(r));  // plane c holds c*100 + r
  }
  return s;
}

TEST(Cifar, ReadsRecordsPlanesAndPerChannelNormalization) {
  TempDir d;
  std::string a = d.file("data_batch_1.bin", cifar_records(10, {3, 7}));
  std::string b = d.file("data_batch_2.bin", cifar_records(10, {9}));
  Preprocess pre;
  pre.channel_mean = {0.1, 0.2, 0.3};
  pre.channel_std = {0.5, 0.5, 0.25};
  Dataset ds = load_cifar_dataset({a, b}, 10, 0, pre);
  ASSERT_EQ(ds.count, 3);
  EXPECT_EQ(ds.labels, (std::vector<int>{3, 7, 9}));
  EXPECT_EQ(ds.sample_shape, (Shape{3, 32, 32}));
  // Sample 1, green plane (pixel 100 + 1): (101 / 255 - 0.2) / 0.5.
  EXPECT_FLOAT_EQ(ds.image(1)[1024 + 5], float((101.0 / 255.0 - 0.2) / 0.5));
  // Sample 2 is record 0 of the second file: blue pixel 200.
  EXPECT_FLOAT_EQ(ds.image(2)[2048], float((200.0 / 255.0 - 0.3) / 0.25));
  Dataset two = load_cifar_dataset({a, b}, 10, 2, pre);
  EXPECT_EQ(two.count, 2);
}

TEST(Cifar, HundredClassesUseTheFineLabel) {
  TempDir d;
  Dataset ds = load_cifar_dataset({d.file("train.bin", cifar_records(100, {42, 99}))}, 100, 0, {});
  EXPECT_EQ(ds.labels, (std::vector<int>{42, 99}));
}

TEST(Cifar, BadFilesAreErrors) {
  TempDir d;
  std::string cut = d.file("cut.bin", cifar_records(10, {1, 2}).substr(0, 5000));
  try {
    load_cifar_dataset({cut}, 10, 0, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              cut + ": 5000 bytes is not a whole number of 3073-byte CIFAR-10 records");
  }
  std::string bad = d.file("bad.bin", cifar_records(10, {12}));
  try {
    load_cifar_dataset({bad}, 10, 0, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), bad + ": record 0 has label 12, expected 0 to 9");
  }
  EXPECT_THROW(load_cifar_dataset({bad}, 10, 5, {}), Error);
  Preprocess wrong;
  wrong.channel_mean = {0.5};
  wrong.channel_std = {0.5};
  std::string ok = d.file("ok.bin", cifar_records(10, {1}));
  EXPECT_THROW(load_cifar_dataset({ok}, 10, 0, wrong), Error);  // 1 mean for 3 channels
}

}  // namespace
}  // namespace pcmsim
