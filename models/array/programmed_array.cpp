#include "models/array/programmed_array.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "models/array/column_sums.h"
#include "sim/base/clones.h"

namespace pcmsim {

Compensation parse_compensation(const std::string& name) {
  if (name == "none") return Compensation::None;
  if (name == "global") return Compensation::Global;
  if (name == "per_column") return Compensation::PerColumn;
  if (name == "batchnorm") return Compensation::BatchNorm;
  throw std::invalid_argument("unknown compensation '" + name +
                              "' (expected none, global, per_column or batchnorm)");
}

const char* compensation_name(Compensation c) {
  switch (c) {
    case Compensation::None:
      return "none";
    case Compensation::Global:
      return "global";
    case Compensation::PerColumn:
      return "per_column";
    case Compensation::BatchNorm:
      return "batchnorm";
  }
  return "?";
}

PCMSIM_CLONES
float abs_max(const float* x, size_t n) {
  // The magnitudes' bit patterns (sign cleared) order as the magnitudes do.
  uint32_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, &x[i], sizeof b);
    b &= 0x7FFFFFFFu;
    m = b > m ? b : m;
  }
  float f;
  std::memcpy(&f, &m, sizeof f);
  return f;
}

namespace {
/// Conductance targets of the device pairs of n weights: G+ = clamp(w x scale, 0, g_max) in
/// target[0, n), G- = clamp(-w x scale, 0, g_max) in target[n, 2n).
PCMSIM_CLONES
void pair_targets(const float* w, size_t n, double scale, double g_max, float* target) {
  for (size_t i = 0; i < n; ++i) {
    target[i] = float(std::clamp(w[i] * scale, 0.0, g_max));
    target[n + i] = float(std::clamp(-w[i] * scale, 0.0, g_max));
  }
}

/// The differential conductances (G+ - G-) / g_max of rows x cols pairs (G+ in g[0, n), G- in
/// g[n, 2n)), and each row's total conductance summed along the row in double.
PCMSIM_CLONES
void differential(const float* g, int rows, int cols, double g_max, float* gdiff, float* gsum) {
  const size_t n = size_t(rows) * size_t(cols);
  for (size_t i = 0; i < n; ++i) gdiff[i] = float((double(g[i]) - g[n + i]) / g_max);
  // Eight rows side by side: each row's sum keeps its order, the rows' additions overlap.
  constexpr int kRows = 8;
  int r = 0;
  for (; r + kRows <= rows; r += kRows) {
    double s[kRows] = {};
    for (int c = 0; c < cols; ++c)
      for (int k = 0; k < kRows; ++k) {
        const size_t i = size_t(r + k) * size_t(cols) + size_t(c);
        s[k] += double(g[i]) + g[n + i];
      }
    for (int k = 0; k < kRows; ++k) gsum[r + k] = float(s[k]);
  }
  for (; r < rows; ++r) {
    double s = 0;
    for (int c = 0; c < cols; ++c) {
      const size_t i = size_t(r) * size_t(cols) + size_t(c);
      s += double(g[i]) + g[n + i];
    }
    gsum[r] = float(s);
  }
}
}  // namespace

ProgrammedArray::ProgrammedArray(const float* w, int rows, int cols, const DeviceModel& device,
                                 const ProgramContext& ctx_in, bool exact, double full_scale,
                                 bool keep_pairs)
    : m_rows(rows),
      m_cols(cols),
      m_g_max(device.g_max_uS()),
      m_device(&device),
      m_exact(exact),
      m_gdiff(size_t(rows) * cols),
      m_gsum(size_t(rows)),
      m_keep_pairs(keep_pairs) {
  const size_t n = size_t(rows) * cols;
  const float w_max = full_scale > 0.0 ? float(full_scale) : abs_max(w, n);
  m_w_max = w_max;
  if (exact || w_max == 0.0f) {
    // Exact mapping: conductance ratios equal weight ratios, at every time.
    m_exact = true;
    m_exact_w.resize(n);
    for (size_t i = 0; i < n; ++i) {
      m_exact_w[i] = std::clamp(w[i], -w_max, w_max);
      m_gdiff[i] = w_max > 0 ? m_exact_w[i] / w_max : 0.0f;
    }
    for (int r = 0; r < rows; ++r) {
      double s = 0;
      for (int c = 0; c < cols; ++c) s += std::fabs(m_gdiff[size_t(r) * cols + c]) * m_g_max;
      m_gsum[size_t(r)] = float(s);
    }
    if (m_keep_pairs) {
      m_gpos.resize(n);
      m_gneg.resize(n);
      for (size_t k = 0; k < n; ++k) {
        m_gpos[k] = std::max(m_gdiff[k], 0.0f);
        m_gneg[k] = std::max(-m_gdiff[k], 0.0f);
      }
    }
    return;
  }
  const double scale = m_g_max / w_max;
  ProgramContext ctx = ctx_in;
  ctx.uS_per_weight = scale;
  if (ctx.block_w_max <= 0.0) ctx.block_w_max = w_max;
  // Targets for G+ (first n) and G- (next n) in this thread's scratch (no fresh pages for each
  // array); the draw index identifies the device.
  thread_local std::vector<float> target;
  if (target.size() < 2 * n) target.resize(2 * n);
  pair_targets(w, n, scale, m_g_max, target.data());
  device.program(target.data(), 2 * n, ctx, m_state);
  use_programmed();
}

