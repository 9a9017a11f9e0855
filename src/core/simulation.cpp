// The engine's trial loop. The phase order per step is documented in
// include/rsnn/simulation.hpp and is a contract tested by tests/unit.
#include "rsnn/simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <numeric>
#include <utility>

#include "engine_passes.hpp"
#include "rank_partition.hpp"
#include "rsnn/error.hpp"
#include "rsnn/memory_estimate.hpp"
#include "rsnn/random.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/time_grid.hpp"
#include "scoped_team_size.hpp"
#include "spike_exchange.hpp"
#include "spin_barrier.hpp"
#include "team_sizer.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {
namespace {

std::atomic<bool> stop_flag{false};

// Stream sub-key of a trial: kind in the top bits, index below.
std::uint32_t trial_key(TrialKind kind, std::uint32_t index) {
  return (static_cast<std::uint32_t>(kind) << 28) | (index & 0x0FFFFFFFu);
}

// Appends the ids in [lo, hi) whose flag is set, checking eight flags at a
// time (spikes are rare, so most words are zero).
void collect_spikes(const std::uint8_t* flags, std::size_t lo, std::size_t hi, std::vector<std::uint32_t>& out) {
  std::size_t i = lo;
  for (; i + 8 <= hi; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, flags + i, sizeof word);
    if (word == 0) continue;
    for (std::size_t b = 0; b < 8; ++b)
      if (flags[i + b]) out.push_back(static_cast<std::uint32_t>(i + b));
  }
  for (; i < hi; ++i)
    if (flags[i]) out.push_back(static_cast<std::uint32_t>(i));
}

int current_thread() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

int current_team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

int max_team_size() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

int processor_count() {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return 1;
#endif
}

// The contiguous range of neurons that thread `thread` of `threads` owns.
std::pair<std::size_t, std::size_t> thread_range(std::size_t n, std::size_t thread, std::size_t threads) {
  return {n * thread / threads, n * (thread + 1) / threads};
}

}  // namespace

void request_stop() { stop_flag.store(true); }
bool stop_requested() { return stop_flag.load(); }
void clear_stop_request() { stop_flag.store(false); }

Simulation::~Simulation() = default;

namespace {

// The spec, once its memory estimate fits the machine (rsnn/memory_estimate.hpp).
ExperimentSpec fitting(ExperimentSpec spec, Placement placement) {
  require_memory(spec, placement == Placement::partitioned_over_ranks ? static_cast<std::size_t>(ranks::count()) : 1);
  return spec;
}

}  // namespace

Simulation::Simulation(ExperimentSpec spec, Placement placement)
    : spec_(fitting(std::move(spec), placement)),
      network_(build_network(spec_)),
      team_sizer_(std::make_unique<TeamSizer>()) {
  const std::size_t n = network_.neuron_count;
  partitioned_ = placement == Placement::partitioned_over_ranks && ranks::count() > 1;
  const NeuronShare own = partitioned_ ? rank_share(n) : NeuronShare{0, n};
  own_first_ = own.first;
  own_last_ = own.last;
  if (partitioned_ && network_.graded)
    throw InputError(
        "several ranks: only networks of spiking neurons are partitioned over ranks (docs/distributed.md)");
  // A rank keeps its own neurons' incoming static synapses; with a read-out
  // (FORCE, rate-guided: networks of at most ~10^4 neurons, whose run files
  // and API show the static weights) every rank keeps them all.
  if (partitioned_ && spec_.readouts.empty()) keep_own_static_synapses(network_, own);
  spiked_.assign(n, 0);
  input_.assign(n, 0.0);
  stimulus_.assign(n, 0.0);
  stimulus_spare_.assign(n, 0.0);
  normal_scratch_.assign(n, 0.0);
  noise_spare_.assign(n, 0.0);

  // Untrained activity for targets that are defined by the network itself.
  UntrainedActivity untrained;
  if (targets_need_untrained_run(spec_)) {
    targets_.samples = whole_multiples(spec_.training.window, spec_.learning.learn_every);
    for (std::size_t p = 0; p < spec_.training.patterns; ++p) {
      TrialOptions options;
      options.kind = TrialKind::untrained;
      options.index = static_cast<std::uint32_t>(p);
      options.pattern = p;
      options.keep_samples = true;
      TrialResult result = run_trial(options);
      if (p == 0) untrained.mean_input = result.mean_window_input;
      untrained.samples_per_pattern.push_back(std::move(result.samples));
    }
  }
  std::vector<double> theta_tau(n, 0.0);
  if (spec_.target.transform == TargetTransform::theta_rate) {
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
      const auto& pop = spec_.populations[p];
      if (pop.model != "theta")
        throw InputError(fmt::format("target.transform: \"theta_rate\" needs theta neurons; population '{}' uses '{}'",
                                     pop.name, pop.model));
      const auto& runtime = network_.populations[p];
      std::fill(theta_tau.begin() + runtime.first, theta_tau.begin() + runtime.first + runtime.size,
                pop.parameters.number("tau"));
    }
  }
  targets_ = make_targets(spec_, untrained, theta_tau);
  if (spec_.plastic.rule != PlasticRule::none) learner_ = make_rls_learner(spec_, network_, own_first_, own_last_);
  if (partitioned_ && spec_.readouts.empty()) others_read_ = presynaptic_others(network_, own);
  for (const ReadoutSpec& readout : spec_.readouts) readouts_.emplace_back(readout, n, spec_.dt, spec_.seed);
  network_.clear_synapses();
}

