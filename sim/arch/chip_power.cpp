// The chip's figures beyond the run: power at full activity, a tile's area, utilization.

#include <algorithm>

#include "sim/arch/chip.h"

namespace pcmsim {

Chip::PeakPower Chip::peak_power() const {
  PeakPower pp;
  const Clock& clk = m_tb->clock();
  const double f = clk.freq_ghz();
  const ArrayModel& a = *m_array;
  const Dac& dac = *m_dac;
  const Adc& adc = *m_adc;
  // 1. One core reading back to back at full scale: the longest input pulse, the largest code
  // on every ADC, every device at g_max with full-scale inputs. A read is the DAC bank's drive
  // and the array's integration (front), then the ADC rounds (back); with sample-and-hold
  // overlap a read every max(front, back), else every front + back.
  const uint64_t rounds = uint64_t(conversion_rounds(a.cols(), m_adcs));
  const Cycles front =
      dac.drive_cycles(dac.max_code(), clk) +
      (dac.coding() == InputCoding::Duration ? Cycles(0) : a.integration_cycles(clk));
  const Cycles back = adc.conversion_cycles(adc.max_code(), clk) * rounds;
  const Cycles read = m_cs.periphery.overlap ? max(front, back) : front + back;
  const double read_ns = clk.to_ns(read);
  const uint64_t reads = uint64_t(dac.phases()) * uint64_t(m_cs.mvm_phases);
  const double mvm_ns = read_ns * double(reads);
  const double rows = a.rows(), cols = a.cols();
  // Full-scale read energy of one MVM: every row at the largest input (its read weight summed
  // over the MVM's reads: x^2 = bound^2 once, |code| LSBs of pulse, or one read per code bit).
  const bool duration = dac.coding() == InputCoding::Duration;
  const double unit_ns = duration ? dac.cost().ns_per_lsb : a.t_int_ns();
  const double weight = dac.read_weight(dac.bound()) * double(m_cs.mvm_phases);
  const double mvm_pj = a.read_energy_pj(rows * cols * m_device->g_max_uS() * weight, unit_ns);
  const CorePeriphery& pe = m_cs.periphery;
  const double in_reg = pe.input_register.energy_pj *
                        double(dac.coding() == InputCoding::BitSerial ? 1 : dac.bits()) / 8.0;
  const double per_conv = pe.sample_hold.energy_pj + pe.shift_add.energy_pj +
                          pe.output_register.energy_pj * double(m_cs.psum_bits) / 8.0;
  auto& core = pp.per_core;
  core["array"] = mvm_pj / mvm_ns + a.leakage_mw();
  core["dac"] = rows * dac.cost().energy_pj / read_ns + rows * dac.cost().leakage_mw;
  core["adc"] = cols * adc.cost().energy_pj / read_ns + m_adcs * adc.cost().leakage_mw;
  core["periphery"] = (rows * in_reg + cols * per_conv) / read_ns +
                      cols * pe.sample_hold.leakage_mw +
                      pe.shift_add_units * pe.shift_add.leakage_mw + pe.input_register.leakage_mw +
                      pe.output_register.leakage_mw;
  // 2. A tile: its cores; its unit, buffer and bus at full width; its output register taking
  // every weight's output (cores x columns / arrays per weight) once per MVM; its share of the
  // interconnect.
  const Tile& t0 = *m_tiles[0];
  auto& tile = pp.per_tile;
  for (const auto& kv : core) tile[kv.first] = kv.second * m_cs.cores_per_tile;
  const double outputs = double(m_cs.cores_per_tile) * cols / double(m_cs.encoding.levels());
  const PeripheralCost& tor = m_cs.tile_output_register;
  const double act_bytes = double(ceil_div(uint64_t(m_cs.activation_bits), 8));
  tile["periphery"] += tor.energy_pj * outputs * act_bytes / mvm_ns + tor.leakage_mw;
  tile["digital"] += t0.digital().peak_mw(f);
  tile["buffer"] += t0.buffer().peak_mw(f);
  if (t0.bus()) tile["interconnect"] += t0.bus()->peak_mw(f);
  tile["interconnect"] += m_noc->peak_mw(f) / m_cs.tiles;
  // 3. The chip: its tiles, the global buffer and the off-chip port.
  for (const auto& kv : tile) pp.chip[kv.first] = kv.second * m_cs.tiles;
  pp.chip["buffer"] += m_gbuf->peak_mw(f);
  pp.chip["io"] += m_io->peak_mw(f);
  for (const auto& kv : tile) pp.tile_mw += kv.second;
  for (const auto& kv : pp.chip) pp.chip_mw += kv.second;
  pp.mvm_ns = mvm_ns;
  pp.peak_tops = 2.0 * rows * cols * double(m_cs.tiles) * double(m_cs.cores_per_tile) /
                 double(m_cs.encoding.levels()) / mvm_ns * 1e-3;
  return pp;
}

std::map<std::string, double> Chip::tile_area_um2() const {
  std::map<std::string, double> a =
      m_ledger.area_by_class_um2(const_cast<Tile&>(*m_tiles[0]).stats().full_name());
  const std::map<std::string, double> ic =
      m_ledger.area_by_class_um2(m_stats.full_name() + ".interconnect");
  for (const auto& kv : ic) a[kv.first] += kv.second / m_cs.tiles;
  return a;
}

double Chip::Utilization::of_all(Cycles run) const {
  return units && run.count() ? double(busy) / (double(units) * double(run.count())) : 0.0;
}

double Chip::Utilization::of_used(Cycles run) const {
  return used && run.count() ? double(busy) / (double(used) * double(run.count())) : 0.0;
}

std::vector<Chip::Utilization> Chip::utilization() const {
  std::vector<Utilization> u;
  auto row = [&u](const std::string& name, const std::vector<uint64_t>& busy) {
    Utilization r;
    r.name = name;
    r.units = busy.size();
    for (uint64_t b : busy) {
      r.used += b > 0;
      r.busy += b;
      r.busiest = std::max(r.busiest, b);
    }
    u.push_back(r);
  };
  // The images' work only: the drift-compensation readouts before the first are left out.
  const int comp = compensation_tag();
  std::vector<uint64_t> mvm, adc, tbuf, tbus, digital;
  for (const auto& tp : m_tiles) {
    Tile& t = const_cast<Tile&>(*tp);
    for (int c = 0; c < t.cores(); ++c) {
      const Core& core = t.core(c);
      mvm.push_back(core.busy().count() - uint64_t(core.busy().value_of(comp)));
      adc.push_back(core.adc_busy().count() - uint64_t(core.adc_busy().value_of(comp)));
    }
    for (uint64_t b : t.buffer().port_busy()) tbuf.push_back(b);
    if (t.bus()) tbus.push_back(t.bus()->busy_cycles());
    digital.push_back(t.digital().busy_cycles());
  }
  row("arrays", mvm);
  row("adc banks", adc);
  row("interconnect links", m_noc->link_busy());
  if (!m_io->link_busy().empty()) row("i/o", m_io->link_busy());
  row("global buffer ports", m_gbuf->port_busy());
  if (!tbuf.empty()) row("tile buffer ports", tbuf);
  if (!tbus.empty()) row("tile buses", tbus);
  row("digital units", digital);
  return u;
}

}  // namespace pcmsim