std::vector<float> ProgrammedArray::programmed_weights() const {
  if (m_exact) return m_exact_w;
  const size_t n = size_t(m_rows) * m_cols;
  std::vector<float> w(n);
  for (size_t i = 0; i < n; ++i) {
    w[i] = float((double(m_state.g_prog_uS[i]) - m_state.g_prog_uS[n + i]) / m_g_max * m_w_max);
  }
  return w;
}

void ProgrammedArray::set_current(const float* g) {
  const size_t n = size_t(m_rows) * m_cols;
  if (m_keep_pairs) {
    m_gpos.resize(n);
    m_gneg.resize(n);
    for (size_t i = 0; i < n; ++i) {
      m_gpos[i] = float(g[i] / m_g_max);
      m_gneg[i] = float(g[n + i] / m_g_max);
    }
  }
  differential(g, m_rows, m_cols, m_g_max, m_gdiff.data(), m_gsum.data());
}

void ProgrammedArray::use_programmed() {
  if (!m_exact) set_current(m_state.g_prog_uS.data());
}

void ProgrammedArray::read_at(double t_s, const DrawKey& read_key) {
  if (m_exact) return;
  thread_local std::vector<float> g;  // this thread's scratch
  if (g.size() < m_state.g_prog_uS.size()) g.resize(m_state.g_prog_uS.size());
  m_device->read(m_state, t_s, read_key, g.data());
  set_current(g.data());
}

namespace {
/// Per-thread scratch of the MVMs (the arrays are shared by the threads that evaluate images).
struct MvmScratch {
  std::vector<float> xq;                ///< DAC outputs, a row per vector read
  std::vector<float> acc;               ///< column sums, a row per vector read
  std::vector<double> phase_sum;        ///< converted outputs summed over phases
  std::vector<float> noise;             ///< output-noise draws of a pass, a row per read
  std::vector<uint64_t> noise_at;       ///< the first draw of each read of a pass
  std::vector<float> nm, red;           ///< per vector: noise-management and bound scales
  std::vector<int> active, next;        ///< vectors read in this pass, in the next
  std::vector<ReadCodes> vector_codes;  ///< per vector: its reads' codes
};

/// One read through the ADC: v = acc × unit (+ sigma × z), rounded to the step, clipped at
/// ±bound; whether any clipped. (Two loops, so that neither adds a term the other lacks.)
PCMSIM_CLONES
bool adc_read(const float* acc, float unit, float sigma, const float* z, float step, float bound,
              float* y, size_t n) {
  int clips = 0;
  if (z) {
    for (size_t c = 0; c < n; ++c) {
      const float q = round_to_step(acc[c] * unit + sigma * z[c], step);
      clips += std::fabs(q) > bound;
      y[c] = clip_to(q, bound);
    }
  } else {
    for (size_t c = 0; c < n; ++c) {
      const float q = round_to_step(acc[c] * unit, step);
      clips += std::fabs(q) > bound;
      y[c] = clip_to(q, bound);
    }
  }
  return clips > 0;
}

MvmScratch& scratch() {
  thread_local MvmScratch s;
  return s;
}
}  // namespace

MvmResult ProgrammedArray::mvm(const float* x, float* y, const MvmNumerics& num,
                               const RngStream& noise, uint64_t noise_index,
                               ReadCodes* codes) const {
  MvmResult res;
  uint32_t start = 0;
  run_batch(x, 1, m_rows, y, m_cols, num, noise, &noise_index, &res, codes, &start, true, true);
  return res;
}

