// Mathematics oracle for the packed per-neuron RLS kernels (rls_kernel.hpp).
//
// Every assertion compares the recursive kernels against an independent batch computation
// in Eigen (dense matrices, LLT/LDLT solves):
//   - after n updates from P(0) = A^-1 and w(0) = w0, RLS must equal the generalised ridge
//     solution   P_n = (R + A)^-1,   w_n = (R + A)^-1 (q + A w0),
//     with R = sum x x^T, q = sum f x and A = lambda I + mu S (Kim & Chow 2018, Methods; check C0;
//     Arthur et al. 2023, TrainSpikingNet.jl, for the mu S penalty);
//   - the fused packed step must equal the textbook unfused step on a full matrix;
//   - conditioning on a frozen input must equal RLS over the remaining inputs.
#include "learning/rls_kernel_detail.hpp"
#include "rsnn/rls_kernel.hpp"

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#else
inline int omp_get_thread_num() { return 0; }  // the team is this thread
#endif

namespace {

using rsnn::rls::condition_on_fixed_input;
using rsnn::rls::initialize_inverse_correlation;
using rsnn::rls::packed_index;
using rsnn::rls::packed_size;
using rsnn::rls::update_inverse_correlation;
using rsnn::rls::update_inverse_correlation_block;

// Packed upper (column-major) storage -> full symmetric Eigen matrix in double.
template <class Real>
Eigen::MatrixXd unpack(const std::vector<Real>& packed, std::size_t k) {
  Eigen::MatrixXd full(k, k);
  for (std::size_t col = 0; col < k; ++col) {
    for (std::size_t row = 0; row <= col; ++row) {
      const double value = static_cast<double>(packed[packed_index(row, col)]);
      full(row, col) = value;
      full(col, row) = value;
    }
  }
  return full;
}

// Full symmetric matrix -> packed upper storage (reads the upper triangle).
template <class Real>
std::vector<Real> pack(const Eigen::MatrixXd& full) {
  const auto k = static_cast<std::size_t>(full.rows());
  std::vector<Real> packed(packed_size(k));
  for (std::size_t col = 0; col < k; ++col) {
    for (std::size_t row = 0; row <= col; ++row) {
      packed[packed_index(row, col)] = static_cast<Real>(full(row, col));
    }
  }
  return packed;
}

double max_relative_difference(const Eigen::MatrixXd& value, const Eigen::MatrixXd& reference) {
  return (value - reference).cwiseAbs().maxCoeff() / reference.cwiseAbs().maxCoeff();
}

double relative_difference(const Eigen::VectorXd& value, const Eigen::VectorXd& reference) {
  return (value - reference).norm() / reference.norm();
}

// A generic SPD inverse correlation matrix (not the structured initial one):
// (B B^T / k + I)^-1 with B standard normal, drawn from `engine`.
Eigen::MatrixXd random_inverse_correlation(std::size_t k, std::mt19937_64& engine) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd b(k, k);
  for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = normal(engine);
  return (b * b.transpose() / static_cast<double>(k) + Eigen::MatrixXd::Identity(k, k)).inverse();
}

// The textbook RLS step on a full matrix, in double: k = P x, c = 1/(1 + x.k), P - c k k^T.
struct DenseStep {
  Eigen::VectorXd gain;
  double c;
  Eigen::MatrixXd p;
};

DenseStep dense_step(const Eigen::MatrixXd& p, const std::vector<double>& x) {
  const Eigen::Map<const Eigen::VectorXd> x_vector(x.data(), static_cast<Eigen::Index>(x.size()));
  DenseStep step;
  step.gain = p * x_vector;
  step.c = 1.0 / (1.0 + x_vector.dot(step.gain));
  step.p = p - step.c * step.gain * step.gain.transpose();
  return step;
}

// A = lambda I + mu S with S_ab = [sign_a == sign_b != 0].
Eigen::MatrixXd regulariser(std::size_t k, double lambda, double mu, const std::vector<std::int8_t>& sign) {
  Eigen::MatrixXd a = lambda * Eigen::MatrixXd::Identity(k, k);
  if (mu == 0.0) return a;
  for (std::size_t row = 0; row < k; ++row) {
    for (std::size_t col = 0; col < k; ++col) {
      if (sign[row] != 0 && sign[row] == sign[col]) a(row, col) += mu;
    }
  }
  return a;
}

// Regressors and targets, one sample per row of `x` (like filtered rates: uniform [0, 1)).
struct Samples {
  Eigen::MatrixXd x;  // n x K
  Eigen::VectorXd f;  // n
};

Samples random_samples(std::size_t n, std::size_t k, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> rate(0.0, 1.0);
  std::normal_distribution<double> target(0.0, 1.0);
  Samples samples{Eigen::MatrixXd(n, k), Eigen::VectorXd(n)};
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t i = 0; i < k; ++i) samples.x(s, i) = rate(engine);
    samples.f(s) = target(engine);
  }
  return samples;
}

