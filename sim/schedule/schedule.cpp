#include "sim/schedule/schedule.h"

#include <algorithm>
#include <map>
#include <set>

namespace pcmsim {

Schedule::Schedule(const Graph& g, const GraphMapping& map, const ScheduleOptions& opt)
    : m_g(&g), m_act(opt.activation_bytes), m_psum(opt.psum_bytes) {
  make_steps(g, map);
  place_values(g, map);
  link_steps(g);
  make_inputs(g);
  make_tile_work(g, map);
}

uint64_t Schedule::row_part(uint64_t bytes, int64_t rows, int64_t r) {
  const uint64_t n = uint64_t(std::max<int64_t>(1, rows)), each = bytes / n;
  return uint64_t(r) + 1 < n ? each : bytes - each * (n - 1);
}

uint64_t Schedule::value_bytes(int v) const {
  return uint64_t(numel(m_g->values[size_t(v)].shape)) * uint64_t(m_act);
}

void Schedule::make_steps(const Graph& g, const GraphMapping& map) {
  // Each analog or computing node starts a step; element-wise nodes on a step's output that
  // nothing else reads join it; views join the step before them (or the next one).
  std::vector<int> readers(g.values.size(), 0);
  for (const GraphNode& n : g.nodes)
    for (int v : n.inputs) ++readers[size_t(v)];
  ++readers[size_t(g.output)];
  std::vector<int> pending_views;
  int last = -1;  // the value the current step produces
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    const int li = map.layer_of_node[i];
    if (li < 0 && is_view(n.op)) {
      if (m_steps.empty()) {
        pending_views.push_back(int(i));
        continue;
      }
      m_steps.back().nodes.push_back(int(i));
      if (n.inputs.size() == 1 && n.inputs[0] == last && readers[size_t(last)] == 1)
        last = n.output;
      continue;
    }
    if (li < 0 && !m_steps.empty() && is_elementwise(n) && n.inputs[0] == last &&
        readers[size_t(last)] == 1) {
      m_steps.back().nodes.push_back(int(i));
      m_steps.back().fused_ops += digital_op_counts(g, n);
      last = n.output;
      continue;
    }
    Step st;
    st.index = int(m_steps.size());
    st.name = n.name;
    st.layer = li;
    st.node = int(i);
    st.nodes = pending_views;
    st.nodes.push_back(int(i));
    pending_views.clear();
    if (li >= 0) {
      st.in_bytes = uint64_t(numel(g.values[size_t(n.inputs[0])].shape)) * uint64_t(m_act);
      if (!n.bias.data.empty())
        st.fused_ops[OpKind::Add] = uint64_t(numel(g.values[size_t(n.output)].shape));
    } else {
      for (int v : n.inputs)
        st.in_bytes += uint64_t(numel(g.values[size_t(v)].shape)) * uint64_t(m_act);
      st.ops = digital_op_counts(g, n);
    }
    last = n.output;
    m_steps.push_back(std::move(st));
  }
  if (m_steps.empty()) {  // nothing but views
    Step st;
    st.name = "views";
    st.nodes = pending_views;
    m_steps.push_back(std::move(st));
  }
}