void ProgrammedArray::mvm_batch(const float* x, int n, int ld_x, float* y, int ld_y,
                                const MvmNumerics& num, const RngStream& noise,
                                const uint64_t* noise_index, MvmResult* res, ReadCodes* codes,
                                uint32_t* code_start, bool basis) const {
  run_batch(x, n, ld_x, y, ld_y, num, noise, noise_index, res, codes, code_start, true, basis);
}

void ProgrammedArray::record_read(const MvmNumerics& num, const float* xq, const float* y,
                                  ReadCodes& codes) const {
  // The largest input code sets a duration-coded read's pulse; each round of the ADC bank takes
  // as long as its largest output code's conversion.
  codes.push_back(uint16_t(num.dac->code_of(abs_max(xq, size_t(m_rows)))));
  const float max_code = float(num.adc->max_code()), step = num.adc->step();
  for (int r0 = 0; r0 < m_cols; r0 += num.adcs) {
    const float cmax = abs_max(y + r0, size_t(std::min(m_cols - r0, num.adcs)));
    codes.push_back(uint16_t(std::min(max_code, std::nearbyint(cmax / step))));
  }
}

void ProgrammedArray::run_batch(const float* x, int n, int ld_x, float* y, int ld_y,
                                const MvmNumerics& num, const RngStream& noise,
                                const uint64_t* noise_index, MvmResult* res, ReadCodes* codes,
                                uint32_t* code_start, bool compensate, bool basis) const {
  MvmScratch& s = scratch();
  const int phases = std::max(1, num.phases);  // ideal numerics too: the same work
  const int max_passes = num.ideal ? 1 : std::max(1, num.max_passes);
  const bool record = num.record_codes && codes;
  const size_t rows = size_t(m_rows), cols = size_t(m_cols);
  s.nm.assign(size_t(n), 1.0f);
  s.red.assign(size_t(n), 1.0f);
  s.active.clear();
  if (record) {
    if (s.vector_codes.size() < size_t(n)) s.vector_codes.resize(size_t(n));
    for (int v = 0; v < n; ++v) s.vector_codes[size_t(v)].clear();
  }
  for (int v = 0; v < n; ++v) {
    res[v] = MvmResult{};
    // 1. Noise management: scale the input vector by its absolute maximum.
    if (num.noise_management) {
      const float amax = abs_max(x + size_t(v) * size_t(ld_x), rows);
      if (amax == 0.0f) {  // the array runs on zero inputs and reads zeros
        float* yv = y + size_t(v) * size_t(ld_y);
        std::fill(yv, yv + cols, 0.0f);
        res[v].passes = 1;
        res[v].reads = phases;
        if (record) {
          s.xq.assign(rows, 0.0f);
          for (int ph = 0; ph < phases; ++ph)
            record_read(num, s.xq.data(), yv, s.vector_codes[size_t(v)]);
        }
        continue;
      }
      s.nm[size_t(v)] = amax;
    }
    s.active.push_back(v);
  }
  for (int pass = 0; !s.active.empty(); ++pass) {
    const size_t na = s.active.size();
    s.xq.resize(na * rows);
    s.acc.resize(na * cols);
    // 2. DAC: the applied inputs; the read energy follows them.
    for (size_t i = 0; i < na; ++i) {
      const int v = s.active[i];
      const float* xv = x + size_t(v) * size_t(ld_x);
      float* xq = s.xq.data() + i * rows;
      const float scale = 1.0f / (s.nm[size_t(v)] * s.red[size_t(v)]);
      if (num.ideal) {
        for (size_t r = 0; r < rows; ++r) xq[r] = xv[r] * scale;
      } else {
        num.dac->convert_n(xv, scale, xq, rows);
      }
      if (basis) {
        double sum = 0.0;
        for (size_t r = 0; r < rows; ++r)
          sum += (num.dac ? num.dac->read_weight(xq[r]) : double(xq[r]) * xq[r]) * m_gsum[r];
        res[v].read_basis += sum * phases;  // every phase reads the array again
      }
      res[v].reads += phases;
      ++res[v].passes;
    }
    // 3. Array: column sums in normalized units, the vectors of this pass together.
    column_sums_batch(s.xq.data(), int(na), m_rows, m_gdiff.data(), m_rows, m_cols, s.acc.data(),
                      m_cols);
    // 4. Output noise (every read's draws at once), ADC: quantize, then clip; a clipped output
    // fails the bound test.
    // 5. Bound management: halve the input and read again while outputs clip.
    const bool noisy = !num.ideal && num.adc->out_noise() > 0.0f;
    if (noisy) draw_output_noise(num, noise, noise_index, pass);
    s.next.clear();
    for (size_t i = 0; i < na; ++i) {
      const int v = s.active[i];
      const float* xq = s.xq.data() + i * rows;
      float* acc = s.acc.data() + i * cols;
      if (num.ir_drop > 0.0) apply_ir_drop(num.ir_drop, xq, acc);
      const bool clipped = convert(num, acc, xq, y + size_t(v) * size_t(ld_y), phases,
                                   noisy ? s.noise.data() + i * size_t(phases) * cols : nullptr,
                                   record ? &s.vector_codes[size_t(v)] : nullptr);
      if (clipped && pass + 1 < max_passes) {
        s.red[size_t(v)] *= 2.0f;
        s.next.push_back(v);
      }
    }
    s.active.swap(s.next);
  }
  // 6. Back to weight units; the drift compensation factors.
  for (int v = 0; v < n; ++v) {
    float* yv = y + size_t(v) * size_t(ld_y);
    const float out_scale =
        s.nm[size_t(v)] * s.red[size_t(v)] * (num.normalized_outputs ? m_w_max : 1.0f);
    for (size_t c = 0; c < cols; ++c) yv[c] *= out_scale;
    if (compensate && !m_alpha.empty())
      for (size_t c = 0; c < cols; ++c) yv[c] *= m_alpha[c];
  }
  if (record) {
    for (int v = 0; v < n; ++v) {
      code_start[v] = uint32_t(codes->size());
      const ReadCodes& vc = s.vector_codes[size_t(v)];
      codes->insert(codes->end(), vc.begin(), vc.end());
    }
  }
}

