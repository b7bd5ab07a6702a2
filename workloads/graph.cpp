#include "workloads/graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "workloads/conv_reference.h"

namespace pcmsim {

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
  return o + "]";
}

namespace {

using Buf = std::vector<float>;

void pool(const GraphNode& n, const Shape& in, const Shape& out, const Buf& x, Buf& y) {
  // Each output takes its window's taps in order (kernel row, then column), skipping those in
  // the padding: a max over signed zeros and a sum depend on the order. The taps' loop runs
  // outside the outputs', so that a tap's inputs come along a row.
  const int64_t C = in[0], H = in[1], W = in[2], OH = out[1], OW = out[2];
  const int64_t kh = n.kernel[0], kw = n.kernel[1], sw = n.stride[1];
  const bool is_max = n.op == GraphOp::MaxPool;
  // Padding counts for the average (count_include_pad) only within the padded extent, not
  // beyond it (ceil_mode windows).
  const bool pad_counts = !is_max && n.count_include_pad;
  y.assign(size_t(C * OH * OW), 0.0f);
  std::vector<double> acc(size_t(OH * OW));
  std::vector<int64_t> count(size_t(OH * OW));
  for (int64_t c = 0; c < C; ++c) {
    std::fill(acc.begin(), acc.end(), is_max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::fill(count.begin(), count.end(), 0);
    for (int64_t i = 0; i < kh; ++i) {
      for (int64_t j = 0; j < kw; ++j) {
        // The output columns whose input column v0 + ow x sw lies in [0, W): ow in [lo, hi).
        const int64_t v0 = window_input(n, 1, 0, j);
        const int64_t lo = v0 >= 0 ? 0 : std::min(OW, (-v0 + sw - 1) / sw);
        const int64_t hi = W - v0 <= 0 ? 0 : std::max(lo, std::min(OW, (W - v0 + sw - 1) / sw));
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t h = window_input(n, 0, oh, i);
          const bool row_inside = h >= 0 && h < H;
          int64_t* cnt = count.data() + oh * OW;
          if (pad_counts && h < H + n.pad[2]) {
            for (int64_t ow = 0; ow < OW; ++ow) {
              const bool col_inside = ow >= lo && ow < hi;
              if ((!row_inside || !col_inside) && v0 + ow * sw < W + n.pad[3]) ++cnt[ow];
            }
          }
          if (!row_inside) continue;
          const int64_t base = (c * H + h) * W + v0;  // input of column ow: x[base + ow x sw]
          double* a = acc.data() + oh * OW;
          if (is_max) {
            for (int64_t ow = lo; ow < hi; ++ow)
              a[ow] = std::max(a[ow], double(x[size_t(base + ow * sw)]));
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) {
              a[ow] += double(x[size_t(base + ow * sw)]);
              ++cnt[ow];
            }
          }
        }
      }
    }
    float* yc = y.data() + c * OH * OW;
    for (int64_t k = 0; k < OH * OW; ++k)
      yc[k] = float(is_max ? acc[size_t(k)]
                           : (count[size_t(k)] ? acc[size_t(k)] / double(count[size_t(k)]) : 0.0));
  }
}

// Strides of a shape (row-major).
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = int(s.size()) - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i + 1)] * s[size_t(i + 1)];
  return st;
}

}  // namespace