void Schedule::place_values(const Graph& g, const GraphMapping& map) {
  // A view's value is its inputs' storage. Each stored value is written by its step and read
  // until its last reader's step; a value read only inside its own step streams through the
  // digital unit and is not stored.
  const size_t V = g.values.size();
  m_base.assign(V, {});
  m_step_of.assign(V, -1);
  m_last_read.assign(V, -1);
  m_base[size_t(g.input)] = {g.input};
  m_step_of[size_t(g.input)] = 0;
  for (size_t s = 0; s < m_steps.size(); ++s) {
    for (int i : m_steps[s].nodes) {
      const GraphNode& n = g.nodes[size_t(i)];
      for (int v : n.inputs)
        for (int b : m_base[size_t(v)])
          m_last_read[size_t(b)] = std::max(m_last_read[size_t(b)], int(s));
      if (map.layer_of_node[size_t(i)] < 0 && is_view(n.op)) {
        for (int v : n.inputs)
          m_base[size_t(n.output)].insert(m_base[size_t(n.output)].end(), m_base[size_t(v)].begin(),
                                          m_base[size_t(v)].end());
      } else {
        m_base[size_t(n.output)] = {n.output};
        m_step_of[size_t(n.output)] = int(s);
      }
    }
  }
  for (int b : m_base[size_t(g.output)]) m_last_read[size_t(b)] = int(m_steps.size());
  for (size_t v = 0; v < V; ++v) {
    if (m_step_of[v] < 0) continue;
    if (m_last_read[v] < 0) m_last_read[v] = m_step_of[v];  // written, never read
    if (m_last_read[v] < int(m_steps.size()))
      m_steps[size_t(m_last_read[v])].release.push_back(int(v));
  }
  m_stored.assign(V, 0);
  for (size_t v = 0; v < V; ++v) m_stored[v] = m_step_of[v] >= 0 && m_last_read[v] > m_step_of[v];
  m_stored[size_t(g.input)] = 1;  // arrives from the I/O port
  for (Step& st : m_steps) {
    // The step's output: its last node that is not a view; digital steps run on the tile where
    // their first input was assembled.
    for (int k = int(st.nodes.size()) - 1; k >= 0; --k) {
      const int i = st.nodes[size_t(k)];
      const GraphNode& n = g.nodes[size_t(i)];
      if (!(map.layer_of_node[size_t(i)] < 0 && is_view(n.op))) {
        m_stored[size_t(n.output)] = 1;
        st.out_value = n.output;
        break;
      }
    }
    if (st.out_value >= 0)
      st.out_bytes = uint64_t(numel(g.values[size_t(st.out_value)].shape)) * uint64_t(m_act);
  }
  std::vector<int> tile_of(V, 0);
  for (Step& st : m_steps) {
    if (st.analog()) {
      st.tile = map.layers[size_t(st.layer)].home_tiles[0];
    } else if (st.node >= 0) {
      st.tile = tile_of[size_t(g.nodes[size_t(st.node)].inputs[0])];
    }
    for (int i : st.nodes) tile_of[size_t(g.nodes[size_t(i)].output)] = st.tile;
  }
  m_rows.assign(V, 1);
  for (size_t v = 0; v < V; ++v) {
    const Shape& sh = g.values[v].shape;
    if (m_stored[v] && sh.size() == 3) m_rows[v] = sh[1];
  }
  for (Step& st : m_steps)
    if (st.out_value >= 0) st.out_rows = m_rows[size_t(st.out_value)];
  m_live.assign(m_steps.size(), 0);
  for (size_t s = 0; s < m_steps.size(); ++s) {
    for (size_t v = 0; v < V; ++v) {
      if (m_stored[v] && m_step_of[v] <= int(s) && m_last_read[v] >= int(s))
        m_live[s] += uint64_t(numel(g.values[v].shape)) * uint64_t(m_act);
    }
    m_peak_live = std::max(m_peak_live, m_live[s]);
  }
}

void Schedule::link_steps(const Graph& g) {
  // Which steps each step reads from (-1: the image).
  for (size_t s = 0; s < m_steps.size(); ++s) {
    Step& st = m_steps[s];
    std::set<int> from;
    for (int i : st.nodes)
      for (int v : g.nodes[size_t(i)].inputs)
        for (int b : m_base[size_t(v)])
          if (b == g.input || m_step_of[size_t(b)] != int(s))
            from.insert(b == g.input ? -1 : m_step_of[size_t(b)]);
    if (from.empty()) from.insert(-1);
    st.producers.assign(from.begin(), from.end());
    for (int p : st.producers)
      if (p >= 0) m_steps[size_t(p)].consumers.push_back(int(s));
  }
}

void Schedule::make_inputs(const Graph& g) {
  for (Step& st : m_steps) {
    if (st.node < 0) continue;
    const GraphNode& n = g.nodes[size_t(st.node)];
    const Shape* os = st.out_value >= 0 ? &g.values[size_t(st.out_value)].shape : nullptr;
    const bool kernel =
        n.op == GraphOp::Conv || n.op == GraphOp::MaxPool || n.op == GraphOp::AveragePool;
    const bool elementwise = is_elementwise(n) || n.op == GraphOp::Add || n.op == GraphOp::Sub ||
                             n.op == GraphOp::Mul || n.op == GraphOp::Div;
    for (int v : n.inputs) {
      StepInput in;
      in.value = v;
      in.bases = m_base[size_t(v)];
      in.bytes = uint64_t(numel(g.values[size_t(v)].shape)) * uint64_t(m_act);
      // A view is read whole once all it reads is stored.
      const bool direct = in.bases.size() == 1 && in.bases[0] == v;
      in.rows = direct ? m_rows[size_t(v)] : 1;
      if (in.rows > 1 && kernel) {
        in.kind = WindowKind::Kernel;
      } else if (in.rows > 1 && elementwise && os && os->size() == 3 && in.rows == st.out_rows) {
        in.kind = WindowKind::SameRow;
      }
      st.inputs.push_back(std::move(in));
    }
  }
}

