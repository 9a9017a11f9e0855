// Read-out RLS (FORCE decoders, rate-guided read-outs) against independent
// oracles: batch ridge regression for the textbook step, a dense
// transcription of Nicola & Clopath's update for the unnormalised one.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "rsnn/error.hpp"
#include "rsnn/readout_rls.hpp"
#include "rsnn/rls_kernel.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

struct Problem {
  Eigen::MatrixXd inputs;   // [sample][input]
  Eigen::MatrixXd targets;  // [sample][output]
};

Problem random_problem(std::size_t samples, std::size_t inputs, std::size_t outputs, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> rate(0.0, 30.0);  // filtered spike trains, Hz
  std::normal_distribution<double> normal;
  Problem p{Eigen::MatrixXd(samples, inputs), Eigen::MatrixXd(samples, outputs)};
  for (Eigen::Index t = 0; t < p.inputs.rows(); ++t)
    for (Eigen::Index i = 0; i < p.inputs.cols(); ++i) p.inputs(t, i) = rate(engine);
  for (Eigen::Index t = 0; t < p.targets.rows(); ++t)
    for (Eigen::Index d = 0; d < p.targets.cols(); ++d) p.targets(t, d) = normal(engine);
  return p;
}

// One pass of a-priori-error updates over the samples.
void train(ReadoutRls& learner, const Problem& p) {
  std::vector<double> r(p.inputs.cols()), z(p.targets.cols()), error(p.targets.cols());
  for (Eigen::Index t = 0; t < p.inputs.rows(); ++t) {
    for (Eigen::Index i = 0; i < p.inputs.cols(); ++i) r[i] = p.inputs(t, i);
    learner.output(r.data(), z.data());
    for (Eigen::Index d = 0; d < p.targets.cols(); ++d) error[d] = z[d] - p.targets(t, d);
    learner.update(r.data(), error.data());
  }
}

TEST(ReadoutRls, TextbookStepEqualsBatchRidgeRegression) {
  const std::size_t samples = 40, inputs = 7, outputs = 3;
  const double alpha = 0.01;
  const Problem p = random_problem(samples, inputs, outputs, 5);
  ReadoutRls learner(inputs, outputs, 1.0 / alpha, ReadoutStep::textbook);
  train(learner, p);
  // φ = (Rᵀ R + I/α)⁻¹ Rᵀ X
  const Eigen::MatrixXd gram = p.inputs.transpose() * p.inputs + Eigen::MatrixXd::Identity(inputs, inputs) / alpha;
  const Eigen::MatrixXd expected = gram.ldlt().solve(p.inputs.transpose() * p.targets);
  const auto decoders = learner.decoders();
  for (std::size_t i = 0; i < inputs; ++i)
    for (std::size_t d = 0; d < outputs; ++d)
      EXPECT_NEAR(decoders[i * outputs + d], expected(i, d), 1e-9 * (1.0 + std::abs(expected(i, d))));
  // P is the inverse of the regularised Gram matrix.
  const Eigen::MatrixXd inverse = gram.inverse();
  const auto p_packed = learner.inverse_correlation();
  for (std::size_t b = 0; b < inputs; ++b)
    for (std::size_t a = 0; a <= b; ++a)
      EXPECT_NEAR(p_packed[rls::packed_index(a, b)], inverse(a, b), 1e-12 + 1e-8 * std::abs(inverse(a, b)));
  EXPECT_EQ(learner.updates(), samples);
}

TEST(ReadoutRls, UnnormalisedStepFollowsNicolaClopathUpdate) {
  const std::size_t samples = 25, inputs = 6, outputs = 2;
  const double alpha = 5e-4;
  const Problem p = random_problem(samples, inputs, outputs, 9);
  ReadoutRls learner(inputs, outputs, 1.0 / alpha, ReadoutStep::unnormalised);
  train(learner, p);
  // Dense transcription: c = P r; φ ← φ − c eᵀ; P ← P − c cᵀ / (1 + rᵀ c).
  Eigen::MatrixXd P = alpha * Eigen::MatrixXd::Identity(inputs, inputs);
  Eigen::MatrixXd phi = Eigen::MatrixXd::Zero(inputs, outputs);
  for (Eigen::Index t = 0; t < p.inputs.rows(); ++t) {
    const Eigen::VectorXd r = p.inputs.row(t).transpose();
    const Eigen::VectorXd e = phi.transpose() * r - p.targets.row(t).transpose();
    const Eigen::VectorXd c = P * r;
    phi -= c * e.transpose();
    P -= c * c.transpose() / (1.0 + r.dot(c));
  }
  const auto decoders = learner.decoders();
  for (std::size_t i = 0; i < inputs; ++i)
    for (std::size_t d = 0; d < outputs; ++d)
      EXPECT_NEAR(decoders[i * outputs + d], phi(i, d), 1e-9 * (1.0 + std::abs(phi(i, d))));
}

TEST(ReadoutRls, UnnormalisedStepIsLargerThanTextbookStep) {
  // Same first sample: the unnormalised step is the textbook one times 1 + rᵀ P r.
  const Problem p = random_problem(1, 4, 1, 3);
  ReadoutRls textbook(4, 1, 10.0, ReadoutStep::textbook), unnormalised(4, 1, 10.0, ReadoutStep::unnormalised);
  train(textbook, p);
  train(unnormalised, p);
  const Eigen::VectorXd r = p.inputs.row(0).transpose();
  const double factor = 1.0 + 0.1 * r.squaredNorm();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(unnormalised.decoders()[i], factor * textbook.decoders()[i], 1e-10);
}

