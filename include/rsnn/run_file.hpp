#pragma once
// The run file: one HDF5 file per run, of every method, readable with h5py.
// `rsnn train` writes <out>/run.h5, `rsnn simulate` <out>/simulation.h5 (both
// format "rsnn-run") and `rsnn test` <out>/test.h5 (format "rsnn-test").
// Every file has the same skeleton; a method adds a group only where it has
// something the others do not. Times in ms, rates in Hz, currents in input
// units; "loops", "single_trial" and "rate_guided" mark what one protocol
// alone writes.
//
//   /                      attrs: format ("rsnn-run", "rsnn-test"), protocol
//                          ("loops", "single_trial", "rate_guided"), mode
//                          ("training", "simulation without learning",
//                          "frozen-weight test"), rsnn_version, seed, neurons,
//                          created; loops_done (loops); run (test files: the
//                          trained run file's name)
//   /config                resolved experiment TOML (every default written out)
//   /populations/<name>    attrs: first_id, size, type, model
//   /spikes/<population>/  timestamps, node_ids (population-local ids), attr
//                          sorting="by_time" (SONATA). The recorded trial,
//                          named by the /spikes attr trial: the last training
//                          loop or the simulated trial (loops), the whole run
//                          (single_trial), the first closed-loop test trial
//                          (rate_guided, whose training trials are not
//                          recorded); attr recorded_neurons (neurons 0 .. n−1,
//                          recording.spike_neurons). Absent or empty when
//                          recording.spikes is false. Run files only.
//   /recordings/current/   times, node_ids, values [time x neuron] (loops)
//   /recordings/spike_counts  per neuron, whole run (single_trial)
//   /readouts/<name>/      times, z, target [sample x dimension]: each
//                          read-out's output and target in the recorded
//                          trial (loops, single_trial)
//   /targets/values        [pattern x sample x neuron] float32; /targets/times (loops)
//   /weights/static/<k>/   row_offsets (by presynaptic neuron, population-local),
//                          targets (global ids), weights (one per synapse,
//                          when drawn); attrs pre, post, pathway, weight (when
//                          one for all). /weights: run files only
//   /weights/plastic/      row_offsets (by postsynaptic neuron), pre, weight,
//                          initial_weight, sign, frozen (loops)
//   /weights/readouts/<name>/  neurons (whose activity it reads; features in
//                          that order); decoders φ [feature x dimension] and
//                          encoders E [neuron x dimension] (loops,
//                          single_trial); pc_weights W_PC [pc x feature] and
//                          output_weights w [output x feature] (rate_guided:
//                          φ's transpose split into the PC and task outputs)
//   /learning_curve/       one row per training step of the method, attrs
//                          axis (its dataset: loop, trial, time) and measure
//                          (the error or fit dataset: correlation, nmse,
//                          rmse). frozen_<measure> and frozen_rate beside
//                          measure and rate: a frozen-weight measurement after
//                          that step, NaN where none.
//                            loops: loop, pattern, correlation (while
//                            learning), rate (all neurons), population_rate
//                            [loop x population], elapsed (s), frozen_*
//                            (training.frozen_every); attrs
//                            untrained_correlation, untrained_rate (the
//                            loop-0 point), frozen_every
//                            rate_guided: trial, nmse, rate of the closed-loop
//                            rls trials; frozen_* after the last one: the test
//                            phase's median nMSE and rate
//                            single_trial: time (end of each simulated
//                            second), rmse (RMS error of z − x in that second)
//   /metrics               attrs: the scalar summary (the numbers of
//                          metrics.json, where the method writes one);
//                          single_trial adds its per-dimension and per-window
//                          arrays as datasets
//   /phases/<phase>/       rate_guided: pca/eigenvalues (decreasing),
//                          pca/basis uPC [Ñ x m] (what `rsnn test` needs; attrs
//                          kept, fraction, teacher_units), demean/rate and
//                          demean/mean_input Imu (attr subtracted), rls (attrs
//                          updates, steps), test; each with attr seconds (wall
//                          time)
//   /test/                 the frozen-weight test, one entry per trial (attr
//                          trials): loops: correlation, rate, pattern,
//                          neuron_correlation [trial x neuron],
//                          population_rate (attr mean_correlation);
//                          rate_guided: nmse, rate, spike_counts (per neuron,
//                          all closed-loop trials); single_trial: rate,
//                          spike_counts [trial x neuron] and each metric per
//                          trial. readouts/<name>/ times, z, target
//                          [trial x sample x dimension] of the recorded test
//                          trials; spikes/<population>/ and recordings/ of the
//                          first test trial (loops run files; test files)
//
// Files are written to a temporary name beside the destination and renamed
// into place, so an existing run file is never left half-written.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rsnn/experiment.hpp"