// Per-step standard normals for neurons [lo, hi), consumed in pairs of steps:
// on even counts a Philox block per neuron gives two normals, the first is
// returned and the second kept in `spare` for the odd count that follows.
// Returns an array indexed by neuron id (valid on [lo, hi)).
const double* Simulation::paired_normals(Purpose purpose, std::uint32_t sub, std::uint64_t count, std::size_t lo,
                                         std::size_t hi, std::vector<double>& spare) {
  if (count % 2 == 1) return spare.data();
  double first[normal_batch_width], second[normal_batch_width];
  for (std::size_t block = lo - lo % normal_batch_width; block < hi; block += normal_batch_width) {
    normal_pairs_batch(spec_.seed, purpose, block, sub, count / 2, first, second);
    for (std::size_t lane = 0; lane < normal_batch_width; ++lane) {
      const std::size_t i = block + lane;
      if (i < lo || i >= hi) continue;
      normal_scratch_[i] = first[lane];
      spare[i] = second[lane];
    }
  }
  return normal_scratch_.data();
}

void Simulation::advance_synapses(const SpikeLists& delivered, std::size_t lo, std::size_t hi) {
  // Decay, then deliver last step's spikes to this range, list by list (the
  // lists are in ascending id order one after the other).
  network_.decay_synapses(lo, hi);
  for (std::size_t list = 0; list < delivered.count; ++list)
    deliver_spikes(network_, delivered.lists[list].data(), delivered.lists[list].size(), lo, hi);
}

void Simulation::advance_others_rates(const SpikeLists& delivered, std::size_t thread, std::size_t threads) {
  // Partitioned ranks: the filtered rates of the neurons other ranks own,
  // which this rank's regressors (and read-outs) read: those listed in
  // others_read_, or all of them, the threads sharing the ids below and above
  // this rank's share.
  if (!others_read_.empty()) {
    const auto [lo, hi] = thread_range(others_read_.size(), thread, threads);
    advance_listed_rates(network_, delivered, others_read_.data() + lo, others_read_.data() + hi);
    return;
  }
  const std::size_t n = network_.neuron_count;
  for (const auto& [begin, end] : {std::pair<std::size_t, std::size_t>{0, own_first_}, {own_last_, n}}) {
    const auto [lo, hi] = thread_range(end - begin, thread, threads);
    if (lo < hi) advance_rates(network_, delivered, begin + lo, begin + hi);
  }
}