// One neuron's RLS state driven exactly as the trainer will drive it.
template <class Real>
struct RlsNeuron {
  std::size_t k;
  std::vector<Real> p;
  Eigen::VectorXd w;
  std::vector<double> gain;

  RlsNeuron(std::size_t k_in, double lambda, double mu, const std::vector<std::int8_t>& sign, const Eigen::VectorXd& w0)
      : k(k_in), p(packed_size(k_in)), w(w0), gain(k_in) {
    initialize_inverse_correlation(p.data(), k, lambda, mu, mu != 0.0 ? sign.data() : nullptr);
  }

  // Textbook step: e = w.x - f (a-priori), w <- w - e c k  (= w - e P_new x).
  void step(const double* x, double f) {
    const double c = update_inverse_correlation(p.data(), x, gain.data(), k);
    double prediction = 0.0;
    for (std::size_t i = 0; i < k; ++i) prediction += w(static_cast<Eigen::Index>(i)) * x[i];
    const double error = prediction - f;
    for (std::size_t i = 0; i < k; ++i) w(static_cast<Eigen::Index>(i)) -= error * c * gain[i];
  }

  void run(const Samples& samples, Eigen::Index first = 0, Eigen::Index last = -1) {
    if (last < 0) last = samples.x.rows();
    std::vector<double> x(k);
    for (Eigen::Index s = first; s < last; ++s) {
      for (std::size_t i = 0; i < k; ++i) x[i] = samples.x(s, static_cast<Eigen::Index>(i));
      step(x.data(), samples.f(s));
    }
  }
};

// Batch oracle: (R + A)^-1 and (R + A)^-1 (q + A w0).
struct Ridge {
  Eigen::MatrixXd p;
  Eigen::VectorXd w;
};

Ridge batch_ridge(const Samples& samples, const Eigen::MatrixXd& a, const Eigen::VectorXd& w0) {
  const Eigen::MatrixXd normal = samples.x.transpose() * samples.x + a;
  const Eigen::VectorXd rhs = samples.x.transpose() * samples.f + a * w0;
  const Eigen::LLT<Eigen::MatrixXd> factor(normal);
  EXPECT_EQ(factor.info(), Eigen::Success);
  return {factor.solve(Eigen::MatrixXd::Identity(a.rows(), a.cols())), factor.solve(rhs)};
}

void report(const std::string& what, double value) {
  std::printf("    [measured] %-58s %.3e\n", what.c_str(), value);
  ::testing::Test::RecordProperty(what, std::to_string(value));
}

// ---------------------------------------------------------------------------------------------
// 1. Check C0 (docs/reproductions.md): K = 50, n = 500, lambda = 1, double precision.

constexpr std::size_t kC0Inputs = 50;
constexpr std::size_t kC0Samples = 500;
constexpr double kC0Lambda = 1.0;

TEST(RlsKernel, C0RecursiveEqualsBatchRidgeFromZero) {
  const Samples samples = random_samples(kC0Samples, kC0Inputs, 20180101);
  const Eigen::VectorXd w0 = Eigen::VectorXd::Zero(kC0Inputs);
  RlsNeuron<double> neuron(kC0Inputs, kC0Lambda, 0.0, {}, w0);
  neuron.run(samples);

  const Ridge ridge = batch_ridge(samples, kC0Lambda * Eigen::MatrixXd::Identity(kC0Inputs, kC0Inputs), w0);
  const double w_error = relative_difference(neuron.w, ridge.w);
  const double p_error = max_relative_difference(unpack(neuron.p, kC0Inputs), ridge.p);
  report("C0 double w0=0: |w - ridge| / |ridge|", w_error);
  report("C0 double w0=0: max|P - (R+lI)^-1| / max|(R+lI)^-1|", p_error);
  EXPECT_LT(w_error, 1e-8);
  EXPECT_LT(p_error, 1e-8);
}

