#include "sim/functional/graph_network.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "sim/base/error.h"
#include "sim/base/parallel.h"

namespace pcmsim {

ArrayBank GraphAnalogNetwork::program(const Graph& g, const GraphMapping& map,
                                      const DeviceModel& device, const MvmNumerics& numerics,
                                      const WeightEncoding& encoding, uint64_t seed) {
  // Each layer's weight statistics and each array's weights, on the default threads.
  std::vector<double> w_max(map.layers.size()), w_std(map.layers.size());
  parallel_for(map.layers.size(), [&](size_t li, int) {
    ArrayBank::weight_stats(g.nodes[size_t(map.layers[li].node)].weight.data, &w_max[li],
                            &w_std[li]);
  });
  std::vector<BlockSpec> specs;
  std::vector<int> block_of;
  for (size_t li = 0; li < map.layers.size(); ++li) {
    for (int bi : map.layers[li].blocks) {
      const GraphBlock& b = map.blocks[size_t(bi)];
      specs.push_back(
          {uint32_t(li), uint32_t(b.index), b.level, b.rows, b.cols, {}, w_max[li], w_std[li]});
      block_of.push_back(bi);
    }
  }
  parallel_for(specs.size(), [&](size_t i, int) {
    const GraphBlock& b = map.blocks[size_t(block_of[i])];
    if (b.level == 0) specs[i].weights = block_weights(g, map, b);
  });
  return ArrayBank(std::move(specs), device, numerics, encoding, seed);
}

GraphAnalogNetwork::GraphAnalogNetwork(const Graph& g, const GraphMapping& map,
                                       const DeviceModel& device, const MvmNumerics& numerics,
                                       const WeightEncoding& encoding, uint64_t seed)
    : m_g(g),
      m_map(map),
      m_bank(program(g, map, device, numerics, encoding, seed)),
      m_costs(map.layers.size()),
      m_basis(map.layers.size()),
      m_codes(map.layers.size()),
      m_last_use(g.values.size(), -1) {
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int v : g.nodes[i].inputs) m_last_use[size_t(v)] = int(i);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].op == GraphOp::BatchNorm && !g.nodes[i].bn_gamma.empty())
      m_bn_nodes.push_back(int(i));
  m_bn_scale.resize(g.nodes.size());
  m_bn_shift.resize(g.nodes.size());
  build_gather_tables();
}

const std::vector<float>& GraphAnalogNetwork::bn_scale(int node) const {
  const std::vector<float>& s = m_bn_scale[size_t(node)];
  return s.empty() ? m_g.nodes[size_t(node)].scale : s;
}

const std::vector<float>& GraphAnalogNetwork::bn_shift(int node) const {
  const std::vector<float>& s = m_bn_shift[size_t(node)];
  return s.empty() ? m_g.nodes[size_t(node)].shift : s;
}

void GraphAnalogNetwork::prepare(double t_s, Compensation comp, uint64_t eval_seed) {
  m_bank.prepare(t_s, comp, eval_seed);
  for (std::vector<float>& s : m_bn_scale) s.clear();
  for (std::vector<float>& s : m_bn_shift) s.clear();
  if (comp == Compensation::BatchNorm) recalibrate_batchnorm();
}