void ProgrammedArray::draw_output_noise(const MvmNumerics& num, const RngStream& noise,
                                        const uint64_t* noise_index, int pass) const {
  // Read ph of pass `pass` of vector v draws noise_index[v] + (pass * phases + ph) * cols + c
  // for column c.
  MvmScratch& s = scratch();
  const int phases = std::max(1, num.phases);
  const uint64_t cols = uint64_t(m_cols);
  s.noise.resize(s.active.size() * size_t(phases) * size_t(cols));
  s.noise_at.clear();
  for (int v : s.active)
    for (int ph = 0; ph < phases; ++ph)
      s.noise_at.push_back(noise_index[v] +
                           (uint64_t(pass) * uint64_t(phases) + uint64_t(ph)) * cols);
  noise.normals_batch(s.noise_at.data(), s.noise_at.size(), size_t(cols), s.noise.data());
}

bool ProgrammedArray::convert(const MvmNumerics& num, const float* acc, const float* xq, float* y,
                              int phases, const float* noise, ReadCodes* codes) const {
  // Each phase adds its own noise (noise + ph * cols; null: none) and is converted; the outputs
  // are the phases' mean. Returns whether any output clipped.
  const float unit = num.normalized_outputs ? 1.0f : m_w_max;  // of the ADC's input
  if (num.ideal) {
    for (int c = 0; c < m_cols; ++c) y[c] = acc[c] * unit;
    if (codes)
      for (int ph = 0; ph < phases; ++ph) record_read(num, xq, y, *codes);  // the same each phase
    return false;
  }
  bool clipped = false;
  const float sigma = num.adc->out_noise(), step = num.adc->step(), bound = num.adc->bound();
  std::vector<double>& phase_sum = scratch().phase_sum;
  if (phases > 1) phase_sum.assign(size_t(m_cols), 0.0);
  for (int ph = 0; ph < phases; ++ph) {
    const float* z = noise ? noise + size_t(ph) * size_t(m_cols) : nullptr;
    clipped |= adc_read(acc, unit, sigma, z, step, bound, y, size_t(m_cols));
    if (codes) record_read(num, xq, y, *codes);
    if (phases > 1)
      for (int c = 0; c < m_cols; ++c) phase_sum[size_t(c)] += y[c];
  }
  if (phases > 1)
    for (int c = 0; c < m_cols; ++c) y[c] = float(phase_sum[size_t(c)] / phases);
  return clipped;
}

