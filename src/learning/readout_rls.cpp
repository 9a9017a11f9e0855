// Read-out RLS with one shared P (see include/rsnn/readout_rls.hpp).
#include "rsnn/readout_rls.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "core/team_sizer.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/rls_kernel.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {

ReadoutRls::ReadoutRls(std::size_t inputs, std::size_t outputs, double lambda, ReadoutStep step)
    : inputs_(inputs), outputs_(outputs), step_(step) {
  if (inputs == 0 || outputs == 0)
    throw InputError(
        fmt::format("read-out RLS: needs at least one input and one output (got {} and {})", inputs, outputs));
  if (!(lambda > 0.0) || !std::isfinite(lambda))
    throw InputError(fmt::format("read-out RLS: the regulariser must be a finite number > 0, got {}", lambda));
  decoders_.assign(inputs * outputs, 0.0);
  const std::size_t sizes[] = {inputs};
  p_ = rls::PackedArena<double>(sizes);
  p_.initialize(0, lambda);
  gain_.resize(inputs);
  team_sizer_ = std::make_shared<TeamSizer>();
}

void ReadoutRls::output(const double* r, double* z) const {
  for (std::size_t d = 0; d < outputs_; ++d) z[d] = 0.0;
  const double* row = decoders_.data();
  for (std::size_t i = 0; i < inputs_; ++i, row += outputs_) {
    const double r_i = r[i];
    for (std::size_t d = 0; d < outputs_; ++d) z[d] += row[d] * r_i;
  }
}

void ReadoutRls::save(h5::File& file, const std::string& group) const {
  const std::string dataset = group + "/decoders";
  file.write<double>(dataset, decoders_, {inputs_, outputs_});
  file.set_attribute(dataset, "updates", static_cast<std::int64_t>(updates_));
  p_.save(file, group);
}

void ReadoutRls::load(const h5::File& file, const std::string& group) {
  const std::string dataset = group + "/decoders";
  std::vector<double> decoders = file.read_finite(dataset, inputs_ * outputs_);
  if (file.shape(dataset) != std::vector<std::size_t>{inputs_, outputs_})
    throw InputError(
        fmt::format("'{}': {} is not {} × {} (inputs × outputs)", file.path().string(), dataset, inputs_, outputs_));
  const std::uint64_t updates = file.attribute_count(dataset, "updates");
  p_.load(file, group);
  decoders_ = std::move(decoders);
  updates_ = static_cast<std::size_t>(updates);
}

void ReadoutRls::step_decoders(double step, const double* error, std::size_t first, std::size_t last) {
  double* row = decoders_.data() + first * outputs_;
  for (std::size_t i = first; i < last; ++i, row += outputs_) {
    const double scaled_gain = step * gain_[i];
    for (std::size_t d = 0; d < outputs_; ++d) row[d] -= scaled_gain * error[d];
  }
}

double ReadoutRls::update(const double* r, const double* error) {
#ifdef _OPENMP
  // Not inside an active region: there the caller is one thread of a team
  // that is not here to share the work (see the header).
  if (inputs_ >= parallel_readout_threshold && omp_get_max_threads() > 1 && !omp_in_parallel()) {
    const auto most = static_cast<std::size_t>(omp_get_max_threads());
    const std::size_t team = team_sizer_->next(most, true);
    const auto started = std::chrono::steady_clock::now();
    double c = 0.0;
    if (team > 1) {
#pragma omp parallel num_threads(static_cast <int>(team))
      {
        const double mine = update_by_team(r, error);
        if (omp_get_thread_num() == 0) c = mine;  // every thread has the same c
      }
    } else {
      c = update_alone(r, error);
    }
    team_sizer_->record(team, true, 1,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return c;
  }
#endif
  return update_alone(r, error);
}

double ReadoutRls::update_alone(const double* r, const double* error) {
  const double c = p_.step(0, r, gain_.data());
  step_decoders(step_ == ReadoutStep::textbook ? c : 1.0, error, 0, inputs_);
  ++updates_;
  return c;
}

double ReadoutRls::update_shared(const double* r, const double* error) {
  const double c = update_by_team(r, error);
#pragma omp barrier
  return c;
}

double ReadoutRls::update_by_team(const double* r, const double* error) {
  // Returns with g complete in every thread (the kernel's barrier); this
  // thread's share of P may still be in progress, which φ's rows do not need.
  const double c = rls::update_inverse_correlation_shared(p_.matrix(0), r, gain_.data(), inputs_);
  std::size_t thread = 0, threads = 1;
#ifdef _OPENMP
  thread = static_cast<std::size_t>(omp_get_thread_num());
  threads = static_cast<std::size_t>(omp_get_num_threads());
#endif
  step_decoders(step_ == ReadoutStep::textbook ? c : 1.0, error, inputs_ * thread / threads,
                inputs_ * (thread + 1) / threads);
  if (thread == 0) ++updates_;
  return c;
}

}  // namespace rsnn