void GraphAnalogNetwork::recalibrate_batchnorm() {
  if (m_bn_nodes.empty())
    throw Error(
        "compensation batchnorm: the network has no BatchNormalization node run digitally "
        "(the ONNX file must keep them, and mapping.batchnorm must be digital)");
  if (m_cal == nullptr || m_cal_n <= 0)
    throw Error("compensation batchnorm: no calibration images");
  // The calibration images in contiguous runs, one per thread; every node runs on all runs
  // before the next node, so a BatchNorm node sees all images' inputs.
  const int64_t n = m_cal_n;
  const size_t lanes_n = size_t(std::max(1, worker_count(size_t(n))));
  std::vector<Batch> lanes(lanes_n);
  for (size_t l = 0; l < lanes_n; ++l) {
    const int64_t i0 = n * int64_t(l) / int64_t(lanes_n),
                  i1 = n * int64_t(l + 1) / int64_t(lanes_n);
    start(lanes[l], m_cal + i0 * m_cal_sample, m_cal_sample, kCalibrationImage0 + i0, i1 - i0);
  }
  for (size_t i = 0; i < m_g.nodes.size(); ++i) {
    const GraphNode& nd = m_g.nodes[i];
    if (nd.op == GraphOp::BatchNorm && !nd.bn_gamma.empty()) {
      // Mean, then variance about it, per channel over every image and position: each image's
      // sum in its own order, the images' sums in image order (any thread count, same bits).
      const int v = nd.inputs[0];
      const size_t C = nd.bn_gamma.size(), inner = size_t(numel(m_g.values[size_t(v)].shape)) / C;
      std::vector<double> mean(C, 0.0), var(C, 0.0);
      for (int pass = 0; pass < 2; ++pass) {
        for (const Batch& bt : lanes)
          for (const std::vector<std::vector<float>>& img : bt.values) {
            const float* x = img[size_t(v)].data();
            for (size_t c = 0; c < C; ++c) {
              double s = 0;
              const float* xc = x + c * inner;
              if (pass == 0) {
                for (size_t k = 0; k < inner; ++k) s += double(xc[k]);
                mean[c] += s;
              } else {
                for (size_t k = 0; k < inner; ++k)
                  s += (double(xc[k]) - mean[c]) * (double(xc[k]) - mean[c]);
                var[c] += s;
              }
            }
          }
        for (size_t c = 0; c < C; ++c) (pass == 0 ? mean : var)[c] /= double(n) * double(inner);
      }
      std::vector<float>& scale = m_bn_scale[i];
      std::vector<float>& shift = m_bn_shift[i];
      scale.resize(C);
      shift.resize(C);
      for (size_t c = 0; c < C; ++c) {
        scale[c] = float(double(nd.bn_gamma[c]) / std::sqrt(var[c] + double(nd.bn_eps)));
        shift[c] = float(double(nd.bn_beta[c]) - mean[c] * double(scale[c]));
      }
    }
    parallel_for(lanes_n, [&](size_t l, int) {
      run_node(lanes[l], int(i));
      release_dead(lanes[l], int(i));
    });
  }
}

size_t GraphAnalogNetwork::output_size() const {
  return size_t(numel(m_g.values[size_t(m_g.output)].shape));
}

