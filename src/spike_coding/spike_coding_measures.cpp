// The measures of spike-coding trials (spike_coding_measures.hpp) and the
// public ones of rsnn/spike_coding.hpp.
#include "spike_coding_measures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rsnn/spike_coding.hpp"

namespace rsnn {
namespace spike_coding {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double mean(const std::vector<double>& values) {
  return values.empty() ? nan : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : nan;
}

std::vector<double> component(const std::vector<double>& trace, std::size_t J, std::size_t j, std::size_t from) {
  std::vector<double> out;
  for (std::size_t s = from; s * J + j < trace.size(); ++s) out.push_back(trace[s * J + j]);
  return out;
}

double isi_cv(const std::vector<double>& times, const std::vector<std::uint32_t>& ids, std::size_t n) {
  std::vector<std::vector<double>> by_neuron(n);
  for (std::size_t s = 0; s < times.size(); ++s) by_neuron[ids[s]].push_back(times[s]);
  std::vector<double> cvs;
  for (const auto& spikes : by_neuron) {
    if (spikes.size() < 3) continue;
    std::vector<double> isi;
    for (std::size_t s = 1; s < spikes.size(); ++s) isi.push_back(spikes[s] - spikes[s - 1]);
    const double m = mean(isi);
    double var = 0.0;
    for (double v : isi) var += (v - m) * (v - m);
    cvs.push_back(std::sqrt(var / static_cast<double>(isi.size())) / m);
  }
  return mean(cvs);
}

double nmse(const TrialTally& tally) {
  return tally.squared_target > 0.0 ? tally.squared_error / tally.squared_target : nan;
}

std::pair<double, double> balance(const TrialTally& tally, std::size_t n, const std::vector<std::uint8_t>& removed) {
  const std::size_t bins = tally.excitatory.size() / n;
  std::vector<double> correlations, ratios;
  for (std::size_t i = 0; i < n; ++i) {
    if (removed[i]) continue;
    std::vector<double> e(bins), in(bins);
    double net = 0.0, total = 0.0;
    for (std::size_t b = 0; b < bins; ++b) {
      e[b] = tally.excitatory[b * n + i];
      in[b] = tally.inhibitory[b * n + i];
      net += std::abs(e[b] + in[b]);
      total += e[b] - in[b];
    }
    const double r = pearson(e, in);
    if (std::isfinite(r)) correlations.push_back(r);
    if (total > 0.0) ratios.push_back(net / total);
  }
  return {mean(correlations), mean(ratios)};
}

std::pair<double, double> oscillation_errors(const TrialTally& tally, std::size_t J, std::size_t from,
                                             double sample_dt) {
  const Oscillation want = measure_oscillation(component(tally.target, J, 0, from), sample_dt);
  const Oscillation got = measure_oscillation(component(tally.decoded, J, 0, from), sample_dt);
  return {(got.period - want.period) / want.period, (got.amplitude - want.amplitude) / want.amplitude};
}

double sign_agreement(const TrialTally& tally, std::size_t from) {
  const std::vector<double> want = component(tally.target, 1, 0, from), got = component(tally.decoded, 1, 0, from);
  if (want.empty()) return nan;
  std::size_t agree = 0;
  for (std::size_t k = 0; k < want.size(); ++k) agree += (want[k] > 0.0) == (got[k] > 0.0);
  return static_cast<double>(agree) / static_cast<double>(want.size());
}

}  // namespace spike_coding

using spike_coding::mean;
using spike_coding::pearson;

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double off_diagonal_correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k)
      if (i != k) {
        x.push_back(a[i * n + k]);
        y.push_back(b[i * n + k]);
      }
  return pearson(x, y);
}

double off_diagonal_relative_error(const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k)
      if (i != k) {
        diff += (a[i * n + k] - b[i * n + k]) * (a[i * n + k] - b[i * n + k]);
        norm += b[i * n + k] * b[i * n + k];
      }
  return norm > 0.0 ? std::sqrt(diff / norm) : nan;
}

Oscillation measure_oscillation(const std::vector<double>& trace, double dt) {
  Oscillation none{nan, nan};
  if (trace.size() < 3) return none;
  const auto [low, high] = std::minmax_element(trace.begin(), trace.end());
  const double middle = mean(trace), band = 0.1 * (*high - *low);
  if (!(band > 0.0)) return none;
  std::vector<std::size_t> ups;  // upward crossings of the mean after dipping below mean − band
  bool armed = false;
  for (std::size_t s = 0; s < trace.size(); ++s) {
    if (trace[s] < middle - band) armed = true;
    if (armed && trace[s] >= middle) {
      ups.push_back(s);
      armed = false;
    }
  }
  if (ups.size() < 3) return none;  // two whole cycles
  std::vector<double> amplitudes;
  for (std::size_t c = 1; c < ups.size(); ++c) {
    const auto [lo, hi] = std::minmax_element(trace.begin() + static_cast<std::ptrdiff_t>(ups[c - 1]),
                                              trace.begin() + static_cast<std::ptrdiff_t>(ups[c]));
    amplitudes.push_back((*hi - *lo) / 2.0);
  }
  const double cycles = static_cast<double>(ups.size() - 1);
  return {static_cast<double>(ups.back() - ups.front()) * dt / cycles, mean(amplitudes)};
}

}  // namespace rsnn
