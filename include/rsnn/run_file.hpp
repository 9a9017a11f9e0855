#pragma once
// The run file: one HDF5 file per run, readable with h5py. Layout (all times
// in ms, currents in input units, rates in Hz):
//
//   /                      attrs: format="rsnn-run", rsnn_version, seed,
//                          loops_done, neurons, created
//   /config                resolved experiment TOML (every default written out)
//   /populations/<name>    attrs: first_id, size, type, model
//   /learning_curve/       loop, pattern, correlation (while learning), rate
//                          (all neurons), population_rate [loop x population],
//                          elapsed (s), frozen_correlation and frozen_rate (a
//                          frozen-weight trial after the loop, NaN where none:
//                          training.frozen_every); attrs untrained_correlation,
//                          untrained_rate (the loop-0 point), frozen_every
//   /targets/values        [pattern x sample x neuron] float32; /targets/times
//   /weights/plastic/      row_offsets (by postsynaptic neuron), pre, weight,
//                          initial_weight, sign, frozen
//   /weights/static/<k>/   row_offsets (by presynaptic neuron), targets;
//                          attrs pre, post, weight
//   /spikes/<population>/  timestamps, node_ids (population-local ids),
//                          attr sorting="by_time" (SONATA); the recorded trial
//                          (last training loop, or the simulated trial), only
//                          when recording.spikes is true
//   /recordings/current/   times, node_ids, values [time x neuron]; last loop
//   /test/                 correlation, rate, pattern (per trial; `trials`
//                          attr counts the trials of all patterns),
//                          neuron_correlation [trial x neuron], population_rate,
//                          and spikes/ and recordings/ of the first trial
//
// Files are written to a temporary name beside the destination and renamed
// into place, so an existing run file is never left half-written.
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rsnn/simulation.hpp"

namespace rsnn {

namespace h5 {
class File;
}

// Create `path` atomically: `fill` writes into a temporary file which is
// renamed to `path` only when it returns normally. If `start_from_existing`,
// the temporary file starts as a copy of `path`.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(h5::File&)>& fill,
                           bool start_from_existing = false);

// Opens an rsnn file for reading once it is known to be HDF5 with the root
// attribute format = `format`; otherwise throws InputError naming it, e.g.
// "checkpoint 'x.h5' is not a FORCE checkpoint (no format="...")" for
// what = "checkpoint", kind = "a FORCE checkpoint".
h5::File open_rsnn_file(const std::filesystem::path& path, const std::string& format, const std::string& what,
                        const std::string& kind);

// Write a text file (metrics.json and the like) the same way: to a temporary
// name beside `path`, renamed into place once complete. Throws RuntimeFailure
// naming the file when it cannot be written.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// One population's spikes in the SONATA layout, the one spike writer of every
// method's run file: `group`/timestamps (ms, with a units attribute) and
// `group`/node_ids (ids local to the population), `group` sorting="by_time".
// The spikes must already be in time order.
void write_sonata_spikes(h5::File& file, const std::string& group, std::span<const double> times,
                         std::span<const std::uint32_t> ids);

// The current UTC time as ISO 8601 ("2026-01-31T12:00:00Z"), for `created`
// attributes.
std::string now_iso8601();

// `last_loop` (may be null) is the recorded trial, described by
// `trial_description` in the /spikes "trial" attribute.
void write_run_file(const std::filesystem::path& path, const Simulation& simulation, const TrialResult* last_loop,
                    const std::vector<TrialResult>& tests, const std::string& trial_description);

// Write (or replace) the /test group of an existing run file.
void write_test_results(h5::File& file, const Simulation& simulation, const std::vector<TrialResult>& tests);

// Read back the plastic weights (and Dale freeze marks) of a run file into a
// simulation built from the same experiment.
void load_trained_weights(const std::filesystem::path& path, Simulation& simulation);

}  // namespace rsnn