void Simulation::assemble_input(std::uint64_t step, const TrialOptions& options, bool stimulus_on,
                                std::uint64_t stimulus_start, std::size_t lo, std::size_t hi) {
  Network& net = network_;
  const std::size_t n = net.neuron_count;
  const std::uint32_t key = trial_key(options.kind, options.index);
  const bool ou = spec_.stimulus.kind == StimulusKind::ou;
  const double ou_decay = ou ? spec_.dt / spec_.stimulus.tau : 0.0;
  const double ou_kick = ou ? spec_.stimulus.sigma * std::sqrt(spec_.dt) : 0.0;
  const double noise_sigma = spec_.noise.current_sigma;
  const double* external = nullptr;  // this step's row of the external input
  if (!external_input_.empty() && step / external_input_every_ < external_input_rows_)
    external = external_input_.data() +
               ((options.pattern % external_input_patterns_) * external_input_rows_ + step / external_input_every_) * n;

  // 4. input: one simple loop per term, so each vectorises. Per-step normal
  // draws come in pairs (one Philox block per neuron every other step).
  // bias + the fed static pathways in order + plastic (a current nothing
  // feeds is zero, and adding it would change nothing); one pass for Kim &
  // Chow's E, I and plastic (a pass over the range costs as much as a small
  // step's spikes).
  std::array<const double*, max_static_pathways + 1> terms;
  std::size_t count = 0;
  for (const Pathway& pathway : net.pathways)
    if (pathway.fed) terms[count++] = pathway.current.data();
  if (net.feeds_plastic || net.graded) terms[count++] = net.u_plastic.data();
  const double* bias = net.bias.data();
  if (count == 3) {
    const double *a = terms[0], *b = terms[1], *c = terms[2];
    for (std::size_t i = lo; i < hi; ++i) input_[i] = bias[i] + a[i] + b[i] + c[i];
  } else {
    std::copy(bias + lo, bias + hi, input_.begin() + static_cast<std::ptrdiff_t>(lo));
    for (std::size_t t = 0; t < count; ++t)
      for (std::size_t i = lo; i < hi; ++i) input_[i] += terms[t][i];
  }
  if (options.average_currents)
    for (std::size_t p = 0; p < net.pathways.size(); ++p) {
      const double* current = net.pathways[p].current.data();
      double* sum = current_sums_.data() + p * n;
      for (std::size_t i = lo; i < hi; ++i) sum[i] += current[i];
    }
  if (stimulus_on && ou) {
    const std::uint64_t offset = step - stimulus_start;
    const double* kicks =
        paired_normals(Purpose::stimulus, static_cast<std::uint32_t>(options.pattern), offset, lo, hi, stimulus_spare_);
    for (std::size_t i = lo; i < hi; ++i)
      stimulus_[i] += (spec_.stimulus.mean - stimulus_[i]) * ou_decay + ou_kick * kicks[i];
  }
  if (stimulus_on)
    for (std::size_t i = lo; i < hi; ++i) input_[i] += stimulus_[i];
  if (noise_sigma > 0.0) {
    const double* draws = paired_normals(Purpose::noise, key, step, lo, hi, noise_spare_);
    for (std::size_t i = lo; i < hi; ++i) input_[i] += noise_sigma * draws[i];
  }
  if (external)
    for (std::size_t i = lo; i < hi; ++i) input_[i] += external[i];
  for (const Readout& readout : readouts_) readout.add_feedback(input_.data(), lo, hi);
}

void Simulation::integrate_neurons(std::size_t lo, std::size_t hi, std::vector<std::uint32_t>& emitted) {
  // Population by population over this range; then this range's spikes, in
  // ascending id order.
  Network& net = network_;
  for (const Population& pop : net.populations) {
    const std::size_t begin = std::max(lo, pop.first);
    const std::size_t end = std::min(hi, pop.first + pop.size);
    if (begin < end)
      pop.neurons->step(begin - pop.first, end - pop.first, input_.data() + pop.first, spiked_.data() + pop.first);
  }
  emitted.clear();
  collect_spikes(spiked_.data(), lo, hi, emitted);
  if (net.graded) update_graded_output(net, lo, hi);
}

TrialGrid Simulation::trial_grid(const TrialOptions& options) const {
  TrialGrid grid;
  grid.dt = spec_.dt;
  grid.total_steps = whole_multiples(options.duration > 0.0 ? options.duration : spec_.trial_duration(), spec_.dt);
  grid.stimulus_stop = whole_multiples(spec_.stimulus.stop, spec_.dt);
  // Zero only where no check put learning.learn_every on the step grid: the
  // protocols without per-neuron learning, which then have no learning samples.
  const std::uint64_t learn_every = whole_multiples(spec_.learning.learn_every, spec_.dt);
  grid.learn_every = std::max<std::uint64_t>(learn_every, 1);
  grid.record_every = whole_multiples(spec_.recording.interval, spec_.dt);
  grid.samples = learn_every > 0 && grid.total_steps > grid.stimulus_stop
                     ? static_cast<std::size_t>((grid.total_steps - grid.stimulus_stop) / learn_every)
                     : 0;
  return grid;
}

