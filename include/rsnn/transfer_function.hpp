#pragma once
// The firing rate of a leaky integrate-and-fire (LIF) neuron driven by a mean
// input plus white noise (the Ricciardi / Siegert transfer function), and its
// inverse, which turns rate targets (PSTHs, in Hz) into current targets.
//
// Model and noise convention (Brunel 2000; Brunel & Hakim 1999), t in ms, V in
// input units:
//
//   τ_m dV/dt = μ − V + σ √τ_m ξ(t),   ⟨ξ(t) ξ(t')⟩ = δ(t − t'),
//
// with V ← V_r after V reaches θ, then an absolute refractory period t_ref.
// μ is the mean total input as a potential (V relaxes to μ: for an rsnn lif
// neuron μ = v_rest + x), and σ (input units) sets the noise: without a
// threshold V would fluctuate around μ with standard deviation σ/√2, and in a
// step of dt the noise moves V by a Gaussian of standard deviation σ √(dt/τ_m).
// (TrainSpikingNet's `ricciardi` uses this convention, with θ = 1, V_r = 0,
// τ_m = 10 ms and no refractory period; so do the defaults below.)
//
// The mean first-passage time gives the stationary rate, in Hz:
//
//   ν(μ, σ) = 1000 / ( t_ref + τ_m √π ∫_{(V_r − μ)/σ}^{(θ − μ)/σ} e^{u²} (1 + erf u) du ),   σ > 0,
//
//   ν(μ, 0) = 1000 / ( t_ref + τ_m ln((μ − V_r)/(μ − θ)) )  for μ > θ, else 0,   σ = 0.
//
// The integrand e^{u²}(1 + erf u) = erfcx(−u) is about 1/(√π |u|) for large
// negative u (where 1 + erf u itself underflows); it is evaluated as erfcx
// there, and the integral by adaptive Gauss–Legendre quadrature to about
// 1e-12 relative. Large positive upper limits (far below threshold) are
// handled in the log domain, so tiny rates are accurate instead of 0.
#include <cstddef>

namespace rsnn {

struct LifTransferParameters {
  double tau_m = 10.0;       // membrane time constant τ_m, ms (> 0)
  double v_threshold = 1.0;  // θ, input units
  double v_reset = 0.0;      // V_r, input units (< θ)
  double refractory = 0.0;   // t_ref, ms (≥ 0)
};

// Scaled complementary error function erfcx(x) = e^{x²} erfc(x), to about
// 2e-15 relative for all x ≥ 0 (≈ 1/(x √π) for large x, where e^{x²} and
// erfc(x) alone overflow and underflow): e^{x²} erfc(x) below 5, Laplace's
// continued fraction above. For x < 0 it is 2 e^{x²} − erfcx(−x), which
// overflows below x ≈ −26.6.
double erfcx(double x);

// ν(μ, σ) in Hz (formulas above). Throws std::invalid_argument for σ < 0,
// τ_m ≤ 0, t_ref < 0, V_r ≥ θ or a non-finite μ.
double lif_rate(double mu, double sigma, const LifTransferParameters& neuron = {});
double lif_rate(double mu, double sigma, double tau_m, double v_threshold, double v_reset, double refractory);

// Rates that invert_lif_rate replaces: TrainSpikingNet replaces 0 Hz entries
// of a PSTH by 0.1 Hz before inverting, because with σ > 0 no finite μ gives 0.
inline constexpr double lif_zero_rate_replacement_hz = 0.1;

// The mean input μ with ν(μ, σ) = rate_hz: the inverse of lif_rate, which is
// strictly increasing in μ for σ > 0 (and above θ for σ = 0).
//  * Valid rates: 0 ≤ rate_hz < 1000 / t_ref (any rate ≥ 0 without refractory
//    period). A rate of exactly 0 is replaced by lif_zero_rate_replacement_hz
//    (0.1 Hz), as TrainSpikingNet does. Negative, non-finite or unreachable
//    rates throw std::domain_error.
//  * σ > 0: solved by bracketing, then Newton steps on ln(1/ν) (whose
//    derivative in μ is exact) safeguarded by bisection, to |Δμ| ≈ 1e-13;
//    ν(μ) then matches rate_hz to ~1e-12 relative.
//  * σ = 0: closed form μ = θ + (θ − V_r) / (e^{(1000/ν − t_ref)/τ_m} − 1). Rates
//    below about 1000 / (t_ref + 36 τ_m) Hz (2.8 Hz for τ_m = 10 ms) give μ
//    within rounding of θ and do not round-trip.
double invert_lif_rate(double rate_hz, double sigma, const LifTransferParameters& neuron = {});
double invert_lif_rate(double rate_hz, double sigma, double tau_m, double v_threshold, double v_reset,
                       double refractory);

}  // namespace rsnn
