// Read-out (decoder) RLS for FORCE learning (see include/rsnn/decoder_rls.hpp).
#include "rsnn/decoder_rls.hpp"

#include <fmt/format.h>

#include "rsnn/error.hpp"
#include "rsnn/rls_kernel.hpp"

namespace rsnn::force {

DecoderRls::DecoderRls(std::size_t inputs, std::size_t outputs, double alpha, DecoderStep step)
    : inputs_(inputs), outputs_(outputs), step_(step) {
  if (inputs == 0 || outputs == 0)
    throw InputError(fmt::format("decoder RLS: needs at least one input and one output (got {} and {})", inputs, outputs));
  if (!(alpha > 0.0)) throw InputError(fmt::format("learning.alpha: expected a number > 0, got {}", alpha));
  decoders_.assign(inputs * outputs, 0.0);
  p_.resize(rls::packed_size(inputs));
  gain_.resize(inputs);
  rls::initialize_inverse_correlation(p_.data(), inputs, 1.0 / alpha, 0.0, nullptr);
}

void DecoderRls::output(const double* r, double* z) const {
  for (std::size_t d = 0; d < outputs_; ++d) z[d] = 0.0;
  const double* row = decoders_.data();
  for (std::size_t i = 0; i < inputs_; ++i, row += outputs_) {
    const double r_i = r[i];
    for (std::size_t d = 0; d < outputs_; ++d) z[d] += row[d] * r_i;
  }
}

void DecoderRls::update(const double* r, const double* error) {
  const double c = rls::update_inverse_correlation(p_.data(), r, gain_.data(), inputs_);
  const double step = step_ == DecoderStep::textbook ? c : 1.0;
  double* row = decoders_.data();
  for (std::size_t i = 0; i < inputs_; ++i, row += outputs_) {
    const double scaled_gain = step * gain_[i];
    for (std::size_t d = 0; d < outputs_; ++d) row[d] -= scaled_gain * error[d];
  }
  ++updates_;
}

}  // namespace rsnn::force