void Simulation::check_trial_options(const TrialOptions& options, const TrialGrid& grid) const {
  if (options.learn && !learner_ && readouts_.empty())
    throw InputError("plastic.rule: training needs plastic synapses (rule is \"none\") or a read-out");
  if (options.learn && learner_ && grid.total_steps != whole_multiples(spec_.trial_duration(), spec_.dt))
    throw InputError(fmt::format("trial duration: a learning trial lasts the experiment's {} ms, not {} ms",
                                 spec_.trial_duration(), static_cast<double>(grid.total_steps) * spec_.dt));
  const std::uint64_t first_step = options.first_step;
  if (first_step > 0 && (options.reset_state || first_step >= grid.total_steps ||
                         spec_.stimulus.kind == StimulusKind::ou || spec_.target.kind != TargetKind::none))
    throw InputError(
        fmt::format("resuming a trial at step {}: needs the carried-over state, a step inside the trial "
                    "({} steps), no OU stimulus and no per-neuron targets",
                    first_step, grid.total_steps));
  for (const StepPass* pass : options.passes)
    if (!pass) throw InputError("TrialOptions::passes: a pass is null");
  if (partitioned_ && (options.delete_spike_at >= 0.0 || !options.passes.empty()))
    throw InputError("several ranks: a partitioned trial takes no spike deletion and no extra passes");
}

void Simulation::start_trial(const TrialOptions& options) {
  Network& net = network_;
  if (options.reset_state) {
    net.clear_synapses();
    const std::uint32_t key = trial_key(options.kind, options.index);
    for (const Population& pop : net.populations) pop.neurons->initialize(spec_.seed, key, pop.first);
  }
  if (options.first_step == 0)
    for (Readout& readout : readouts_) readout.start_trial(options.index, options.reset_state);
  for (Readout& readout : readouts_) readout.set_teacher_forcing(options.teacher_forcing);
  if (net.graded && options.first_step == 0) {  // the units' outputs and drive at the trial's start
    update_graded_output(net, 0, net.neuron_count);
    recompute_plastic_current(net, 0, net.neuron_count);
  }
  // The stimulus of a pattern: drawn once per (pattern, neuron), identical in
  // every trial; OU stimuli restart from their mean at every trial.
  for (std::size_t i = 0; i < net.neuron_count; ++i) {
    if (spec_.stimulus.kind == StimulusKind::constant) {
      RandomStream stream(spec_.seed, Purpose::stimulus, i, static_cast<std::uint32_t>(options.pattern));
      stimulus_[i] = stream.uniform(-spec_.stimulus.amplitude, spec_.stimulus.amplitude);
    } else {
      stimulus_[i] = spec_.stimulus.kind == StimulusKind::ou ? spec_.stimulus.mean : 0.0;
    }
  }
  if (options.average_currents) current_sums_.assign(net.pathways.size() * net.neuron_count, 0.0);
}