void GraphAnalogNetwork::run_analog(Batch& bt, int li) {
  // The MVMs of the layer's pixels of every image in the batch, kChunk at a time through each
  // array of a copy; an output's partial sums are added in block order, as one image at a time.
  // 72: a multiple of the column-sum kernel's six vectors.
  constexpr size_t kChunk = 72;
  const GraphLayer& l = m_map.layers[size_t(li)];
  const GraphNode& n = m_g.nodes[size_t(l.node)];
  const size_t images = bt.images.size();
  const size_t size = size_t(numel(m_g.values[size_t(n.output)].shape));
  const FixedFormat& fmt = m_datapath.psums.empty() ? FixedFormat{} : m_datapath.psums[size_t(li)];
  // The partial sums of a chunk's items pixel-major (an output pixel's channels together, as
  // an MVM's columns come), in their fixed-point format or in FP32. An item's MVMs are all on
  // its copy's arrays, so its sums are complete once the chunk has been through them: the bias
  // is added and the output written (channel-major) then, while they are in the cache.
  const size_t pixels = size_t(l.pixels), channels = size / pixels;
  // Items 16 values further apart than their channels: a stride of a power of two over 4 KB
  // would put one channel of every item in the same L1 set.
  const size_t ld = channels + 16;
  if (fmt.quantized())
    bt.psum_acc.resize(kChunk * ld);
  else
    bt.psum_f.resize(kChunk * ld);
  for (size_t b = 0; b < images; ++b) bt.values[b][size_t(n.output)].resize(size);
  const size_t per_copy = size_t(l.arrays_per_replica());
  // What each MVM did, for the timing models: the cycle-level chip's single image only.
  const bool keep = m_keep_work && &bt == &m_main;
  std::vector<MvmCost>& costs = m_costs[size_t(li)];
  std::vector<double>& basis = m_basis[size_t(li)];
  ReadCodes& codes = m_codes[size_t(li)];
  if (keep) {
    costs.assign(l.blocks.size() * size_t(l.pixels), MvmCost{});
    basis.assign(costs.size(), 0.0);
    codes.clear();
  }
  int max_rows = 0, max_cols = 0;
  for (int b : l.blocks) {
    max_rows = std::max(max_rows, m_map.blocks[size_t(b)].rows);
    max_cols = std::max(max_cols, m_map.blocks[size_t(b)].cols);
  }
  bt.x.resize(kChunk * size_t(max_rows));
  bt.y.resize(kChunk * size_t(max_cols));
  bt.slots.resize(kChunk);
  bt.results.resize(kChunk);
  bt.code_starts.resize(kChunk);
  for (int64_t copy = 0; copy < l.replicas; ++copy) {
    // The (image, pixel) items of this copy, in image then pixel order.
    bt.item_image.clear();
    bt.item_pixel.clear();
    for (size_t b = 0; b < images; ++b)
      for (int64_t p = copy; p < l.pixels; p += l.replicas) {
        bt.item_image.push_back(int64_t(b));
        bt.item_pixel.push_back(p);
      }
    for (size_t i0 = 0; i0 < bt.item_image.size(); i0 += kChunk) {
      const size_t m = std::min(kChunk, bt.item_image.size() - i0);
      if (fmt.quantized())
        std::fill(bt.psum_acc.begin(), bt.psum_acc.begin() + long(m * ld), 0);
      else
        std::fill(bt.psum_f.begin(), bt.psum_f.begin() + long(m * ld), 0.0f);
      for (size_t k = size_t(copy) * per_copy; k < size_t(copy + 1) * per_copy; ++k) {
        const int blk_index = l.blocks[k];
        const GraphBlock& blk = m_map.blocks[size_t(blk_index)];
        const int cols_g = blk.cols / blk.packed;
        // 1. The input vectors (those of the block before where it reads the same rows: the
        // column blocks and levels of a row block do), 2. their MVMs, 3. the partial sums
        // added in block order.
        const GraphBlock* prev =
            k > size_t(copy) * per_copy ? &m_map.blocks[size_t(l.blocks[k - 1])] : nullptr;
        const bool same_rows = prev && prev->row0 == blk.row0 && prev->rows == blk.rows &&
                               prev->group == blk.group && prev->packed == blk.packed;
        for (size_t i = 0; i < m; ++i) {
          const size_t b = size_t(bt.item_image[i0 + i]);
          const int64_t p = bt.item_pixel[i0 + i];
          if (!same_rows)
            gather(l, blk, bt.values[b][size_t(n.inputs[0])], p,
                   bt.x.data() + i * size_t(blk.rows));
          bt.slots[i] = uint64_t(bt.images[b]) * uint64_t(l.pixels) + uint64_t(p);
        }
        m_bank.mvm_batch(size_t(blk_index), bt.x.data(), int(m), blk.rows, bt.y.data(), blk.cols,
                         bt.slots.data(), bt.results.data(), keep ? &codes : nullptr,
                         bt.code_starts.data(), keep);
        for (size_t i = 0; i < m; ++i) {
          const int64_t p = bt.item_pixel[i0 + i];
          const MvmResult& res = bt.results[i];
          bt.mvms[size_t(li)] += uint64_t(res.passes);
          if (keep) {
            costs[k * size_t(l.pixels) + size_t(p)] = {uint16_t(res.passes), uint16_t(res.reads),
                                                       bt.code_starts[i]};
            basis[k * size_t(l.pixels) + size_t(p)] = res.read_basis;
          }
        }
        // Each MVM's columns: its output pixel's channels, in order.
        for (size_t i = 0; i < m; ++i) {
          const size_t at = i * ld + size_t(blk.col0);
          for (int j = 0; j < blk.packed; ++j) {
            const size_t at_j = at + size_t(int64_t(blk.group + j) * l.cols);
            const float* v = bt.y.data() + i * size_t(blk.cols) + size_t(j * cols_g);
            if (fmt.quantized()) {
              bt.psum_saturations += add_psums_n(bt.psum_acc.data() + at_j, v, size_t(cols_g), fmt);
            } else {
              float* acc = bt.psum_f.data() + at_j;  // FP32 partial sums
              for (int c = 0; c < cols_g; ++c) acc[c] += v[c];
            }
          }
        }
      }
      // 4. The bias, digitally (in the partial sums' format when they have one); the output
      // channel-major.
      // Channel by channel over the items (their pixels mostly neighbours): the output's
      // writes run along its rows instead of striding a plane apart.
      bt.item_out.resize(m);
      for (size_t i = 0; i < m; ++i)
        bt.item_out[i] = bt.values[size_t(bt.item_image[i0 + i])][size_t(n.output)].data() +
                         bt.item_pixel[i0 + i];
      float* const* out = bt.item_out.data();
      if (fmt.quantized()) {
        if (!n.bias.data.empty())
          for (size_t i = 0; i < m; ++i)
            bt.psum_saturations +=
                add_psums_n(bt.psum_acc.data() + i * ld, n.bias.data.data(), channels, fmt);
        const int64_t* acc = bt.psum_acc.data();
        for (size_t ch = 0; ch < channels; ++ch)
          for (size_t i = 0; i < m; ++i)
            out[i][ch * pixels] = float(double(acc[i * ld + ch]) * fmt.lsb);
      } else {
        float* acc = bt.psum_f.data();
        if (!n.bias.data.empty())
          for (size_t i = 0; i < m; ++i)
            for (size_t ch = 0; ch < channels; ++ch) acc[i * ld + ch] += n.bias.data[ch];
        for (size_t ch = 0; ch < channels; ++ch)
          for (size_t i = 0; i < m; ++i) out[i][ch * pixels] = acc[i * ld + ch];
      }
    }
  }
}