TEST(RlsKernel, C0RecursiveEqualsBatchRidgeFromNonzeroInitialWeights) {
  // With w(0) = w0 the implied regulariser is lambda |w - w0|^2: w = (R + lI)^-1 (q + l w0).
  const Samples samples = random_samples(kC0Samples, kC0Inputs, 20180102);
  std::mt19937_64 engine(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd w0(kC0Inputs);
  for (Eigen::Index i = 0; i < w0.size(); ++i) w0(i) = normal(engine);

  RlsNeuron<double> neuron(kC0Inputs, kC0Lambda, 0.0, {}, w0);
  neuron.run(samples);
  const Ridge ridge = batch_ridge(samples, kC0Lambda * Eigen::MatrixXd::Identity(kC0Inputs, kC0Inputs), w0);
  const double w_error = relative_difference(neuron.w, ridge.w);
  report("C0 double w0!=0: |w - ridge| / |ridge|", w_error);
  EXPECT_LT(w_error, 1e-8);
  EXPECT_LT(max_relative_difference(unpack(neuron.p, kC0Inputs), ridge.p), 1e-8);
}

// ---------------------------------------------------------------------------------------------
// 2. The same problem with P stored in float (accumulation still in double).

TEST(RlsKernel, C0FloatStorageAgreesToFloatTolerance) {
  const Samples samples = random_samples(kC0Samples, kC0Inputs, 20180101);
  std::mt19937_64 engine(8);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd w0(kC0Inputs);
  for (Eigen::Index i = 0; i < w0.size(); ++i) w0(i) = normal(engine);

  for (const bool from_zero : {true, false}) {
    const Eigen::VectorXd start = from_zero ? Eigen::VectorXd::Zero(kC0Inputs) : w0;
    RlsNeuron<float> neuron(kC0Inputs, kC0Lambda, 0.0, {}, start);
    neuron.run(samples);
    const Ridge ridge = batch_ridge(samples, kC0Lambda * Eigen::MatrixXd::Identity(kC0Inputs, kC0Inputs), start);
    const double w_error = relative_difference(neuron.w, ridge.w);
    const double p_error = max_relative_difference(unpack(neuron.p, kC0Inputs), ridge.p);
    const std::string label = from_zero ? "C0 float w0=0" : "C0 float w0!=0";
    report(label + ": |w - ridge| / |ridge|", w_error);
    report(label + ": max|P - (R+lI)^-1| / max|(R+lI)^-1|", p_error);
    // Measured (gcc 12, -O3 -march=native, AVX-512): w 5.1e-7 / 4.8e-7 and P 7.6e-7 / 7.6e-7
    // (w0 = 0 / w0 != 0), i.e. ~10 float ulps: each step rounds P once on write-back and
    // the accumulated rounding stays small because cond(R + lambda I) is only ~6e3 here.
    // 1e-5 leaves a >10x margin for other compilers / summation orders.
    EXPECT_LT(w_error, 1e-5);
    EXPECT_LT(p_error, 1e-5);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The E/I-sum penalty mu S with mixed signs (TrainSpikingNet's penmu).

std::vector<std::int8_t> mixed_signs(std::size_t k) {
  // Positive, negative and a few sign-0 inputs (in neither block).
  std::vector<std::int8_t> sign(k);
  for (std::size_t i = 0; i < k; ++i) sign[i] = i % 7 == 3 ? 0 : (i % 3 == 0 ? -1 : 1);
  return sign;
}

TEST(RlsKernel, InitialInverseCorrelationMatchesEigenInverse) {
  for (const std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{9}, std::size_t{58}}) {
    for (const double mu : {0.0, 0.01, 0.7}) {
      const double lambda = 0.8;
      const std::vector<std::int8_t> sign = mixed_signs(k);
      std::vector<double> p(packed_size(k));
      initialize_inverse_correlation(p.data(), k, lambda, mu, mu != 0.0 ? sign.data() : nullptr);
      const Eigen::MatrixXd expected = regulariser(k, lambda, mu, sign).inverse();
      EXPECT_LT(max_relative_difference(unpack(p, k), expected), 1e-12) << "k=" << k << " mu=" << mu;

      std::vector<float> p_float(packed_size(k));
      initialize_inverse_correlation(p_float.data(), k, lambda, mu, mu != 0.0 ? sign.data() : nullptr);
      EXPECT_LT(max_relative_difference(unpack(p_float, k), expected), 1e-7) << "k=" << k << " mu=" << mu;
    }
  }
}

TEST(RlsKernel, PenalisedRecursionEqualsGeneralisedRidge) {
  const std::size_t k = kC0Inputs;
  const double lambda = 0.8;
  const double mu = 0.5;  // large enough that the penalty visibly changes the solution
  const std::vector<std::int8_t> sign = mixed_signs(k);
  const Eigen::MatrixXd a = regulariser(k, lambda, mu, sign);
  const Samples samples = random_samples(kC0Samples, k, 20180103);
  std::mt19937_64 engine(9);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd w0(k);
  for (Eigen::Index i = 0; i < w0.size(); ++i) w0(i) = normal(engine);

  RlsNeuron<double> neuron(k, lambda, mu, sign, w0);
  EXPECT_LT(max_relative_difference(unpack(neuron.p, k), a.inverse()), 1e-12);
  neuron.run(samples);

  const Ridge ridge = batch_ridge(samples, a, w0);
  const double w_error = relative_difference(neuron.w, ridge.w);
  const double p_error = max_relative_difference(unpack(neuron.p, k), ridge.p);
  report("mu=0.5 double: |w - generalised ridge| / |ridge|", w_error);
  report("mu=0.5 double: max|P - (R+A)^-1| / max|(R+A)^-1|", p_error);
  EXPECT_LT(w_error, 1e-8);
  EXPECT_LT(p_error, 1e-8);
  // The penalty matters: the plain ridge solution is measurably different.
  const Ridge plain = batch_ridge(samples, lambda * Eigen::MatrixXd::Identity(k, k), w0);
  EXPECT_GT(relative_difference(plain.w, ridge.w), 1e-4);
}

// ---------------------------------------------------------------------------------------------
// 4. Positive definiteness of float P under long runs of realistic, strongly correlated
// regressors: Poisson spike trains (1-40 Hz) through the TrainSpikingNet plastic filter
// r += (-dt r + spike) / tau, tau = 150 ms, dt = 0.1 ms, K = 58 = 2 L (TSN defaults).

struct SpdCase {
  const char* name;
  double spike_jump;     // r jump per spike: 1/tau (TSN units, 1/ms) or 1 (spike count)
  int steps_per_update;  // learn_every / dt
  double lambda;
  double mu;
  double max_weight_difference;  // allowed |w_float - w_double| / |w_double| (measured below)
};

class RlsKernelPositiveDefinite : public ::testing::TestWithParam<SpdCase> {};

TEST_P(RlsKernelPositiveDefinite, FloatPStaysPositiveDefiniteOver5000Updates) {
  const SpdCase& setup = GetParam();
  constexpr std::size_t k = 58;
  constexpr int updates = 5000;
  constexpr double dt = 0.1;     // ms
  constexpr double tau = 150.0;  // ms
  std::mt19937_64 engine(58);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> spike_probability(k);
  for (double& probability : spike_probability) {
    probability = (1.0 + 39.0 * uniform(engine)) * 1e-3 * dt;  // rate 1-40 Hz, per dt step
  }
  std::vector<std::int8_t> sign(k);
  for (std::size_t i = 0; i < k; ++i) sign[i] = i < k / 2 ? 1 : -1;

  const Eigen::VectorXd w0 = Eigen::VectorXd::Zero(k);
  RlsNeuron<float> single(k, setup.lambda, setup.mu, sign, w0);
  RlsNeuron<double> reference(k, setup.lambda, setup.mu, sign, w0);
  std::normal_distribution<double> target(0.0, 1.0);
  std::vector<double> r(k, 0.0);
  const double decay = 1.0 - dt / tau;
  for (int update = 0; update < updates; ++update) {
    for (int step = 0; step < setup.steps_per_update; ++step) {
      for (std::size_t i = 0; i < k; ++i) {
        r[i] = r[i] * decay + (uniform(engine) < spike_probability[i] ? setup.spike_jump : 0.0);
      }
    }
    const double f = target(engine);
    single.step(r.data(), f);
    reference.step(r.data(), f);
  }

  const Eigen::MatrixXd p = unpack(single.p, k);
  const Eigen::MatrixXd p_reference = unpack(reference.p, k);
  EXPECT_EQ(Eigen::LLT<Eigen::MatrixXd>(p).info(), Eigen::Success);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> spectrum(p);
  const double min_eigenvalue = spectrum.eigenvalues().minCoeff();
  const double max_eigenvalue = spectrum.eigenvalues().maxCoeff();
  const double min_reference = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(p_reference).eigenvalues().minCoeff();
  report(std::string(setup.name) + ": min eigenvalue of float P", min_eigenvalue);
  report(std::string(setup.name) + ": min eigenvalue of double P", min_reference);
  report(std::string(setup.name) + ": max eigenvalue of float P", max_eigenvalue);
  report(std::string(setup.name) + ": max|P_float - P_double| / max|P_double|",
         max_relative_difference(p, p_reference));
  report(std::string(setup.name) + ": |w_float - w_double| / |w_double|", relative_difference(single.w, reference.w));
  EXPECT_GT(min_eigenvalue, 0.0);
  EXPECT_LT(relative_difference(single.w, reference.w), setup.max_weight_difference);
}

INSTANTIATE_TEST_SUITE_P(Regressors, RlsKernelPositiveDefinite,
                         ::testing::Values(
                             // TrainSpikingNet defaults: r in 1/ms, learn_every = 10 ms, penlambda 0.8, penmu 0.01.
                             // Measured: eigenvalues of P in [5.7e-3, 1.23]; float vs double: P 4.4e-6, w 1.6e-6.
                             SpdCase{"tsn_defaults", 1.0 / 150.0, 100, 0.8, 0.01, 1e-4},
                             // Stress: r in spike counts (~rate * tau, 0.15-6), an update every 1 ms (consecutive
                             // regressors nearly collinear) and weak regularisation. Measured: eigenvalues in
                             // [2.7e-7, 2.0e-2] (cond 7e4); float vs double: P 3.3e-5, w 1.7e-4.
                             SpdCase{"stress_counts_1ms_lambda0p01", 1.0, 10, 1e-2, 0.0, 2e-3},
                             // Extreme: an update every dt = 0.1 ms and lambda = 1e-6, so P(0) = 1e6 I must shrink
                             // to ~4e-7 along the data (cond 2.5e12). Float P stays positive definite (measured
                             // min eigenvalue 4.087e-7 vs 4.078e-7 in double) but w drifts by ~4e-2 relative to
                             // the double run, so only definiteness is asserted here.
                             SpdCase{"extreme_counts_0p1ms_lambda1em6", 1.0, 1, 1e-6, 0.0, 1.0}),
                         [](const ::testing::TestParamInfo<SpdCase>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// 5. Conditioning on a frozen input (Dale's-law freeze).

TEST(RlsKernel, ConditionOnFixedInputIsTheSchurComplement) {
  const std::size_t k = 12;
  const std::size_t frozen = 5;
  const double lambda = 1.0;
  const Samples samples = random_samples(200, k, 20180105);
  RlsNeuron<double> neuron(k, lambda, 0.0, {}, Eigen::VectorXd::Zero(k));
  neuron.run(samples);
  const Eigen::MatrixXd before = unpack(neuron.p, k);

  condition_on_fixed_input(neuron.p.data(), k, frozen);
  const Eigen::MatrixXd after = unpack(neuron.p, k);
  const auto j = static_cast<Eigen::Index>(frozen);
  const Eigen::MatrixXd expected = before - before.col(j) * before.row(j) / before(j, j);
  EXPECT_LT(max_relative_difference(after, expected), 1e-12);
  for (Eigen::Index i = 0; i < after.rows(); ++i) {
    EXPECT_EQ(after(i, j), 0.0);  // exactly, not approximately
    EXPECT_EQ(after(j, i), 0.0);
  }

  // Meaning: the conditioned P is the inverse of (R + lambda I) with row/column j removed,
  // embedded with zeros, i.e. exactly RLS over the other inputs.
  const Eigen::MatrixXd normal = samples.x.transpose() * samples.x + lambda * Eigen::MatrixXd::Identity(k, k);
  std::vector<Eigen::Index> kept;
  for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i) {
    if (i != j) kept.push_back(i);
  }
  const Eigen::MatrixXd reduced_inverse = normal(kept, kept).inverse();
  Eigen::MatrixXd embedded = Eigen::MatrixXd::Zero(k, k);
  embedded(kept, kept) = reduced_inverse;
  EXPECT_LT(max_relative_difference(after, embedded), 1e-10);

  // Idempotent on an already-zero pivot.
  const std::vector<double> snapshot = neuron.p;
  condition_on_fixed_input(neuron.p.data(), k, frozen);
  EXPECT_EQ(neuron.p, snapshot);
}

TEST(RlsKernel, FrozenInputNeverMovesAndOthersSolveTheConstrainedRidge) {
  const std::size_t k = 20;
  const std::size_t frozen = 13;
  const double lambda = 0.8;
  const double mu = 0.3;
  const std::vector<std::int8_t> sign = mixed_signs(k);
  const Eigen::MatrixXd a = regulariser(k, lambda, mu, sign);
  const Samples samples = random_samples(400, k, 20180106);
  const Eigen::Index half = 150;
  const auto j = static_cast<Eigen::Index>(frozen);
  std::mt19937_64 engine(10);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd w0(k);
  for (Eigen::Index i = 0; i < w0.size(); ++i) w0(i) = normal(engine);

  for (const bool in_float : {false, true}) {
    // Phase 1 trains all inputs; then input j is frozen; phase 2 trains the others.
    Eigen::MatrixXd p_final;
    Eigen::VectorXd w_frozen_at;
    Eigen::VectorXd w_final;
    auto drive = [&](auto& neuron) {
      neuron.run(samples, 0, half);
      w_frozen_at = neuron.w;
      condition_on_fixed_input(neuron.p.data(), k, frozen);
      std::vector<double> x(k);
      for (Eigen::Index s = half; s < samples.x.rows(); ++s) {
        for (std::size_t i = 0; i < k; ++i) x[i] = samples.x(s, static_cast<Eigen::Index>(i));
        neuron.step(x.data(), samples.f(s));
        ASSERT_EQ(neuron.gain[frozen], 0.0);  // k_j = 0 exactly, so w_j cannot move
      }
      p_final = unpack(neuron.p, k);
      w_final = neuron.w;
    };
    if (in_float) {
      RlsNeuron<float> neuron(k, lambda, mu, sign, w0);
      drive(neuron);
    } else {
      RlsNeuron<double> neuron(k, lambda, mu, sign, w0);
      drive(neuron);
    }
    EXPECT_EQ(w_final(j), w_frozen_at(j));
    EXPECT_EQ(p_final.row(j).cwiseAbs().maxCoeff(), 0.0);

    // Oracle: minimise the whole cost (both phases + penalty) subject to w_j = value at freeze.
    // Because phase 1's cost is the quadratic (w - w*)^T M (w - w*) + const, this is what
    // conditioned RLS must compute.
    const Eigen::MatrixXd normal_all = samples.x.transpose() * samples.x + a;
    const Eigen::VectorXd rhs_all = samples.x.transpose() * samples.f + a * w0;
    std::vector<Eigen::Index> kept;
    for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i) {
      if (i != j) kept.push_back(i);
    }
    const Eigen::MatrixXd normal_kept = normal_all(kept, kept);
    const Eigen::VectorXd rhs_kept = rhs_all(kept) - normal_all(kept, j) * w_frozen_at(j);
    const Eigen::VectorXd w_expected = normal_kept.ldlt().solve(rhs_kept);
    Eigen::MatrixXd p_expected = Eigen::MatrixXd::Zero(k, k);
    p_expected(kept, kept) = Eigen::MatrixXd(normal_kept.inverse());

    const double w_error = relative_difference(w_final(kept), w_expected);
    const double p_error = max_relative_difference(p_final, p_expected);
    const std::string label = in_float ? "frozen input, float" : "frozen input, double";
    report(label + ": |w - constrained ridge| / |ridge|", w_error);
    report(label + ": max|P - embedded reduced inverse| / max", p_error);
    // Measured: float 5.7e-7 (w) and 7.3e-7 (P); double 7e-15 and 3e-15.
    EXPECT_LT(w_error, in_float ? 1e-5 : 1e-10);
    EXPECT_LT(p_error, in_float ? 1e-5 : 1e-10);
  }
}

// The single-precision kernels (float and half P) work on whole vectors: the
// portable one streams vectors that straddle column boundaries and reads one
// vector past a column's end, the AVX-512 one masks column ends. Every size of
// matrix, from one element to more inputs than the register-blocked paths and
// the stack scratch hold, must give the dense step to storage rounding and
// leave the memory around its P untouched (the next neuron's P may be updated
// by another thread at the same time). `step` is the kernel under test.
template <class Real>
using StepFunction = double (*)(Real*, const double*, double*, std::size_t, double);

template <class Real>
void check_single_precision_step(std::size_t k, double tolerance,
                                 StepFunction<Real> step = &update_inverse_correlation<Real>) {
  std::mt19937_64 engine(5000 + k);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const std::vector<Real> packed = pack<Real>(random_inverse_correlation(k, engine));
  // P sits between two guard zones of a distinctive value, at an odd offset.
  constexpr std::size_t guard = 67;
  const Real sentinel = static_cast<Real>(-12345.0);
  std::vector<Real> arena(guard + packed.size() + guard, sentinel);
  std::copy(packed.begin(), packed.end(), arena.begin() + guard);
  std::vector<double> x(k), gain(k);
  double worst_p = 0.0, worst_gain = 0.0, worst_c = 0.0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    for (double& value : x) value = uniform(engine);
    const std::vector<Real> before(arena.begin() + guard,
                                   arena.begin() + guard + static_cast<std::ptrdiff_t>(packed.size()));
    const DenseStep expected = dense_step(unpack(before, k), x);
    const double c = step(arena.data() + guard, x.data(), gain.data(), k, 1.0);
    const std::vector<Real> after(arena.begin() + guard,
                                  arena.begin() + guard + static_cast<std::ptrdiff_t>(packed.size()));
    const Eigen::Map<const Eigen::VectorXd> gain_vector(gain.data(), static_cast<Eigen::Index>(k));
    worst_gain = std::max(worst_gain, relative_difference(gain_vector, expected.gain));
    worst_c = std::max(worst_c, std::abs(c - expected.c) / expected.c);
    worst_p = std::max(worst_p, max_relative_difference(unpack(after, k), expected.p));
  }
  EXPECT_LT(worst_gain, tolerance) << "k=" << k;
  EXPECT_LT(worst_c, tolerance) << "k=" << k;
  EXPECT_LT(worst_p, tolerance) << "k=" << k;
  for (std::size_t i = 0; i < guard; ++i) {
    ASSERT_EQ(arena[i], sentinel) << "k=" << k << ": wrote before P at " << i;
    ASSERT_EQ(arena[arena.size() - 1 - i], sentinel) << "k=" << k << ": wrote after P";
  }
}

TEST(RlsKernel, SinglePrecisionStepEqualsDenseStepForEverySize) {
  std::vector<std::size_t> sizes;
  for (std::size_t k = 1; k <= 70; ++k) sizes.push_back(k);
  for (const std::size_t k : {100, 127, 128, 129, 162, 255, 256, 257, 300, 1030}) sizes.push_back(k);
  for (const std::size_t k : sizes) {
    // Measured worst relative differences: float about 1e-6, half about 2e-3.
    check_single_precision_step<float>(k, 2e-5);
    check_single_precision_step<_Float16>(k, 2e-2);
  }
}

// The AVX-512 kernel over its whole range, called directly (the dispatcher
// picks it only up to avx512_max_inputs; the column kernel is checked through
// update_inverse_correlation above).
TEST(RlsKernel, Avx512KernelEqualsDenseStepForEverySize) {
  if (!rsnn::rls::detail::avx512_kernel_compiled()) GTEST_SKIP() << "the loaded librsnn has no AVX-512 kernel";
  for (std::size_t k = 1; k <= rsnn::rls::detail::avx512_max_inputs; ++k) {
    check_single_precision_step<float>(k, 2e-5, &rsnn::rls::detail::update_by_avx512<float>);
    check_single_precision_step<_Float16>(k, 2e-2, &rsnn::rls::detail::update_by_avx512<_Float16>);
  }
}

// ---------------------------------------------------------------------------------------------
// Block updates (Woodbury): b steps at once, with the a-priori errors of the whole block taken
// with the weights from before it, reach the batch ridge solution that b sequential steps reach.

template <class Real>
void check_block_equals_batch_ridge(std::size_t k, std::size_t block, std::size_t samples_count, double tolerance) {
  const double lambda = 0.5, mu = 0.3;
  std::vector<std::int8_t> sign(k);
  for (std::size_t a = 0; a < k; ++a) sign[a] = a % 3 == 0 ? -1 : 1;
  const Samples samples = random_samples(samples_count, k, 900 + k + block);
  Eigen::VectorXd w0(static_cast<Eigen::Index>(k));
  for (std::size_t a = 0; a < k; ++a) w0(static_cast<Eigen::Index>(a)) = 0.1 * static_cast<double>(a % 5) - 0.2;

  std::vector<Real> p(packed_size(k));
  initialize_inverse_correlation(p.data(), k, lambda, mu, sign.data());
  Eigen::VectorXd w = w0;
  std::vector<double> x(k * block), errors(block), gain(k * block);
  for (std::size_t first = 0; first < samples_count; first += block) {
    const std::size_t count = std::min(block, samples_count - first);
    for (std::size_t t = 0; t < count; ++t) {
      const auto s = static_cast<Eigen::Index>(first + t);
      errors[t] = samples.x.row(s).dot(w) - samples.f(s);  // all with the block's starting weights
      for (std::size_t a = 0; a < k; ++a) x[t * k + a] = samples.x(s, static_cast<Eigen::Index>(a));
    }
    ASSERT_TRUE(update_inverse_correlation_block(p.data(), x.data(), count, k, gain.data()));
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t t = 0; t < count; ++t) w(static_cast<Eigen::Index>(a)) -= gain[a * count + t] * errors[t];
  }
  const Ridge oracle = batch_ridge(samples, regulariser(k, lambda, mu, sign), w0);
  const double p_error = max_relative_difference(unpack(p, k), oracle.p);
  const double w_error = relative_difference(w, oracle.w);
  EXPECT_LT(p_error, tolerance) << "k=" << k << " block=" << block;
  EXPECT_LT(w_error, tolerance) << "k=" << k << " block=" << block;
  report("block " + std::to_string(block) + ", k=" + std::to_string(k) + (sizeof(Real) == 8 ? ", double" : ", float") +
             ": P and w vs batch ridge",
         std::max(p_error, w_error));
}

TEST(RlsBlock, WoodburyBlocksReachTheBatchRidgeSolution) {
  for (const std::size_t k : {std::size_t{1}, std::size_t{7}, std::size_t{58}}) {
    for (const std::size_t block : {std::size_t{1}, std::size_t{3}, std::size_t{10}, std::size_t{64}}) {
      // 203 samples: the last block is a partial one unless block divides it.
      check_block_equals_batch_ridge<double>(k, block, 203, 1e-9);
      check_block_equals_batch_ridge<float>(k, block, 203, 2e-5);  // measured at most 1.7e-6
    }
  }
}

TEST(RlsBlock, OneBlockEqualsThatManySequentialSteps) {
  // Same regressors and targets: P after one block of 10 equals P after 10 Sherman-Morrison
  // steps, and w after the block equals w after 10 steps that each take their own a-priori error.
  const std::size_t k = 30, block = 10;
  const Samples samples = random_samples(block, k, 4242);
  Eigen::VectorXd w0 = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(k), 0.05);
  RlsNeuron<double> sequential(k, 0.8, 0.0, {}, w0);
  sequential.run(samples);
  std::vector<double> p(packed_size(k));
  initialize_inverse_correlation(p.data(), k, 0.8, 0.0, nullptr);
  std::vector<double> x(k * block), gain(k * block), errors(block);
  for (std::size_t t = 0; t < block; ++t) {
    errors[t] = samples.x.row(static_cast<Eigen::Index>(t)).dot(w0) - samples.f(static_cast<Eigen::Index>(t));
    for (std::size_t a = 0; a < k; ++a)
      x[t * k + a] = samples.x(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(a));
  }
  ASSERT_TRUE(update_inverse_correlation_block(p.data(), x.data(), block, k, gain.data()));
  Eigen::VectorXd w = w0;
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t t = 0; t < block; ++t) w(static_cast<Eigen::Index>(a)) -= gain[a * block + t] * errors[t];
  EXPECT_LT(max_relative_difference(unpack(p, k), unpack(sequential.p, k)), 1e-12);
  EXPECT_LT(relative_difference(w, sequential.w), 1e-12);
  // The gain written is Z = P_new X: its first column against P_new x_1.
  const Eigen::MatrixXd p_new = unpack(p, k);
  const Eigen::VectorXd expected = p_new * samples.x.row(0).transpose();
  Eigen::VectorXd z0(static_cast<Eigen::Index>(k));
  for (std::size_t a = 0; a < k; ++a) z0(static_cast<Eigen::Index>(a)) = gain[a * block];
  EXPECT_LT(relative_difference(z0, expected), 1e-12);
}