void ProgrammedArray::apply_ir_drop(double rho, const float* xq, float* acc) const {
  // Each bit line (G+ and G- apart), sense amplifier after row R-1; currents normalized as
  // I_i = x_i g_i. The segment below row s carries S_s = sum_{i<=s} I_i, so node m sits at
  // u_m = rho * sum_{s>=m} S_s = rho * [(R - m) sum_{i<=m} I_i + sum_{i>m} (R - i) I_i] above the
  // amplifier's virtual ground, and device m sees x_m - u_m. First order: u from ideal currents.
  if (!m_keep_pairs) throw std::logic_error("IR drop needs the array built with keep_pairs");
  const int R = m_rows;
  const size_t cols = static_cast<size_t>(m_cols);
  std::vector<double> a(cols), b(cols), err(cols, 0.0);
  for (int polarity = 0; polarity < 2; ++polarity) {
    const std::vector<float>& g = polarity == 0 ? m_gpos : m_gneg;
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(b.begin(), b.end(), 0.0);
    for (int i = 0; i < R; ++i) {
      const double x = xq[i];
      for (int c = 0; c < m_cols; ++c)
        b[size_t(c)] += double(R - i) * x * g[size_t(i) * m_cols + c];
    }
    const double sign = polarity == 0 ? 1.0 : -1.0;
    for (int m = 0; m < R; ++m) {
      const double x = xq[m];
      const float* gm = &g[size_t(m) * m_cols];
      for (int c = 0; c < m_cols; ++c) {
        const double current = x * gm[c];
        a[size_t(c)] += current;                  // sum over i <= m
        b[size_t(c)] -= double(R - m) * current;  // now the sum over i > m
        const double u = rho * (double(R - m) * a[size_t(c)] + b[size_t(c)]);
        err[size_t(c)] += sign * u * gm[c];
      }
    }
  }
  for (int c = 0; c < m_cols; ++c) acc[c] = float(double(acc[c]) - err[size_t(c)]);
}

std::vector<double> ProgrammedArray::one_hot_readout(const MvmNumerics& num, const RngStream& noise,
                                                     uint64_t noise_index, MvmResult& work,
                                                     ReadCodes* codes) const {
  // The one-hot vectors e_r in batches, each MVM as mvm() would run it alone; mean |y| summed
  // in row order.
  constexpr int kBatch = 64;
  std::vector<double> mean(size_t(m_cols), 0.0);
  const uint64_t stride =
      uint64_t(std::max(1, num.max_passes)) * uint64_t(std::max(1, num.phases)) * uint64_t(m_cols);
  std::vector<float> x(size_t(kBatch) * size_t(m_rows)), y(size_t(kBatch) * size_t(m_cols));
  std::vector<uint64_t> index(kBatch);
  std::vector<MvmResult> res(kBatch);
  std::vector<uint32_t> start(kBatch);
  for (int r0 = 0; r0 < m_rows; r0 += kBatch) {
    const int n = std::min(kBatch, m_rows - r0);
    std::fill(x.begin(), x.end(), 0.0f);
    for (int i = 0; i < n; ++i) {
      x[size_t(i) * size_t(m_rows) + size_t(r0 + i)] = 1.0f;
      index[size_t(i)] = noise_index + uint64_t(r0 + i) * stride;
    }
    run_batch(x.data(), n, m_rows, y.data(), m_cols, num, noise, index.data(), res.data(), codes,
              start.data(), false, true);
    for (int i = 0; i < n; ++i) {
      work.passes += res[size_t(i)].passes;
      work.read_basis += res[size_t(i)].read_basis;
      work.reads += res[size_t(i)].reads;
      const float* yi = y.data() + size_t(i) * size_t(m_cols);
      for (int c = 0; c < m_cols; ++c) mean[size_t(c)] += std::fabs(yi[c]) / m_rows;
    }
  }
  return mean;
}

std::vector<float> compensation_factors(Compensation c, const std::vector<double>& reference,
                                        const std::vector<double>& current) {
  if (c == Compensation::None || c == Compensation::BatchNorm) return {};  // arrays untouched
  auto clamp = [](double v) { return std::max(v, 1e-4); };
  std::vector<float> alpha(reference.size());
  if (c == Compensation::Global) {
    double ref = 0, cur = 0;
    for (size_t i = 0; i < reference.size(); ++i) {
      ref += reference[i] / double(reference.size());
      cur += current[i] / double(current.size());
    }
    std::fill(alpha.begin(), alpha.end(), float(clamp(ref) / clamp(cur)));
  } else {
    for (size_t i = 0; i < reference.size(); ++i)
      alpha[i] = float(clamp(reference[i]) / clamp(current[i]));
  }
  return alpha;
}

}  // namespace pcmsim