void eval_node(const Graph& g, const GraphNode& n, const std::vector<const std::vector<float>*>& in,
               std::vector<float>& y) {
  // One case per op, each a few lines: longer than most functions, kept whole so that every
  // op's FP32 semantics reads in one place.
  const Shape& out_shape = g.values[size_t(n.output)].shape;
  const Buf& a = *in[0];
  const Shape& in_shape = g.values[size_t(n.inputs[0])].shape;
  y.clear();
  switch (n.op) {
    case GraphOp::Conv:
      conv_reference(n, in_shape, out_shape, a, y);
      break;
    case GraphOp::Dense: {
      const int64_t K = n.weight.shape[0], N = n.weight.shape[1];
      y.assign(size_t(N), 0.0f);
      for (int64_t o = 0; o < N; ++o) {
        double s = n.bias.data.empty() ? 0.0 : n.bias.data[size_t(o)];
        for (int64_t k = 0; k < K; ++k)
          s += double(a[size_t(k)]) * n.weight.data[size_t(k * N + o)];
        y[size_t(o)] = float(s);
      }
      break;
    }
    case GraphOp::Add:
    case GraphOp::Sub:
    case GraphOp::Mul:
    case GraphOp::Div: {
      const Buf& b = in.size() > 1 ? *in[1] : n.constant.data;
      y.resize(a.size());
      // The operands in their order; one loop per operator (each vectorizes).
      const float* p = n.constant_first ? b.data() : a.data();
      const float* q = n.constant_first ? a.data() : b.data();
      const size_t m = a.size();
      if (n.op == GraphOp::Add)
        for (size_t i = 0; i < m; ++i) y[i] = p[i] + q[i];
      else if (n.op == GraphOp::Sub)
        for (size_t i = 0; i < m; ++i) y[i] = p[i] - q[i];
      else if (n.op == GraphOp::Mul)
        for (size_t i = 0; i < m; ++i) y[i] = p[i] * q[i];
      else
        for (size_t i = 0; i < m; ++i) y[i] = p[i] / q[i];
      break;
    }
    case GraphOp::Relu:
      y = a;
      for (float& t : y) t = std::max(t, 0.0f);
      break;
    case GraphOp::LeakyRelu:
      y = a;
      for (float& t : y) t = t < 0 ? n.alpha * t : t;
      break;
    case GraphOp::Clip:
      y = a;
      for (float& t : y) t = std::min(std::max(t, n.lo), n.hi);
      break;
    case GraphOp::Sigmoid:
      y = a;
      for (float& t : y) t = float(1.0 / (1.0 + std::exp(-double(t))));
      break;
    case GraphOp::Tanh:
      y = a;
      for (float& t : y) t = std::tanh(t);
      break;
    case GraphOp::MaxPool:
    case GraphOp::AveragePool:
      pool(n, in_shape, out_shape, a, y);
      break;
    case GraphOp::GlobalAveragePool: {
      const int64_t C = in_shape[0], hw = numel(in_shape) / C;
      y.assign(size_t(C), 0.0f);
      for (int64_t c = 0; c < C; ++c) {
        double s = 0;
        for (int64_t i = 0; i < hw; ++i) s += a[size_t(c * hw + i)];
        y[size_t(c)] = float(s / double(hw));
      }
      break;
    }
    case GraphOp::BatchNorm:
      batchnorm_affine(n.scale, n.shift, a, y);
      break;
    case GraphOp::Flatten:
    case GraphOp::Reshape:
    case GraphOp::Identity:
      y = a;
      break;
    case GraphOp::Concat: {
      // Blocks along the axis: outer = product of dims before it.
      int64_t outer = 1;
      for (int i = 0; i < n.axis; ++i) outer *= out_shape[size_t(i)];
      for (int64_t o = 0; o < outer; ++o) {
        for (const Buf* srcp : in) {
          const Buf& src = *srcp;
          int64_t block = int64_t(src.size()) / outer;
          y.insert(y.end(), src.begin() + o * block, src.begin() + (o + 1) * block);
        }
      }
      break;
    }
    case GraphOp::Softmax: {
      // Softmax over the axis: elements a stride apart in groups of the axis length.
      const int64_t len = out_shape[size_t(n.axis)];
      int64_t inner = 1;
      for (size_t i = size_t(n.axis) + 1; i < out_shape.size(); ++i) inner *= out_shape[i];
      const int64_t outer = int64_t(a.size()) / (len * inner);
      y.resize(a.size());
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          double mx = -std::numeric_limits<double>::infinity(), sum = 0;
          for (int64_t k = 0; k < len; ++k)
            mx = std::max(mx, double(a[size_t((o * len + k) * inner + i)]));
          for (int64_t k = 0; k < len; ++k)
            sum += std::exp(double(a[size_t((o * len + k) * inner + i)]) - mx);
          for (int64_t k = 0; k < len; ++k) {
            size_t idx = size_t((o * len + k) * inner + i);
            y[idx] = float(std::exp(double(a[idx]) - mx) / sum);
          }
        }
      }
      break;
    }
    case GraphOp::Pad: {
      y.assign(size_t(numel(out_shape)), n.pad_value);
      const std::vector<int64_t> si = strides_of(in_shape), so = strides_of(out_shape);
      for (int64_t i = 0; i < int64_t(a.size()); ++i) {
        int64_t rem = i, o = 0;
        for (size_t d = 0; d < in_shape.size(); ++d) {
          int64_t idx = rem / si[d];
          rem %= si[d];
          o += (idx + n.pads_begin[d]) * so[d];
        }
        y[size_t(o)] = a[size_t(i)];
      }
      break;
    }
  }
  if (int64_t(y.size()) != numel(out_shape)) {
    throw std::logic_error("graph: node '" + n.name + "' produced " + std::to_string(y.size()) +
                           " values for shape " + shape_str(out_shape));
  }
}

std::vector<std::vector<float>> run_reference_values(const Graph& g, const float* x) {
  std::vector<Buf> v(g.values.size());
  v[size_t(g.input)].assign(x, x + numel(g.input_shape()));
  std::vector<const Buf*> in;
  for (const GraphNode& n : g.nodes) {
    in.clear();
    for (int i : n.inputs) in.push_back(&v[size_t(i)]);
    eval_node(g, n, in, v[size_t(n.output)]);
  }
  return v;
}

std::vector<float> run_reference(const Graph& g, const float* x) {
  return std::move(run_reference_values(g, x)[size_t(g.output)]);
}

