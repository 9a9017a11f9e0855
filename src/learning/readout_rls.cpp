// Read-out RLS with one shared P (see include/rsnn/readout_rls.hpp).
#include "rsnn/readout_rls.hpp"

#include <fmt/format.h>

#include <cmath>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"

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
    throw InputError(fmt::format("'{}': {} is not {} × {} (inputs × outputs)", file.path().string(), dataset, inputs_,
                                 outputs_));
  const std::uint64_t updates = file.attribute_count(dataset, "updates");
  p_.load(file, group);
  decoders_ = std::move(decoders);
  updates_ = static_cast<std::size_t>(updates);
}

double ReadoutRls::update(const double* r, const double* error) {
  const double c = p_.step(0, r, gain_.data());
  const double step = step_ == ReadoutStep::textbook ? c : 1.0;
  double* row = decoders_.data();
  for (std::size_t i = 0; i < inputs_; ++i, row += outputs_) {
    const double scaled_gain = step * gain_[i];
    for (std::size_t d = 0; d < outputs_; ++d) row[d] -= scaled_gain * error[d];
  }
  ++updates_;
  return c;
}

}  // namespace rsnn
