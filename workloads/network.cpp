#include "workloads/network.h"

#include <algorithm>

namespace pcmsim {

int64_t Network::input_size() const {
  int64_t n = 1;
  for (int64_t d : input_shape) n *= d;
  return n;
}

int64_t Network::output_size() const { return layers.empty() ? input_size() : layers.back().out; }

int Network::dense_layers() const {
  return int(std::count_if(layers.begin(), layers.end(),
                           [](const Layer& l) { return l.op == LayerOp::Dense; }));
}

int64_t Network::weights() const {
  int64_t n = 0;
  for (const Layer& l : layers) n += int64_t(l.weight.size());
  return n;
}

std::vector<float> reference_forward(const Network& net, const float* x) {
  std::vector<float> cur(x, x + net.input_size());
  for (const Layer& l : net.layers) {
    if (l.op == LayerOp::Dense) {
      std::vector<float> y(l.out);
      for (int64_t o = 0; o < l.out; ++o) {
        float s = l.bias.empty() ? 0.0f : l.bias[o];
        for (int64_t i = 0; i < l.in; ++i) s += cur[i] * l.weight[i * l.out + o];
        y[o] = s;
      }
      cur.swap(y);
    } else if (l.op == LayerOp::Relu) {
      for (float& v : cur) v = std::max(v, 0.0f);
    }
  }
  return cur;
}

}  // namespace pcmsim
