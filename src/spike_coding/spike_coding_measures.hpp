#pragma once
// The measures of a spike-coding trial (rsnn/spike_coding.hpp): errors,
// balance, spike statistics and the oscillation of a trace. The public ones
// (off_diagonal_*, measure_oscillation) are declared in rsnn/spike_coding.hpp.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "spike_coding_passes.hpp"

namespace rsnn::spike_coding {

double mean(const std::vector<double>& values);                              // NaN for none
double pearson(const std::vector<double>& a, const std::vector<double>& b);  // NaN when either is constant
// Component j of a [sample × J] trace from sample `from` on.
std::vector<double> component(const std::vector<double>& trace, std::size_t J, std::size_t j, std::size_t from);
// Mean ISI coefficient of variation over the neurons with at least three spikes.
double isi_cv(const std::vector<double>& times, const std::vector<std::uint32_t>& ids, std::size_t n);
// ‖x − x̂‖²/‖x‖² over a trial's scored steps.
double nmse(const TrialTally& tally);
// A trial's balance: per neuron, corr(E, I) over the bins and mean |E + I| /
// mean (E + |I|); averaged over the neurons not removed.
std::pair<double, double> balance(const TrialTally& tally, std::size_t n, const std::vector<std::uint8_t>& removed);
// The relative period and amplitude errors of x̂₁ against x₁ from sample
// `from` of a trial's traces (sampled every sample_dt ms).
std::pair<double, double> oscillation_errors(const TrialTally& tally, std::size_t J, std::size_t from,
                                             double sample_dt);
// The fraction of samples from `from` on in which x̂₁ and x₁ have one sign.
double sign_agreement(const TrialTally& tally, std::size_t from);

}  // namespace rsnn::spike_coding