OpCounts digital_op_counts(const Graph& g, const GraphNode& n) {
  const uint64_t out = uint64_t(numel(g.values[size_t(n.output)].shape));
  OpCounts c;
  switch (n.op) {
    case GraphOp::Add:
    case GraphOp::Sub:
      c[OpKind::Add] = out;
      break;
    case GraphOp::Mul:
      c[OpKind::Mul] = out;
      break;
    case GraphOp::Div:
      c[OpKind::Div] = out;
      break;
    case GraphOp::Relu:
      c[OpKind::Compare] = out;
      break;
    case GraphOp::Clip:
      c[OpKind::Compare] = 2 * out;
      break;
    case GraphOp::LeakyRelu:
      c[OpKind::Compare] = out;
      c[OpKind::Mul] = out;
      break;
    case GraphOp::BatchNorm:
      c[OpKind::Mul] = out;
      c[OpKind::Add] = out;
      break;
    case GraphOp::Sigmoid:
      c[OpKind::Exp] = out;
      c[OpKind::Add] = out;
      c[OpKind::Div] = out;
      break;
    case GraphOp::Tanh:
      c[OpKind::Exp] = out;
      c[OpKind::Add] = 2 * out;
      c[OpKind::Div] = out;
      break;
    case GraphOp::MaxPool:
      c[OpKind::Compare] = out * uint64_t(n.kernel[0] * n.kernel[1] - 1);
      break;
    case GraphOp::AveragePool:
      c[OpKind::Add] = out * uint64_t(n.kernel[0] * n.kernel[1] - 1);
      c[OpKind::Mul] = out;
      break;
    case GraphOp::GlobalAveragePool:
      c[OpKind::Add] = uint64_t(numel(g.values[size_t(n.inputs[0])].shape)) - out;
      c[OpKind::Mul] = out;
      break;
    case GraphOp::Softmax:
      c[OpKind::Compare] = out;
      c[OpKind::Add] = 2 * out;
      c[OpKind::Exp] = out;
      c[OpKind::Div] = out;
      break;
    default:  // Conv, Dense (analog), views, Pad
      break;
  }
  return c;
}

bool is_view(GraphOp op) {
  return op == GraphOp::Flatten || op == GraphOp::Reshape || op == GraphOp::Identity ||
         op == GraphOp::Concat;
}

bool is_elementwise(const GraphNode& n) {
  switch (n.op) {
    case GraphOp::Relu:
    case GraphOp::LeakyRelu:
    case GraphOp::Clip:
    case GraphOp::Sigmoid:
    case GraphOp::Tanh:
    case GraphOp::BatchNorm:
      return true;
    case GraphOp::Add:
    case GraphOp::Sub:
    case GraphOp::Mul:
    case GraphOp::Div:
      return n.inputs.size() == 1;  // with a constant
    default:
      return false;
  }
}

void batchnorm_affine(const std::vector<float>& scale, const std::vector<float>& shift,
                      const std::vector<float>& x, std::vector<float>& y) {
  const size_t C = scale.size(), inner = x.size() / C;
  y.resize(x.size());
  for (size_t c = 0; c < C; ++c)
    for (size_t i = 0; i < inner; ++i) y[c * inner + i] = scale[c] * x[c * inner + i] + shift[c];
}

int fold_batchnorm(Graph& g) {
  std::vector<int> readers(g.values.size(), 0), producer(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int v : g.nodes[i].inputs) ++readers[size_t(v)];
    producer[size_t(g.nodes[i].output)] = int(i);
  }
  ++readers[size_t(g.output)];
  int folded = 0;
  for (GraphNode& bn : g.nodes) {
    if (bn.op != GraphOp::BatchNorm) continue;
    const int v = bn.inputs[0];
    const int pi = producer[size_t(v)];
    if (pi < 0 || readers[size_t(v)] != 1) continue;
    GraphNode& w = g.nodes[size_t(pi)];
    if (w.op != GraphOp::Conv && w.op != GraphOp::Dense) continue;
    const int64_t channels = int64_t(bn.scale.size());
    const bool conv = w.op == GraphOp::Conv;
    const int64_t outs = conv ? w.weight.shape[0] : w.weight.shape[1];
    if (outs != channels) continue;
    // Conv weight [M, C/g, kh, kw]: channel m is a contiguous run; Dense [in, out]: column m.
    const int64_t per = int64_t(w.weight.data.size()) / channels;
    for (int64_t m = 0; m < channels; ++m) {
      const float s = bn.scale[size_t(m)];
      for (int64_t k = 0; k < per; ++k) {
        float& x =
            conv ? w.weight.data[size_t(m * per + k)] : w.weight.data[size_t(k * channels + m)];
        x *= s;
      }
    }
    if (w.bias.data.empty()) {
      w.bias.shape = {channels};
      w.bias.data.assign(size_t(channels), 0.0f);
    }
    for (int64_t m = 0; m < channels; ++m)
      w.bias.data[size_t(m)] = w.bias.data[size_t(m)] * bn.scale[size_t(m)] + bn.shift[size_t(m)];
    bn.op = GraphOp::Identity;
    bn.scale.clear();
    bn.shift.clear();
    bn.bn_gamma.clear();
    bn.bn_beta.clear();
    ++folded;
  }
  return folded;
}

}  // namespace pcmsim
