// The read-out passes: read-outs of rates after the deliveries, read-outs of
// chosen neurons' spikes after the exchange (src/core/engine_passes.hpp).
#include <fmt/format.h>

#include "engine_passes.hpp"
#include "rsnn/error.hpp"

namespace rsnn {
namespace {

void append_to_trace(const Readout& readout, double time, ReadoutTrace& trace) {
  trace.times.push_back(time);
  trace.output.insert(trace.output.end(), readout.output().begin(), readout.output().end());
  trace.target.insert(trace.target.end(), readout.target().begin(), readout.target().end());
}

// Ends the trial before step n counts: a read-out's output is not finite or
// far beyond its target.
TrialStop diverged_at(std::uint64_t step, double dt) {
  return {step, std::make_exception_ptr(RuntimeFailure(
                    fmt::format("a read-out diverged at t = {:.2f} ms (its output is not finite or exceeds "
                                "{} times the largest target value plus one)",
                                static_cast<double>(step) * dt, Readout::divergence_factor)))};
}

}  // namespace

void ReadoutPass::run(StepContext& context) {
  const bool record = record_ && grid_.is_recorded(context.step);
  const double* rates = context.network.rate_filter.data();
  bool finite = true;
  for (std::size_t r = 0; r < readouts_.size(); ++r) {
    Readout& readout = readouts_[r];
    if (slot_ == Slot::readouts) {
      if (readout.reads_spikes()) {  // its turn comes after the neurons; the target is needed now
        readout.draw_target();
        continue;
      }
      readout.read(rates);
      finite = readout.sample(context.step, rates, learn_) && finite;
    } else {
      if (!readout.reads_spikes()) continue;
      finite = readout.observe_spikes(context.step, context.spikes.lists, context.spikes.count, learn_) && finite;
    }
    if (record) append_to_trace(readout, context.time, context.result.readouts[r]);
  }
  if (!finite) end_trial(diverged_at(context.step, grid_.dt));
}

}  // namespace rsnn