TEST(ReadoutRls, APosterioriOutputIsTheShortcutTheEnginesUse) {
  // After a textbook step, φ_newᵀ r = z − (1 − c) e for every output (the
  // rate-guided engine's a-posteriori read-out without a second product).
  const std::size_t samples = 8, inputs = 5, outputs = 4;
  const Problem p = random_problem(samples, inputs, outputs, 13);
  ReadoutRls learner(inputs, outputs, 0.7, ReadoutStep::textbook);
  std::vector<double> r(inputs), z(outputs), error(outputs), after(outputs);
  for (Eigen::Index t = 0; t < p.inputs.rows(); ++t) {
    for (std::size_t i = 0; i < inputs; ++i) r[i] = p.inputs(t, static_cast<Eigen::Index>(i));
    learner.output(r.data(), z.data());
    for (std::size_t d = 0; d < outputs; ++d) error[d] = z[d] - p.targets(t, static_cast<Eigen::Index>(d));
    const double c = learner.update(r.data(), error.data());
    EXPECT_GT(c, 0.0);
    EXPECT_LE(c, 1.0);
    learner.output(r.data(), after.data());
    for (std::size_t d = 0; d < outputs; ++d)
      EXPECT_NEAR(after[d], z[d] - (1.0 - c) * error[d], 1e-9 * (1.0 + std::abs(z[d])));
  }
}

TEST(ReadoutRls, RejectsEmptyShapesAndARegulariserThatIsNotPositiveAndFinite) {
  EXPECT_THROW(ReadoutRls(0, 1, 1.0, ReadoutStep::textbook), InputError);
  EXPECT_THROW(ReadoutRls(3, 0, 1.0, ReadoutStep::textbook), InputError);
  for (const double lambda :
       {0.0, -1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    try {
      ReadoutRls(3, 1, lambda, ReadoutStep::textbook);
      ADD_FAILURE() << "lambda = " << lambda << " accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("regulariser"), std::string::npos) << error.what();
    }
  }
}

// The threaded update (read-outs of at least parallel_readout_threshold
// inputs) against the serial one: φ, P and c bitwise the same for 1, 2 and 3
// threads, for either step, whether update() opens the team itself or a whole
// team calls update_shared(); and update() from one thread of a running team
// stays serial with the same result.
struct Trained {
  std::vector<double> decoders, p, c;
};

template <class Step>
Trained train_with(const Problem& p, ReadoutStep kind, Step&& step) {
  const auto inputs = static_cast<std::size_t>(p.inputs.cols()), outputs = static_cast<std::size_t>(p.targets.cols());
  ReadoutRls learner(inputs, outputs, 50.0, kind);
  Trained out;
  std::vector<double> r(inputs), z(outputs), error(outputs);
  for (Eigen::Index t = 0; t < p.inputs.rows(); ++t) {
    for (std::size_t i = 0; i < inputs; ++i) r[i] = p.inputs(t, static_cast<Eigen::Index>(i));
    learner.output(r.data(), z.data());
    for (std::size_t d = 0; d < outputs; ++d) error[d] = z[d] - p.targets(t, static_cast<Eigen::Index>(d));
    out.c.push_back(step(learner, r.data(), error.data()));
  }
  EXPECT_EQ(learner.updates(), static_cast<std::size_t>(p.inputs.rows()));
  out.decoders.assign(learner.decoders().begin(), learner.decoders().end());
  out.p.assign(learner.inverse_correlation().begin(), learner.inverse_correlation().end());
  return out;
}

void expect_bitwise_equal(const Trained& a, const Trained& b, const std::string& what) {
  EXPECT_EQ(a.c, b.c) << what;
  EXPECT_EQ(a.decoders, b.decoders) << what;
  EXPECT_EQ(a.p, b.p) << what;
}

TEST(ReadoutRls, ThreadCountDoesNotChangeDecodersOrP) {
  // Above the threshold, and not a whole number of the row blocks' lanes.
  const std::size_t inputs = parallel_readout_threshold + 45, outputs = 2, samples = 60;
  const Problem p = random_problem(samples, inputs, outputs, 21);
  for (const ReadoutStep kind : {ReadoutStep::textbook, ReadoutStep::unnormalised}) {
    const auto plain = [](ReadoutRls& learner, const double* r, const double* error) {
      return learner.update(r, error);
    };
    Trained one;
    {
      const rsnn::testing::ScopedThreads scoped(1);
      one = train_with(p, kind, plain);
    }
    for (const int threads : {2, 3}) {
      const rsnn::testing::ScopedThreads scoped(threads);
      expect_bitwise_equal(one, train_with(p, kind, plain), fmt::format("update(), {} threads", threads));
      // A whole team calls update_shared(); one thread's c is kept.
      const Trained team = train_with(p, kind, [](ReadoutRls& learner, const double* r, const double* error) {
        double c = 0.0;
#pragma omp parallel
        {
          const double mine = learner.update_shared(r, error);
#pragma omp single
          c = mine;
        }
        return c;
      });
      expect_bitwise_equal(one, team, fmt::format("update_shared(), {} threads", threads));
      // One thread of a running team calls update(): it stays serial.
      const Trained inside = train_with(p, kind, [](ReadoutRls& learner, const double* r, const double* error) {
        double c = 0.0;
#pragma omp parallel
#pragma omp single
        c = learner.update(r, error);
        return c;
      });
      expect_bitwise_equal(one, inside, fmt::format("update() inside a team of {}", threads));
    }
  }
}

}  // namespace
}  // namespace rsnn