TEST(RlsBlock, LostDefinitenessIsReportedAndLeavesPUnchanged) {
  const std::size_t k = 3;
  std::vector<double> p = {-1.0, 0.0, -1.0, 0.0, 0.0, -1.0};  // -I: I + x^T P x < 0 for |x| > 1
  const std::vector<double> before = p;
  std::vector<double> x = {1.0, 1.0, 1.0}, gain(k);
  EXPECT_FALSE(update_inverse_correlation_block(p.data(), x.data(), 1, k, gain.data()));
  EXPECT_EQ(p, before);
}

// ---------------------------------------------------------------------------------------------
// 6. Fused packed step == unfused dense step (k = P x; c = 1/(1 + x.k); P -= c k k^T).

TEST(RlsKernel, FusedStepEqualsUnfusedDenseStep) {
  for (const std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{58}, std::size_t{162}}) {
    std::mt19937_64 engine(1000 + k);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> p = pack<double>(random_inverse_correlation(k, engine));
    std::vector<double> gain(k);
    std::vector<double> x(k);

    double worst_p = 0.0;
    double worst_gain = 0.0;
    double worst_c = 0.0;
    for (int step = 0; step < 20; ++step) {
      for (double& value : x) value = uniform(engine);
      const DenseStep expected = dense_step(unpack(p, k), x);
      const double c = update_inverse_correlation(p.data(), x.data(), gain.data(), k);
      const Eigen::Map<const Eigen::VectorXd> gain_vector(gain.data(), static_cast<Eigen::Index>(k));
      worst_gain = std::max(worst_gain, relative_difference(gain_vector, expected.gain));
      worst_c = std::max(worst_c, std::abs(c - expected.c) / expected.c);
      worst_p = std::max(worst_p, max_relative_difference(unpack(p, k), expected.p));
    }
    EXPECT_LT(worst_gain, 1e-12) << "k=" << k;
    EXPECT_LT(worst_c, 1e-12) << "k=" << k;
    EXPECT_LT(worst_p, 1e-12) << "k=" << k;
    report("fused vs dense, double, k=" + std::to_string(k) + ": worst P difference", worst_p);
  }
}