std::vector<std::unique_ptr<StepPass>> Simulation::engine_passes(const TrialOptions& options, const TrialGrid& grid,
                                                                 std::size_t threads) const {
  // The engine's passes are built for a const Simulation's trial but act on
  // its learner and read-outs, which the trial changes.
  auto& self = const_cast<Simulation&>(*this);
  const ScoredQuantity quantity{&network_, spec_.learning.quantity == LearnedQuantity::rate};
  const bool have_targets = targets_.samples == grid.samples && !targets_.values.empty();
  const bool smooth = have_targets && spec_.training.correlation_window > 0.0;
  std::vector<std::unique_ptr<StepPass>> passes;
  if ((have_targets && !smooth) || options.keep_samples)
    passes.push_back(std::make_unique<SampleScorePass>(grid, quantity, have_targets && !smooth ? &targets_ : nullptr,
                                                       options.pattern, options.keep_samples));
  if (options.learn && learner_)
    passes.push_back(
        std::make_unique<LearnerPass>(grid, *self.learner_, have_targets ? &targets_ : nullptr, options.pattern));
  if (smooth)
    passes.push_back(std::make_unique<SmoothedScorePass>(
        grid, quantity, targets_, options.pattern, whole_multiples(spec_.training.correlation_window / 2.0, spec_.dt),
        threads));
  if (options.record) passes.push_back(std::make_unique<CurrentRecordingPass>(grid, spec_.recording.neurons));
  if (!readouts_.empty())
    passes.push_back(
        std::make_unique<ReadoutPass>(Slot::readouts, grid, self.readouts_, options.learn, options.record));
  if (options.delete_spike_at >= 0.0)
    passes.push_back(std::make_unique<SpikeDeletionPass>(options.delete_spike_at, spec_.dt));
  if (std::any_of(readouts_.begin(), readouts_.end(), [](const Readout& r) { return r.reads_spikes(); }))
    passes.push_back(
        std::make_unique<ReadoutPass>(Slot::readouts_late, grid, self.readouts_, options.learn, options.record));
  const std::size_t recorded =
      spec_.recording.spike_neurons == 0 ? network_.neuron_count : spec_.recording.spike_neurons;
  passes.push_back(std::make_unique<SpikeTallyPass>(threads, options.record && spec_.recording.spikes, recorded,
                                                    whole_multiples(std::max(options.late_from, 0.0), spec_.dt),
                                                    spec_.dt, partitioned_));
  if (options.progress || options.max_rate > 0.0)
    passes.push_back(std::make_unique<ActivityGuardPass>(
        std::max<std::uint64_t>(1, whole_multiples(options.progress_every, spec_.dt)), spec_.dt, options.max_rate,
        options.progress_every, options.progress));
  return passes;
}