RowWindow Schedule::window(int s, int i, int64_t r) const {
  const Step& st = m_steps[size_t(s)];
  const StepInput& in = st.inputs[size_t(i)];
  const int64_t last = in.rows - 1;
  switch (in.kind) {
    case WindowKind::SameRow:
      return {r, r};
    case WindowKind::Kernel: {
      const GraphNode& n = m_g->nodes[size_t(st.node)];
      const int64_t lo = window_input(n, 0, r, 0), hi = window_input(n, 0, r, n.kernel[0] - 1);
      return {std::clamp<int64_t>(lo, 0, last), std::clamp<int64_t>(hi, 0, last)};
    }
    case WindowKind::All:
      break;
  }
  return {0, last};
}

void Schedule::make_tile_work(const Graph& g, const GraphMapping& map) {
  for (Step& st : m_steps) {
    if (!st.analog()) continue;
    const GraphLayer& l = map.layers[size_t(st.layer)];
    const GraphNode& n = g.nodes[size_t(l.node)];
    const bool conv = n.op == GraphOp::Conv;
    const Shape& in = g.values[size_t(n.inputs[0])].shape;
    const int64_t kk = int64_t(n.kernel[0]) * n.kernel[1];
    const int64_t cg = conv ? in[0] / n.group : 0, plane = conv ? in[1] * in[2] : 1;
    const Shape& out_shape = g.values[size_t(n.output)].shape;
    st.pixels = l.pixels;
    st.out_width = conv ? out_shape[2] : 1;
    st.replicas = l.replicas;
    for (int t : l.tiles) {
      TileWork w;
      w.tile = t;
      std::vector<char> used(size_t(conv ? in[0] : l.rows), 0);
      for (size_t k = 0; k < l.blocks.size(); ++k) {
        const GraphBlock& b = map.blocks[size_t(l.blocks[k])];
        if (b.tile != t) continue;
        const int rows_g = b.rows / b.packed;
        for (int j = 0; j < b.packed; ++j) {
          if (conv) {
            for (int64_t c = b.row0 / kk; c <= (b.row0 + rows_g - 1) / kk; ++c)
              used[size_t((b.group + j) * cg + c)] = 1;
          } else {
            std::fill(used.begin() + b.row0, used.begin() + b.row0 + rows_g, 1);
          }
        }
        if (w.copies.empty() || w.copies.back().copy != b.replica) {
          w.copies.push_back({});
          w.copies.back().copy = b.replica;
          w.copies.back().home = l.home_tiles[size_t(b.replica)];
        }
        w.copies.back().blocks.push_back(int(k));
      }
      w.share_bytes =
          uint64_t(std::count(used.begin(), used.end(), 1)) * uint64_t(plane) * uint64_t(m_act);
      for (CopyWork& c : w.copies) {
        std::map<std::pair<int, int>, int> inputs;  // (first group, first row) -> rows
        std::set<std::pair<int, int>> outputs;      // (first group, first column)
        uint64_t total = 0, distinct = 0;
        for (int k : c.blocks) {
          const GraphBlock& b = map.blocks[size_t(l.blocks[size_t(k)])];
          inputs[{b.group, b.row0}] = b.rows;
          total += uint64_t(b.cols);
          if (outputs.insert({b.group, b.col0}).second) distinct += uint64_t(b.cols);
        }
        for (const auto& kv : inputs) c.vec_bytes += uint64_t(kv.second) * uint64_t(m_act);
        if (c.home == t) {
          c.values = total;  // added by the home tile's unit as the outputs assemble
        } else {
          c.local_adds = total - distinct;
          c.send_bytes = distinct * uint64_t(m_psum);
          c.values = distinct;
        }
      }
      st.work.push_back(std::move(w));
    }
    // The home tile's element operations per output pixel of each copy: the partial sums it
    // adds beyond the outputs themselves (the bias and fused nodes are in fused_ops).
    const uint64_t outputs = uint64_t(l.groups) * uint64_t(l.cols);
    st.copy_adds.assign(size_t(l.replicas), 0);
    st.sources.assign(size_t(l.replicas), {});
    for (const TileWork& w : st.work) {
      for (const CopyWork& cp : w.copies) {
        st.copy_adds[size_t(cp.copy)] += cp.values;
        st.sources[size_t(cp.copy)].push_back(w.tile);
      }
    }
    for (uint64_t& o : st.copy_adds) o -= outputs;
  }
}

}  // namespace pcmsim