void GraphAnalogNetwork::start(Batch& bt, const float* inputs, int64_t sample, int64_t first,
                               int64_t count) const {
  bt.images.resize(size_t(count));
  bt.values.resize(size_t(count));
  for (int64_t b = 0; b < count; ++b) {
    bt.images[size_t(b)] = first + b;
    std::vector<std::vector<float>>& v = bt.values[size_t(b)];
    v.resize(m_g.values.size());
    for (std::vector<float>& x : v) x.clear();
    const float* x = inputs + b * sample;
    v[size_t(m_g.input)].assign(x, x + numel(m_g.input_shape()));
  }
  bt.mvms.assign(m_map.layers.size(), 0);
}

void GraphAnalogNetwork::begin(const float* x, int64_t image) { start(m_main, x, 0, image, 1); }

void GraphAnalogNetwork::run_node(int i) { run_node(m_main, i); }

void GraphAnalogNetwork::run_node(Batch& bt, int i) {
  const GraphNode& n = m_g.nodes[size_t(i)];
  const int li = m_map.layer_of_node[size_t(i)];
  if (li >= 0) {
    run_analog(bt, li);
  } else if (n.op == GraphOp::BatchNorm && !m_bn_scale[size_t(i)].empty()) {
    // Re-estimated statistics (Compensation::BatchNorm): the node's affine with them.
    for (size_t b = 0; b < bt.images.size(); ++b)
      batchnorm_affine(m_bn_scale[size_t(i)], m_bn_shift[size_t(i)],
                       bt.values[b][size_t(n.inputs[0])], bt.values[b][size_t(n.output)]);
  } else {
    std::vector<const std::vector<float>*> in;
    for (size_t b = 0; b < bt.images.size(); ++b) {
      in.clear();
      for (int v : n.inputs) in.push_back(&bt.values[b][size_t(v)]);
      eval_node(m_g, n, in, bt.values[b][size_t(n.output)]);
    }
  }
  quantize_output(bt, n.output);
}