TrialResult Simulation::run_trial(const TrialOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Network& net = network_;
  const std::size_t n = net.neuron_count;
  const double dt = spec_.dt;
  const TrialGrid grid = trial_grid(options);
  check_trial_options(options, grid);
  start_trial(options);
  const std::uint64_t stim_start = whole_multiples(spec_.stimulus.start, dt);
  const std::uint64_t first_step = options.first_step;

  TrialResult result;
  result.pattern = options.pattern;
  result.spike_counts.assign(n, 0);
  result.correlation.assign(n, std::numeric_limits<double>::quiet_NaN());
  result.mean_correlation = std::numeric_limits<double>::quiet_NaN();
  if (options.record)
    for (const Readout& readout : readouts_)
      result.readouts.push_back(ReadoutTrace{readout.spec().name, readout.dimensions(), {}, {}, {}});

  // The steps run in one parallel region (for networks of at least
  // parallel_step_threshold_ neurons; otherwise on one thread, and the learner
  // opens its own region at each sample). Each thread owns a contiguous range
  // of neurons for the engine's slots and emits its range's spikes into its
  // own outbox of the spike exchange (spike_exchange.hpp); after the step's
  // barrier and exchange, those are the spikes every thread delivers in step
  // n + 1. One barrier per step is the only synchronisation a step needs; a
  // one_thread pass adds a barrier before it (and one after, the single's).
  const std::size_t own = own_last_ - own_first_;
  const bool parallel_steps = own >= parallel_step_threshold_;
  const auto most = static_cast<std::size_t>(max_team_size());
  const std::size_t team_size = adaptive_team_ ? team_sizer_->next(most, options.learn) : most;
  const ScopedTeamSize scoped_team(team_size);
  const std::size_t team = parallel_steps ? team_size : 1;
  std::unique_ptr<SpikeExchange> exchange;
  if (partitioned_)
    exchange = std::make_unique<RankSpikeExchange>(team, net.pending_spikes, first_step);
  else
    exchange = std::make_unique<ThreadSpikeExchange>(team, net.pending_spikes, first_step);

  const std::vector<std::unique_ptr<StepPass>> own_passes = engine_passes(options, grid, team);
  std::array<std::vector<StepPass*>, slot_count> schedule;
  for (const auto& pass : own_passes) schedule[static_cast<std::size_t>(pass->slot())].push_back(pass.get());
  for (StepPass* pass : options.passes) schedule[static_cast<std::size_t>(pass->slot())].push_back(pass);
  for (auto& slot : schedule)
    for (StepPass* pass : slot) pass->clear_trial_end();
  const StepPass* ended_by = nullptr;  // the pass that ended the trial early

  // The per-step barrier: SpinBarrier (cheaper per crossing) when every thread
  // can have a core of its own, else OpenMP's (more patient with a team larger
  // than the machine).
  SpinBarrier step_barrier;
  bool own_barrier = false;

#pragma omp parallel if (parallel_steps) num_threads(team)
  {
    const auto threads = static_cast<std::size_t>(current_team_size());
    const auto thread = static_cast<std::size_t>(current_thread());
#pragma omp single
    {
      step_barrier.reset(threads);
      own_barrier = static_cast<int>(threads) <= processor_count();
    }
    const auto [first, last] = thread_range(own, thread, threads);
    const std::size_t lo = own_first_ + first, hi = own_first_ + last;
    const auto meet = [&] {
      if (own_barrier) {
        step_barrier.wait();
      } else {
#pragma omp barrier
      }
    };
    // Work for one thread of the team: an OpenMP single (with its barrier) in
    // a team, a plain call alone (libgomp's barrier costs a futex call per
    // single even in a team of one).
    const auto once = [&](auto&& work) {
      if (threads == 1) {
        work();
        return;
      }
#pragma omp single
      work();
    };
    StepContext context{
        .lo = lo, .hi = hi, .thread = thread, .threads = threads, .network = net, .options = options, .result = result};
    // The passes of one slot; false when one of them ended the trial.
    const auto run_slot = [&](Slot slot) {
      for (StepPass* pass : schedule[static_cast<std::size_t>(slot)]) {
        if (!pass->due(context.step)) continue;
        if (pass->team() == PassTeam::every_thread) {
          pass->run(context);
          continue;
        }
        if (threads > 1) meet();
        once([&] {
          StepContext whole = context;
          whole.lo = own_first_;
          whole.hi = own_last_;
          pass->run(whole);
          if (pass->ends_trial()) ended_by = pass;
        });
        if (pass->ends_trial()) return false;
      }
      return true;
    };
    for (std::uint64_t step = first_step;; ++step) {
      context.step = step;
      context.time = static_cast<double>(step) * dt;
      context.spikes = {};
      context.emitted = nullptr;
      context.own_spikes = nullptr;
      if (!run_slot(Slot::sample) || !run_slot(Slot::record)) break;
      if (step == grid.total_steps) break;
      advance_synapses(exchange->delivered(step), lo, hi);
      if (partitioned_) advance_others_rates(exchange->delivered(step), thread, threads);
      if (!run_slot(Slot::synapses) || !run_slot(Slot::readouts)) break;
      assemble_input(step, options, step >= stim_start && step < grid.stimulus_stop, stim_start, lo, hi);
      context.input = input_.data();
      if (!run_slot(Slot::input)) break;
      context.input = nullptr;
      auto& mine = exchange->outbox(step, thread);
      integrate_neurons(lo, hi, mine);
      if (!run_slot(Slot::neurons)) break;
      meet();
      if (thread == 0) exchange->exchange(step);
      if (exchange->communicates() && threads > 1) meet();
      if (net.graded) {  // every unit's output is in: u = W r for this range, seen by all from here on
        recompute_plastic_current(net, lo, hi);
        if (threads > 1) meet();
      }
      context.spikes = exchange->delivered(step + 1);
      context.emitted = &exchange->emitted(step);
      context.own_spikes = &mine;
      if (!run_slot(Slot::exchange) || !run_slot(Slot::readouts_late) || !run_slot(Slot::step_end)) break;
    }
  }
  const std::uint64_t steps_run = ended_by ? ended_by->trial_stop().steps_run : grid.total_steps;
  if (ended_by && ended_by->trial_stop().failure) std::rethrow_exception(ended_by->trial_stop().failure);
  // The last step's spikes stay pending (a trial that does not reset the
  // state delivers them first).
  if (steps_run > 0) net.pending_spikes = exchange->concatenated(steps_run - 1);
  result.steps = steps_run - first_step;
  const bool complete = steps_run == grid.total_steps;  // a trial stopped early is not scored
  for (auto& slot : schedule)
    for (StepPass* pass : slot) pass->finish(result, complete);
  if (partitioned_) gather_trial(options, result);
  summarise_activity(options, result);
  result.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  team_sizer_->record(team_size, options.learn, result.steps, result.elapsed_seconds);
  return result;
}

