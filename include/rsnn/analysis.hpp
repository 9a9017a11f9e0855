#pragma once
// Analysis of recorded activity and trained networks: pure functions on plain
// arrays, used to reproduce Kim & Chow (2018) figure by figure.
//
// Conventions:
//  * 2-D arrays are row-major [time][neuron] (a time series per neuron is a
//    column), passed as std::span<const double> plus the number of neurons.
//  * Times are in ms and rates in Hz, as everywhere in rsnn. Spike trains are
//    the engine's recording format: two parallel arrays, spike_times (ms) and
//    spike_ids (global neuron id), in any order.
//  * "Undefined" statistics (a constant series, too few spikes, zero mean
//    count) are NaN, never an exception; malformed arguments (sizes that do
//    not match, non-positive bins) throw std::invalid_argument.
#include <Eigen/Dense>

#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rsnn/network.hpp"

namespace rsnn::analysis {

// ------------------------------------ correlation (src/analysis/correlation.cpp)

// Pearson correlation of two equally long series,
//   r = Σ (x_t − x̄)(y_t − ȳ) / sqrt(Σ (x_t − x̄)² Σ (y_t − ȳ)²)   (dimensionless, in [−1, 1]).
// NaN when either series is constant or shorter than 2.
double pearson(std::span<const double> x, std::span<const double> y);

// Pearson r of each neuron's column of `a` against the same column of `b`,
// both [samples][neurons]. One value per neuron (NaN where undefined).
std::vector<double> per_neuron_correlation(std::span<const double> a, std::span<const double> b, std::size_t samples,
                                           std::size_t neurons);

struct LagCorrelation {
  double r = 0.0;  // Pearson r at the best lag (NaN when no lag gives a defined r)
  long lag = 0;    // in samples; see best_lag_correlation for the sign
};

// The integer lag ℓ in [−max_lag, max_lag] that maximises the Pearson r of the
// pairs (x[t], y[t + ℓ]) over the overlapping part of the two series only
// (no padding, no wrap-around; at least 2 overlapping samples). ℓ > 0 means y
// is a copy of x delayed by ℓ samples. On ties the smallest |ℓ| wins (then the
// negative one). max_lag is clipped to n − 2.
LagCorrelation best_lag_correlation(std::span<const double> x, std::span<const double> y, std::size_t max_lag);

// ------------------------------------ rates (src/analysis/psth.cpp)

// Number of whole bins of bin_ms in [t_begin, t_end): floor((t_end − t_begin)/bin_ms), with a 1e-9-bin
// allowance for rounding (so 1000 ms in 10 ms bins is 100 bins, not 99).
std::size_t bin_count(double t_begin, double t_end, double bin_ms);

// Peri-stimulus time histogram: the spikes of `trials` trials pooled into one
// list (times relative to each trial's start), binned into bin_count(t_begin,
// t_end, bin_ms) bins, bin k = [t_begin + k bin_ms, t_begin + (k + 1) bin_ms)
// (a spike within 1e-9 bins below a boundary counts in the later bin, which
// absorbs the rounding of times stamped as step × dt). Spikes outside the bins
// are ignored. Result [bin][neuron] in Hz:
//   rate_k,i = count_k,i / (trials · bin_ms / 1000).
// Throws std::invalid_argument for an id ≥ neurons, bin_ms ≤ 0, trials = 0 or
// mismatched array sizes.
std::vector<double> psth(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                         std::size_t neurons, double t_begin, double t_end, double bin_ms, std::size_t trials = 1);

// Element-wise mean of several equally shaped arrays (e.g. one [time][neuron]
// recording per trial). Throws std::invalid_argument when the list is empty or
// the sizes differ.
std::vector<double> trial_average(std::span<const std::vector<double>> arrays);

// ------------------------------------ variability (src/analysis/variability.cpp)

// Spike count of each neuron in [t_begin, t_end) of one trial.
std::vector<double> spike_counts(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                                 std::size_t neurons, double t_begin, double t_end);

// Fano factor of each neuron's spike count across trials: counts is
// [trial][neuron] (trials = counts.size() / neurons ≥ 2),
//   F_i = s²_i / m_i,  m_i the mean count, s²_i the unbiased sample variance (÷ (trials − 1)).
// NaN where the mean count is 0. A Poisson process has F = 1.
std::vector<double> fano_factor(std::span<const double> counts_per_trial, std::size_t neurons);

// Coefficient of variation of each neuron's interspike intervals (ISIs),
//   CV_i = s_i / m_i,  m_i the mean ISI, s_i its sample standard deviation (÷ (n − 1)).
// Spike times of a neuron are sorted first. NaN for neurons with fewer than 3
// spikes (fewer than 2 intervals). A regular train has CV = 0, a Poisson
// process CV = 1.
std::vector<double> isi_cv(std::span<const double> spike_times_ms, std::span<const std::uint32_t> spike_ids,
                           std::size_t neurons);

// ------------------------------------ connectivity spectrum (src/analysis/spectrum.cpp)

// The network's weights as a dense N × N matrix W[post][pre] in input units · ms
// (a weight is a charge; docs/config.md "Units"). The plastic synapses give
// their current weights; with include_static, every static synapse adds its
// projection's shared weight (so two projections or duplicate synapses
// between one pair add up). Meant for spectra of small and medium networks
// (N² doubles of memory).
Eigen::MatrixXd dense_weight_matrix(const Network& network, bool include_static);

// Eigenvalues of a square matrix (Eigen's real Schur decomposition), sorted by
// decreasing modulus. For a random matrix with i.i.d. entries of variance σ²
// they fill the disc of radius σ√N (circular law).
std::vector<std::complex<double>> eigenvalues(const Eigen::MatrixXd& matrix);

// max |λ| over the eigenvalues (0 for an empty matrix).
double spectral_radius(const Eigen::MatrixXd& matrix);

// ------------------------------------ perturbation divergence (src/analysis/divergence.cpp)

// Distance between two recordings of the same neurons, a and b both
// [time][neuron], at each time t (units of the recording, e.g. input units):
//   d(t) = sqrt( (1/N) Σ_i (a_t,i − b_t,i)² ).
// Used for perturbation experiments (one spike deleted or a neuron kicked):
// d(t) grows when the trajectories diverge.
std::vector<double> state_distance(std::span<const double> a, std::span<const double> b, std::size_t neurons);

// First index t with series[t] > threshold, if any.
std::optional<std::size_t> first_index_above(std::span<const double> series, double threshold);

// Time (from `times`, parallel to `series`, e.g. TrialResult::record_times) at
// which series first exceeds threshold; NaN when it never does.
double first_time_above(std::span<const double> series, double threshold, std::span<const double> times);

// ------------------------------------ error decomposition (src/analysis/residual.cpp)

// Kim & Chow's two error regimes (check C10 of docs/reproductions.md): the
// residual r(t) = actual − target of a trained neuron is dominated by high
// frequencies when spikes are too few to sample the target (sampling error,
// fast synapses), and is a smooth, lagging copy of the target's derivative
// when synapses are too slow (tracking error, ε ≈ τ_s du*/dt).
//
// Fraction of the residual's power at frequencies above cutoff_hz. The
// residual (n samples, every dt_ms) has its mean removed; with its discrete
// Fourier transform R_k = Σ_t r_t e^{−2πi kt/n}, frequency
// f_k = min(k, n − k) · 1000 / (n dt_ms) Hz, the result is
//   Σ_{k: f_k > cutoff} |R_k|² / Σ_k |R_k|²     (in [0, 1]),
// the denominator being n Σ_t r_t² (Parseval). The bins at or below the
// cutoff are summed by a direct DFT, O(n · bins below the cutoff). NaN for a
// constant residual.
double residual_power_above(std::span<const double> residual, double dt_ms, double cutoff_hz);

// The lag (in samples) at which `actual` best matches `target`:
// best_lag_correlation(target, actual, max_lag), so lag > 0 means actual
// trails the target by lag samples (the signature of tracking error), and r is
// the correlation at that lag.
LagCorrelation lag_of_best_fit(std::span<const double> actual, std::span<const double> target, std::size_t max_lag);

// ------------------------------------ oscillations (src/analysis/oscillation.cpp)
//
// Phase-invariant measures for autonomous pattern generators: a trained
// oscillator that runs 1 % slow drifts out of phase with its target within
// seconds although its waveform is right (Nicola & Clopath's reference run),
// so raw errors after training measure the phase, not the learning.

// Frequency (Hz) of the largest peak of the periodogram of a series sampled
// every dt_ms, in (0, max_frequency_hz]:
//   S(f) = |Σ_t (x_t − x̄) e^{−2πi f t dt}|²
// maximised on a grid 8 × finer than the natural resolution 1/(n dt) (the
// equivalent of 8-fold zero padding), then refined by a golden-section search
// between the best grid point's neighbours. NaN for a constant series or n < 4.
double dominant_frequency(std::span<const double> series, double dt_ms, double max_frequency_hz);

// Oscillation amplitude √2 · s (s the standard deviation over the series,
// ÷ n): the peak amplitude of a sinusoid. NaN when empty.
double oscillation_amplitude(std::span<const double> series);

// lag_of_best_fit(actual, target, max_lag) in each whole window of
// window_samples consecutive samples (a trailing partial window is dropped):
// a drifting phase shows as a growing lag, a lost waveform as a falling r.
// Throws std::invalid_argument when the lengths differ or window_samples < 2.
std::vector<LagCorrelation> windowed_lag_of_best_fit(std::span<const double> actual, std::span<const double> target,
                                                     std::size_t window_samples, std::size_t max_lag);

// Root-mean-square difference of two equally long series (NaN when empty).
double rms_difference(std::span<const double> a, std::span<const double> b);

// The values of the strict local maxima of a series, x_t > x_{t−1} and
// x_t ≥ x_{t+1} (interior points only), in time order.
std::vector<double> local_maxima(std::span<const double> series);

// The largest value of each excursion of a series above `level`, in time
// order, with hysteresis h ≥ 0: an excursion starts when the series rises
// above level + h and ends when it falls below level − h (an excursion still
// open at the end is dropped). With h a fraction of the signal's spread this
// ignores the fast jitter of a spiking network's read-out, which
// local_maxima would count as thousands of maxima. Throws
// std::invalid_argument for h < 0.
std::vector<double> excursion_maxima(std::span<const double> series, double level, double hysteresis);

// Similarity of two return maps (Lorenz maps) of successive maxima: the pairs
// (m_j, m_{j+1}) of each list are binned into a bins × bins histogram over
// [low, high)² (pairs outside are dropped) and normalised to unit sum; the
// result is the Pearson r of the two flattened histograms. NaN when either
// list has fewer than 2 maxima in range.
double return_map_similarity(std::span<const double> maxima_a, std::span<const double> maxima_b, std::size_t bins,
                             double low, double high);

}  // namespace rsnn::analysis