void GraphAnalogNetwork::quantize_output(Batch& bt, int v) const {
  // A value leaving its tile: rounded to the activation format of the digital unit.
  if (m_datapath.activations.empty()) return;
  const FixedFormat& f = m_datapath.activations[size_t(v)];
  if (!f.quantized()) return;
  for (size_t b = 0; b < bt.images.size(); ++b) {
    std::vector<float>& x = bt.values[b][size_t(v)];
    bt.activation_clips += to_format_n(x.data(), x.size(), f);
  }
}

void GraphAnalogNetwork::release_dead(Batch& bt, int i) const {
  // Values no later node reads are freed (a batch of large images holds only what is live).
  for (int v : m_g.nodes[size_t(i)].inputs)
    if (m_last_use[size_t(v)] == i && v != m_g.output)
      for (size_t b = 0; b < bt.images.size(); ++b)
        std::vector<float>().swap(bt.values[b][size_t(v)]);
}

void GraphAnalogNetwork::forward(const float* x, int64_t image, std::vector<float>& out) {
  begin(x, image);
  for (size_t i = 0; i < m_g.nodes.size(); ++i) run_node(m_main, int(i));
  out = m_main.values[0][size_t(m_g.output)];
}

void GraphAnalogNetwork::run_batch(Batch& bt, const float* inputs, int64_t sample, int64_t first,
                                   int64_t count, float* out) {
  start(bt, inputs, sample, first, count);
  for (size_t i = 0; i < m_g.nodes.size(); ++i) {
    run_node(bt, int(i));
    release_dead(bt, int(i));
  }
  const size_t size = output_size();
  for (int64_t b = 0; b < count; ++b) {
    const std::vector<float>& y = bt.values[size_t(b)][size_t(m_g.output)];
    std::copy(y.begin(), y.end(), out + size_t(b) * size);
  }
}

std::vector<float> GraphAnalogNetwork::forward_many(const float* inputs, int64_t sample,
                                                    int64_t first, int64_t n, int threads,
                                                    int batch) {
  const size_t size = output_size();
  std::vector<float> out(size_t(n) * size);
  if (n <= 0) return out;
  if (batch <= 0) {
    // As many images as keep a batch's values (all of them, an upper bound) under 64 MB.
    double per_image = 0;
    for (const GraphValue& v : m_g.values) per_image += double(numel(v.shape)) * sizeof(float);
    batch = int(std::clamp(64e6 / std::max(1.0, per_image), 1.0, 64.0));
  }
  const int64_t batches = (n + batch - 1) / batch;
  std::vector<Batch> lanes(size_t(worker_count(size_t(batches), threads)));
  parallel_for(
      size_t(batches),
      [&](size_t j, int worker) {
        const int64_t i0 = int64_t(j) * batch, count = std::min<int64_t>(batch, n - i0);
        run_batch(lanes[size_t(worker)], inputs + i0 * sample, sample, first + i0, count,
                  out.data() + size_t(i0) * size);
      },
      threads);
  for (const Batch& bt : lanes) {
    m_psum_saturations += bt.psum_saturations;
    m_activation_clips += bt.activation_clips;
  }
  return out;
}

}  // namespace pcmsim