TEST(RlsKernel, FusedFloatStepEqualsDenseStepToFloatRounding) {
  // Float storage: the step is computed in float (FP32 accumulation), so it matches the dense
  // double step on the same (float) input to float rounding: measured worst relative
  // differences 7.5e-8 on c and below 1e-6 on P.
  const std::size_t k = 58;
  std::mt19937_64 engine(77);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<float> p(packed_size(k));
  initialize_inverse_correlation(p.data(), k, 0.8, 0.0, nullptr);
  std::vector<double> gain(k);
  std::vector<double> x(k);
  for (int step = 0; step < 50; ++step) {
    for (double& value : x) value = uniform(engine);
    const DenseStep expected = dense_step(unpack(p, k), x);
    const double c = update_inverse_correlation(p.data(), x.data(), gain.data(), k);
    EXPECT_LT(std::abs(c - expected.c) / expected.c, 1e-6);
    EXPECT_LT(max_relative_difference(unpack(p, k), expected.p), 1e-6);
  }
}

// ---------------------------------------------------------------------------------------------
// 7. The team's step (update_inverse_correlation_shared) is bitwise the serial column kernel.

TEST(RlsKernel, SharedStepIsBitwiseTheSerialStepForAnyTeam) {
  // Sizes around the row blocks' lane width (8), several blocks per thread,
  // and one past the serial kernel's stack scratch (1024).
  for (const std::size_t k : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{61},
                              std::size_t{200}, std::size_t{1031}}) {
    for (const int threads : {1, 2, 3, 5}) {
      std::mt19937_64 engine(4000 + k);
      std::uniform_real_distribution<double> uniform(0.0, 30.0);
      std::vector<double> serial(packed_size(k));
      initialize_inverse_correlation(serial.data(), k, 2.0, 0.0, nullptr);
      std::vector<double> shared = serial;
      std::vector<double> x(k), serial_gain(k), shared_gain(k);
      for (int step = 0; step < 12; ++step) {
        for (double& value : x) value = uniform(engine);
        const double serial_c = update_inverse_correlation(serial.data(), x.data(), serial_gain.data(), k);
        std::vector<double> shared_c(static_cast<std::size_t>(threads), 0.0);  // each thread's c
#pragma omp parallel num_threads(threads)
        {
          const double c = rsnn::rls::update_inverse_correlation_shared(shared.data(), x.data(), shared_gain.data(), k);
          shared_c[static_cast<std::size_t>(omp_get_thread_num())] = c;
        }
        ASSERT_EQ(shared_c, std::vector<double>(shared_c.size(), serial_c))
            << "k=" << k << " threads=" << threads << " step " << step;
        ASSERT_EQ(shared_gain, serial_gain) << "k=" << k << " threads=" << threads << " step " << step;
        ASSERT_EQ(shared, serial) << "k=" << k << " threads=" << threads << " step " << step;
      }
    }
  }
}

}  // namespace