void Simulation::gather_static_synapses_to_root() {
  if (!partitioned_ || !spec_.readouts.empty() || static_whole_on_root_) return;
  rsnn::gather_static_synapses_to_root(network_);
  static_whole_on_root_ = true;  // rank 0's rows are whole now: gathering again would add them twice
}

void Simulation::gather_trial(const TrialOptions& options, TrialResult& result) {
  const std::size_t n = network_.neuron_count;
  const NeuronShare own{own_first_, own_last_};
  gather_network(network_, own, options.learn, options.learn && spec_.learning.dale);
  gather_neuron_columns(result.correlation, n, own);
  result.mean_correlation = mean_of_defined(result.correlation);  // as CorrelationSums::write takes it
  gather_neuron_columns(result.samples, n, own);
  gather_neuron_columns(result.mean_window_input, n, own);
  gather_listed_columns(result.recorded_current, spec_.recording.neurons, n, own);
  if (options.average_currents) gather_neuron_columns(current_sums_, n, own);
}

void Simulation::summarise_activity(const TrialOptions& options, TrialResult& result) const {
  const Network& net = network_;
  const std::size_t n = net.neuron_count;
  if (options.average_currents)
    for (std::size_t p = 0; p < net.pathways.size(); ++p) {
      std::vector<double>& mean = result.mean_pathway_current.emplace_back(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) mean[i] = current_sums_[p * n + i] / static_cast<double>(result.steps);
    }
  const double duration_s = static_cast<double>(result.steps) * spec_.dt / 1000.0;
  std::uint64_t all_spikes = 0;
  for (const Population& pop : net.populations) {
    const auto first = result.spike_counts.begin() + static_cast<std::ptrdiff_t>(pop.first);
    const std::uint64_t spikes =
        std::accumulate(first, first + static_cast<std::ptrdiff_t>(pop.size), std::uint64_t{0});
    result.population_rate.push_back(static_cast<double>(spikes) / (static_cast<double>(pop.size) * duration_s));
    all_spikes += spikes;
  }
  result.mean_rate = static_cast<double>(all_spikes) / (static_cast<double>(n) * duration_s);
}

TrialOptions Simulation::training_options(std::size_t loop, bool record) const {
  TrialOptions options;
  options.kind = TrialKind::training;
  options.index = static_cast<std::uint32_t>(loop);
  options.pattern = loop % spec_.training.patterns;
  options.learn = true;
  options.reset_state = spec_.training.reset_state || loop == 0;  // the first loop always starts fresh
  options.record = record;
  if (loop_progress_) {
    options.progress = [report = loop_progress_, duration = spec_.trial_duration()](double time) {
      report(time, duration);
      return true;
    };
    options.progress_every = loop_progress_every_;
  }
  return options;
}

LoopRecord Simulation::untrained_placeholder() {
  LoopRecord point;
  point.correlation = point.rate = std::numeric_limits<double>::quiet_NaN();
  return point;
}

bool Simulation::frozen_trial_due(std::size_t loop) const {
  const std::size_t every = spec_.training.frozen_every;
  return every > 0 && (loop % every == 0 || loop == spec_.training.loops);
}

namespace {

LoopRecord loop_record(std::size_t loop, std::size_t pattern, const TrialResult& result) {
  LoopRecord entry;
  entry.loop = loop;
  entry.pattern = pattern;
  entry.correlation = result.mean_correlation;
  entry.rate = result.mean_rate;
  entry.population_rate = result.population_rate;
  entry.elapsed_seconds = result.elapsed_seconds;
  return entry;
}

}  // namespace