namespace rsnn {

namespace h5 {
class File;
}
struct Network;
class Readout;
class Simulation;
struct TrialResult;

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

// The current UTC time as ISO 8601 ("2026-01-31T12:00:00Z"), for `created`
// attributes.
std::string now_iso8601();

// ---------------------------------------------------------------------------
// The skeleton every method's run and test file shares
// ---------------------------------------------------------------------------

// What a file holds: a trained run (`rsnn train`), a run without learning
// (`rsnn simulate`), both format "rsnn-run", or the frozen-weight test of a
// trained run (`rsnn test`, format "rsnn-test"). Its root attr mode.
enum class RunContent { training, simulation, test };

// The root attributes, /config, /populations and /weights/static.
void write_run_skeleton(h5::File& file, const ExperimentSpec& spec, const Network& network, RunContent content);

// One population's spikes in the SONATA layout, the one spike writer of every
// method's run file: `group`/timestamps (ms, with a units attribute) and
// `group`/node_ids (ids local to the population), `group` sorting="by_time".
// The spikes must already be in time order.
void write_sonata_spikes(h5::File& file, const std::string& group, std::span<const double> times,
                         std::span<const std::uint32_t> ids);

// The spikes of one trial (time order, global ids) split by population under
// `group` ("/spikes", "/test/spikes"), with attrs trial (`trial`, which trial
// this is) and recorded_neurons.
void write_trial_spikes(h5::File& file, const std::string& group, const ExperimentSpec& spec, const Network& network,
                        std::span<const double> times, std::span<const std::uint32_t> ids, const std::string& trial);

// A read-out's recorded output under `group`/<name>: times (ms), z and target
// of `shape` ([sample x dimension], or [trial x sample x dimension]).
void write_readout_recording(h5::File& file, const std::string& group, const std::string& name,
                             std::span<const double> times, std::span<const double> z, std::span<const double> target,
                             const std::vector<std::size_t>& shape);

// /weights/readouts/<name>/{neurons, decoders, encoders} of an engine read-out.
void write_readout_weights(h5::File& file, const Readout& readout, std::size_t neuron_count);

// The attributes that name /learning_curve's axis and measure datasets.
void name_learning_curve(h5::File& file, const std::string& axis, const std::string& measure);

// Opens a trained run file for `rsnn test`: HDF5 with format "rsnn-run", or
// InputError naming the file, its format and the one expected (a file of an
// earlier rsnn's per-method formats among them).
h5::File open_run_file(const std::filesystem::path& path);
// Whether `format` is one of the per-method run and test formats of earlier
// rsnn versions ("rsnn-force-run", "rsnn-rate-guided-test", ...), which this
// one no longer reads.
bool is_earlier_run_format(const std::string& format);
// Its root attribute protocol ("loops", "single_trial", "rate_guided").
ProtocolKind run_file_protocol(const h5::File& file);

// ---------------------------------------------------------------------------
// Kim & Chow loops (the other methods' writers are in rsnn/force.hpp and
// rsnn/rate_guided.hpp)
// ---------------------------------------------------------------------------

// `last_loop` (may be null) is the recorded trial, described by
// `trial_description` in the /spikes "trial" attribute. Its mode is
// "training" once a loop has run, else "simulation without learning".
void write_loops_run_file(const std::filesystem::path& path, const Simulation& simulation, const TrialResult* last_loop,
                          const std::vector<TrialResult>& tests, const std::string& trial_description);

// The frozen-weight test of a trained run (`rsnn test`, format "rsnn-test";
// `run` is the trained run file's name).
void write_loops_test_file(const std::filesystem::path& path, const Simulation& simulation, const std::string& run,
                           const std::vector<TrialResult>& tests);

// Read back the plastic weights (and Dale freeze marks) of a run file into a
// simulation built from the same experiment.
void load_trained_weights(const std::filesystem::path& path, Simulation& simulation);

}  // namespace rsnn