TrialResult Simulation::train_loop(bool record) {
  const std::size_t loop = learning_curve_.size();
  const TrialOptions options = training_options(loop, record);
  if (loop == 0 && spec_.training.frozen_every > 0) {  // the loop-0 point: loop 1's trial without learning
    TrialOptions untrained = options;
    untrained.learn = untrained.record = false;
    untrained_point_ = loop_record(0, options.pattern, run_trial(untrained));
  }
  TrialResult result = run_trial(options);

  // Divergence checks: a run that has gone wrong should fail loudly and early.
  for (std::size_t i = 0; i < network_.neuron_count; ++i)
    if (!std::isfinite(network_.recurrent_current(i)))
      throw RuntimeFailure(
          fmt::format("training diverged at loop {}: neuron {} has a non-finite synaptic current "
                      "(try a larger learning.lambda)",
                      loop + 1, i));
  for (std::size_t s = 0; s < network_.plastic.synapse_count(); ++s)
    if (!std::isfinite(network_.plastic.weight[s]))
      throw RuntimeFailure(fmt::format("training diverged at loop {}: plastic weight {} is not finite", loop + 1, s));
  if (result.mean_rate > spec_.training.max_rate)
    throw RuntimeFailure(
        fmt::format("runaway activity at loop {}: mean rate {:.1f} Hz exceeds training.max_rate = {} Hz", loop + 1,
                    result.mean_rate, spec_.training.max_rate));

  LoopRecord entry = loop_record(loop + 1, options.pattern, result);
  if (frozen_trial_due(loop + 1)) {
    // A frozen-weight trial from a fresh state; the state training carries
    // over to the next loop is put back afterwards.
    const NetworkSnapshot state = snapshot_state(network_);
    TrialOptions frozen;
    frozen.kind = TrialKind::frozen;
    frozen.index = static_cast<std::uint32_t>(loop + 1);
    frozen.pattern = options.pattern;
    const TrialResult scored = run_trial(frozen);
    restore_state(network_, state);
    entry.frozen_correlation = scored.mean_correlation;
    entry.frozen_rate = scored.mean_rate;
  }
  learning_curve_.push_back(std::move(entry));
  return result;
}

LearningCurveColumns learning_curve_columns(const std::vector<LoopRecord>& curve) {
  LearningCurveColumns columns;
  for (const LoopRecord& entry : curve) {
    columns.loop.push_back(entry.loop);
    columns.pattern.push_back(entry.pattern);
    columns.correlation.push_back(entry.correlation);
    columns.rate.push_back(entry.rate);
    columns.elapsed.push_back(entry.elapsed_seconds);
    columns.frozen_correlation.push_back(entry.frozen_correlation);
    columns.frozen_rate.push_back(entry.frozen_rate);
    columns.population_rate.insert(columns.population_rate.end(), entry.population_rate.begin(),
                                   entry.population_rate.end());
  }
  return columns;
}

void Simulation::set_external_input(std::vector<double> values, std::size_t patterns, double interval) {
  const std::size_t n = network_.neuron_count;
  if (values.empty()) {
    external_input_.clear();
    external_input_patterns_ = external_input_rows_ = 0;
    return;
  }
  if (patterns != 1 && patterns != spec_.training.patterns)
    throw InputError(fmt::format("external input: {} patterns given; expected 1 or training.patterns = {}", patterns,
                                 spec_.training.patterns));
  if (n == 0 || values.size() % (patterns * n) != 0)
    throw InputError(fmt::format("external input: {} values are not (patterns = {}) x rows x ({} neurons)",
                                 values.size(), patterns, n));
  const std::uint64_t every = whole_multiples(interval, spec_.dt);
  if (!(interval > 0.0) || every == 0 || !is_whole_multiple(interval, spec_.dt))
    throw InputError(
        fmt::format("external input: interval {} ms is not a positive multiple of dt = {} ms", interval, spec_.dt));
  for (std::size_t a = 0; a < values.size(); ++a)
    if (!std::isfinite(values[a]))
      throw InputError(fmt::format("external input: value at flat index {} is not finite", a));
  external_input_ = std::move(values);
  external_input_patterns_ = patterns;
  external_input_rows_ = external_input_.size() / (patterns * n);
  external_input_every_ = every;
}

TrialOptions Simulation::test_options(std::size_t pattern, std::size_t trial, std::size_t trials,
                                      bool record_first) const {
  TrialOptions options;
  options.kind = TrialKind::test;
  options.index = static_cast<std::uint32_t>(pattern * trials + trial);
  options.pattern = pattern;
  options.record = record_first && trial == 0;
  return options;
}

std::vector<TrialResult> Simulation::test(std::size_t trials, bool record_first) {
  std::vector<TrialResult> results;
  for (std::size_t p = 0; p < spec_.training.patterns; ++p) {
    for (std::size_t t = 0; t < trials; ++t) results.push_back(run_trial(test_options(p, t, trials, record_first)));
  }
  return results;
}

}  // namespace rsnn
