// rsnn: the command-line shell over the library. Exit codes: 0 success,
// 1 runtime failure (divergence, I/O), 2 bad input, 130 interrupted (Ctrl-C,
// after saving a checkpoint and the run file).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "progress_line.hpp"
#include "rsnn/components.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/instruction_set.hpp"
#include "rsnn/neuron_model.hpp"
#include "rsnn/ranks.hpp"
#include "rsnn/run_file.hpp"
#include "rsnn/simulation.hpp"
#include "rsnn/version.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fs = std::filesystem;
using namespace rsnn;

namespace {

constexpr int exit_runtime_failure = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_interrupted = 130;

void on_interrupt(int) { request_stop(); }

// First Ctrl-C asks the run to stop after the current loop; a second one
// (SA_RESETHAND restored the default action) kills the process.
void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

void set_threads(int threads) {
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

struct CommonOptions {
  std::vector<std::string> assignments;
  std::int64_t seed = -1;
  int threads = 0;
  bool quiet = false;
  bool force = false;  // replace files of an earlier run

  std::vector<Override> overrides() const {
    std::vector<Override> result;
    for (const auto& text : assignments) result.push_back(parse_override(text));
    if (seed >= 0) result.push_back({"seed", std::to_string(seed)});
    return result;
  }
};

// At most 8 threads per processor: a few more threads than processors is a
// legitimate experiment (the engine then waits at OpenMP's barrier), a
// thousand on a laptop is a typing error.
int max_threads() { return 8 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Counts and seeds: a negative value is refused with the option named (exit 2).
const CLI::Validator non_negative(
    [](std::string& text) {
      return !text.empty() && text[0] == '-' ? "expected an integer >= 0, got " + text : std::string();
    },
    "INTEGER >= 0");

void add_common(CLI::App* command, CommonOptions& options) {
  command->add_option("--set", options.assignments, "Override an experiment key, e.g. --set learning.lambda=0.5")
      ->type_name("KEY=VALUE");
  command->add_option("--seed", options.seed, "Random seed (overrides the experiment's seed)")->check(non_negative);
  command->add_option("--threads", options.threads, "OpenMP threads (default: all cores)")
      ->check(CLI::Range(1, max_threads()));
  command->add_flag("-q,--quiet", options.quiet, "Print only errors");
  command->add_flag("--force", options.force, "Replace the files of an earlier run in the output directory");
}

std::string rates_text(const Network& net, const std::vector<double>& rates) {
  std::string text;
  for (std::size_t p = 0; p < net.populations.size(); ++p)
    text += fmt::format("{}{} {:5.2f} Hz", p ? "  " : "", net.populations[p].name,
                        p < rates.size() ? rates[p] : std::nan(""));
  return text;
}

fs::path default_output(const fs::path& experiment) { return fs::path("runs") / experiment.stem(); }

// The output directory of a command: `out`, or runs/<experiment name>; an
// existing path that is not a directory is refused (exit 2).
fs::path output_directory(const fs::path& out, const fs::path& experiment) {
  const fs::path directory = out.empty() ? default_output(experiment) : out;
  if (fs::exists(directory) && !fs::is_directory(directory))
    throw InputError(fmt::format("--out: '{}' exists and is not a directory", directory.string()));
  return directory;
}

// No command replaces what an earlier run wrote unless --force is given.
void refuse_to_replace(const fs::path& file, bool force, const std::string& alternative) {
  if (fs::exists(file) && !force)
    throw InputError(
        fmt::format("'{}' exists (an earlier run's); pass --force to replace it{}", file.string(), alternative));
}

// Reject a --resume whose experiment differs from the checkpoint's beyond the
// loop count.
void check_resume_compatible(const ExperimentSpec& requested, const fs::path& checkpoint) {
  const h5::File file(checkpoint, h5::File::Mode::read);
  ExperimentSpec saved = parse_experiment(file.read_string("/config"), checkpoint.string() + ":/config");
  ExperimentSpec comparable = requested;
  comparable.training.loops = saved.training.loops;
  comparable.training.checkpoint_every = saved.training.checkpoint_every;
  comparable.test = saved.test;
  if (to_toml(comparable) != to_toml(saved))
    throw InputError(
        fmt::format("--resume: checkpoint '{}' was made with a different experiment "
                    "(only training.loops, training.checkpoint_every and test may change)",
                    checkpoint.string()));
}

int run_train(const fs::path& experiment, const fs::path& out_option, const CommonOptions& common, std::int64_t loops,
              bool resume) {
  // The protocol is the parsed experiment's, after every --set.
  ExperimentSpec spec = load_experiment(experiment, common.overrides());
  const fs::path out = output_directory(out_option, experiment);
  if (!resume) {
    for (const char* name : {"run.h5", "checkpoint.h5", "metrics.json"})
      refuse_to_replace(out / name, common.force, ", --resume to continue it, or another --out");
  }
  if (loops >= 0 && spec.protocol.kind != ProtocolKind::loops)
    throw InputError(fmt::format("--loops applies to protocol kind \"loops\", not to \"{}\" (set {})",
                                 protocol_kind_name(spec.protocol.kind),
                                 spec.protocol.kind == ProtocolKind::single_trial   ? "protocol.duration"
                                 : spec.protocol.kind == ProtocolKind::spike_coding ? "protocol.training_duration"
                                 : spec.protocol.kind == ProtocolKind::gradient     ? "protocol.iterations"
                                                                                    : "protocol.rls_trials"));
  if (ranks::count() > 1 && spec.protocol.kind == ProtocolKind::spike_coding)
    throw InputError(
        fmt::format("protocol kind \"{}\" runs in one process (docs/distributed.md); start it without mpirun",
                    protocol_kind_name(spec.protocol.kind)));
  if (spec.protocol.kind == ProtocolKind::single_trial) {
    install_interrupt_handler();
    return cli::run_force_training(spec, out, common.quiet, resume);
  }
  if (spec.protocol.kind == ProtocolKind::rate_guided) {
    install_interrupt_handler();
    return cli::run_rate_guided_training(spec, out, common.quiet, resume);
  }
  if (spec.protocol.kind == ProtocolKind::spike_coding) {
    install_interrupt_handler();
    return cli::run_spike_coding_training(spec, out, common.quiet, resume);
  }
  if (spec.protocol.kind == ProtocolKind::gradient) {
    install_interrupt_handler();
    return cli::run_gradient_training(spec, out, common.quiet, resume);
  }
  if (loops >= 0) {  // through the reader, so the count is range-checked like training.loops
    auto overrides = common.overrides();
    overrides.push_back({"training.loops", std::to_string(loops)});
    spec = load_experiment(experiment, overrides);
  }
  const fs::path checkpoint = out / "checkpoint.h5";
  const fs::path run_file = out / "run.h5";
  if (resume) {
    if (!fs::exists(checkpoint))
      throw InputError(fmt::format("--resume: no checkpoint '{}' to resume from", checkpoint.string()));
    check_resume_compatible(spec, checkpoint);
  }
  if (spec.plastic.rule == PlasticRule::none)
    throw InputError("plastic.rule: training needs plastic synapses (rule is \"none\"); use `rsnn simulate`");

  // On several ranks the neurons are partitioned over them; rank 0 reports
  // and writes (docs/distributed.md).
  Simulation simulation(spec, Placement::partitioned_over_ranks);
  if (resume) simulation.load_checkpoint(checkpoint);
  fs::create_directories(out);
  const Network& net = simulation.network();
  const bool root = ranks::is_root(), quiet = common.quiet || !root;
  if (!quiet) {
    fmt::print("rsnn {} ({}): {} neurons, {} plastic synapses ({} per neuron), {} threads{}, seed {}\n", version_string,
               instruction_set(), net.neuron_count, net.plastic.synapse_count(),
               net.neuron_count ? net.plastic.synapse_count() / net.neuron_count : 0, thread_count(),
               ranks::count() > 1 ? fmt::format(" x {} processes", ranks::count()) : std::string(), spec.seed);
    fmt::print("learner state {:.1f} MB{}; output {}\n", simulation.learner()->memory_bytes() / 1e6,
               ranks::count() > 1 ? " on rank 0" : "", out.string());
    if (resume) fmt::print("resuming after loop {}\n", simulation.loops_done());
  }
  install_interrupt_handler();
  TrialResult last;
  bool interrupted = false;
  cli::ProgressLine progress = cli::ProgressLine::for_stdout("loop", 4, simulation.loops_done(), spec.training.loops);
  if (!quiet)  // a loop of a big network takes minutes: show how far it has got
    simulation.set_loop_progress([&progress, &simulation](double time, double duration) {
      progress.within(simulation.loops_done() + 1, time / duration);
    });
  while (simulation.loops_done() < spec.training.loops) {
    const bool final_loop = simulation.loops_done() + 1 == spec.training.loops;
    last = simulation.train_loop(final_loop);
    const LoopRecord& entry = simulation.learning_curve().back();
    if (!quiet && entry.loop == 1) {
      const LoopRecord& untrained = simulation.untrained_point();
      fmt::print("loop    0 (untrained)  {}  correlation {:7.4f}\n", rates_text(net, untrained.population_rate),
                 untrained.correlation);
    }
    if (!quiet) {
      // The correlation is measured while the weights learn; the frozen one
      // (training.frozen_every) is that of a trial with the weights fixed.
      std::string detail = fmt::format("{}  correlation while learning {:7.4f}", rates_text(net, entry.population_rate),
                                       entry.correlation);
      if (std::isfinite(entry.frozen_correlation)) detail += fmt::format("  frozen {:7.4f}", entry.frozen_correlation);
      progress.report(entry.loop, detail, std::isfinite(entry.frozen_correlation));
    }
    std::fflush(stdout);
    const std::size_t every = spec.training.checkpoint_every;
    if (every > 0 && simulation.loops_done() % every == 0) simulation.save_checkpoint(checkpoint);
    if (ranks::broadcast(stop_requested())) {  // rank 0's signal stops every rank
      interrupted = true;
      break;
    }
  }
  if (!quiet) progress.finish();
  simulation.save_checkpoint(checkpoint);
  std::vector<TrialResult> tests;
  if (!interrupted && spec.test.trials > 0) {
    tests = simulation.test(spec.test.trials);
    if (!quiet) {
      double mean = 0.0;
      for (const auto& t : tests) mean += t.mean_correlation / static_cast<double>(tests.size());
      fmt::print("test: {} trials per pattern from fresh initial states, mean correlation {:.4f}\n", spec.test.trials,
                 mean);
    }
  }
  simulation.gather_static_synapses_to_root();
  if (root)
    write_loops_run_file(run_file, simulation, last.record_times.empty() ? nullptr : &last, tests,
                         fmt::format("training loop {}", simulation.loops_done()));
  if (!quiet) fmt::print("wrote {} and {}\n", run_file.string(), checkpoint.string());
  if (interrupted) {
    if (root)
      fmt::print(stderr, "interrupted after loop {}: checkpoint saved; continue with --resume\n",
                 simulation.loops_done());
    return exit_interrupted;
  }
  return 0;
}

int run_test(const fs::path& directory, std::int64_t trials, const CommonOptions& common) {
  const fs::path run_file = fs::is_directory(directory) ? directory / "run.h5" : directory;
  const fs::path test_file = run_file.parent_path() / "test.h5";
  refuse_to_replace(test_file, common.force, "");
  std::string config_text;
  {
    const h5::File file = open_run_file(run_file);
    const ProtocolKind protocol = run_file_protocol(file);
    if (protocol == ProtocolKind::single_trial) {
      install_interrupt_handler();
      return cli::run_force_test(run_file, test_file, trials, common.overrides(), common.quiet);
    }
    if (protocol == ProtocolKind::rate_guided) {
      install_interrupt_handler();
      return cli::run_rate_guided_test(run_file, test_file, trials, common.overrides(), common.quiet);
    }
    if (protocol == ProtocolKind::gradient)
      throw InputError(
          fmt::format("rsnn test: the gradient-training run '{}' holds its frozen-weight test in /test "
                      "already (rsnn train runs it; set protocol.test_trials for more)",
                      run_file.string()));
    if (protocol == ProtocolKind::spike_coding)
      throw InputError(
          fmt::format("rsnn test: the spike-coding run '{}' holds its frozen-weight tests in /test "
                      "already (rsnn train runs them; set protocol.test_trials for more)",
                      run_file.string()));
    config_text = file.read_string("/config");
  }
  const ExperimentSpec spec = parse_experiment(config_text, run_file.string() + ":/config", common.overrides());
  Simulation simulation(spec);
  load_trained_weights(run_file, simulation);
  const std::size_t count = trials >= 0 ? static_cast<std::size_t>(trials) : spec.test.trials;
  const auto tests = simulation.test(count);
  for (std::size_t t = 0; t < tests.size(); ++t)
    if (!common.quiet)
      fmt::print("trial {:3d}  pattern {}  {}  correlation {:7.4f}\n", t + 1, tests[t].pattern,
                 rates_text(simulation.network(), tests[t].population_rate), tests[t].mean_correlation);
  write_loops_test_file(test_file, simulation, run_file.filename().string(), tests);
  if (!common.quiet) fmt::print("wrote {} (the trained run {} is unchanged)\n", test_file.string(), run_file.string());
  return 0;
}

int run_simulate(const fs::path& experiment, const fs::path& out_option, const CommonOptions& common) {
  const ExperimentSpec spec = load_experiment(experiment, common.overrides());
  if (spec.protocol.kind == ProtocolKind::spike_coding)
    throw InputError(
        fmt::format("rsnn simulate: '{}' is a spike-coding experiment; its untrained and analytic "
                    "networks are `rsnn train` with protocol.slow_weights = \"zero\" or \"analytic\"",
                    experiment.string()));
  if (spec.protocol.kind == ProtocolKind::gradient)
    throw InputError(
        fmt::format("rsnn simulate: '{}' is a gradient-training experiment; its untrained network is "
                    "`rsnn train` with --set protocol.iterations=1 (the learning curve's first point is "
                    "measured before the first update)",
                    experiment.string()));
  if (spec.protocol.kind != ProtocolKind::loops) {
    const fs::path run_file = output_directory(out_option, experiment) / "simulation.h5";
    refuse_to_replace(run_file, common.force, " or another --out");
    install_interrupt_handler();
    return spec.protocol.kind == ProtocolKind::single_trial
               ? cli::run_force_simulation(spec, run_file, common.quiet)
               : cli::run_rate_guided_simulation(spec, run_file, common.quiet);
  }
  Simulation simulation(spec);
  TrialOptions options;
  options.kind = TrialKind::untrained;
  // Untrained trials 0..patterns-1 generate innate targets; use the next one.
  options.index = static_cast<std::uint32_t>(spec.training.patterns);
  options.record = true;
  const fs::path out = output_directory(out_option, experiment);
  const fs::path run_file = out / "simulation.h5";
  refuse_to_replace(run_file, common.force, " or another --out");
  const TrialResult trial = simulation.run_trial(options);
  fs::create_directories(out);
  write_loops_run_file(run_file, simulation, &trial, {}, "simulation without learning");
  if (!common.quiet) {
    fmt::print("simulated {} ms of {} neurons in {:.2f} s ({:.2f} simulated s per wall s)\n", spec.trial_duration(),
               simulation.network().neuron_count, trial.elapsed_seconds,
               spec.trial_duration() / 1000.0 / trial.elapsed_seconds);
    fmt::print("mean rates: {}\n", rates_text(simulation.network(), trial.population_rate));
    if (std::isfinite(trial.mean_correlation))
      fmt::print("correlation with the targets (untrained): {:.4f}\n", trial.mean_correlation);
    fmt::print("wrote {}\n", run_file.string());
  }
  return 0;
}

// The learning curve's first and last measure (the names its attributes
// give), the untrained point and the last frozen-weight measurement.
void print_learning_curve(const h5::File& file) {
  if (!file.exists("/learning_curve") || !file.has_attribute("/learning_curve", "measure")) return;
  const std::string axis = file.attribute_string("/learning_curve", "axis");
  const std::string measure = file.attribute_string("/learning_curve", "measure");
  const auto values = file.read<double>("/learning_curve/" + measure);
  if (!values.empty()) {
    const std::string points = axis == "time" ? "simulated seconds" : axis + "s";  // time: one per second
    fmt::print("  learning curve: {} {}, {} {:.4f} (first) -> {:.4f} (last)", values.size(), points, measure,
               values.front(), values.back());
    if (file.exists("/learning_curve/rate"))
      fmt::print(", rate {:.2f} Hz (last)", file.read<double>("/learning_curve/rate").back());
    fmt::print("\n");
  }
  if (file.has_attribute("/learning_curve", "untrained_" + measure))
    fmt::print("  untrained ({} 0): {} {:.4f}\n", axis, measure,
               file.attribute_number("/learning_curve", "untrained_" + measure));
  if (file.exists("/learning_curve/frozen_" + measure)) {
    const auto frozen = file.read<double>("/learning_curve/frozen_" + measure);
    for (std::size_t point = frozen.size(); point-- > 0;)
      if (std::isfinite(frozen[point])) {
        fmt::print("  frozen-weight {} after {} {}: {:.4f}\n", measure, axis, point + 1, frozen[point]);
        break;
      }
  }
}

int run_inspect(const fs::path& path) {
  if (!h5::is_hdf5_file(path)) throw InputError(fmt::format("'{}' is missing or is not an HDF5 file", path.string()));
  const h5::File file(path, h5::File::Mode::read);
  const std::string format = file.has_attribute("/", "format") ? file.attribute_string("/", "format") : "unknown";
  if (is_earlier_run_format(format))
    throw InputError(
        fmt::format("'{}' has format \"{}\", an earlier rsnn's layout; expected a run file of format "
                    "\"rsnn-run\" or \"rsnn-test\" (train it again)",
                    path.string(), format));
  fmt::print("{}: {}", path.string(), format);
  if (file.has_attribute("/", "rsnn_version"))
    fmt::print(", written by rsnn {}", file.attribute_string("/", "rsnn_version"));
  fmt::print("\n");
  for (const char* name : {"protocol", "mode", "run"})
    if (file.has_attribute("/", name)) fmt::print("  {:<11} {}\n", name, file.attribute_string("/", name));
  for (const char* name : {"seed", "neurons", "loops_done"})
    if (file.has_attribute("/", name)) fmt::print("  {:<11} {}\n", name, file.attribute_number("/", name));
  print_learning_curve(file);
  if (file.exists("/metrics") && file.has_attribute("/metrics", "min_best_lag_correlation")) {  // FORCE runs
    if (file.has_attribute("/metrics", "training_rmse"))
      fmt::print("  training rmse {:.4f}\n", file.attribute_number("/metrics", "training_rmse"));
    fmt::print("  free running: min best-lag correlation {:.3f} over {} windows, rate {:.2f} Hz\n",
               file.attribute_number("/metrics", "min_best_lag_correlation"),
               file.attribute_number("/metrics", "windows"), file.attribute_number("/metrics", "mean_rate"));
    if (file.exists("/metrics/output_frequency"))
      fmt::print("  output frequency {:.3f} Hz (target {:.3f} Hz)\n",
                 fmt::join(file.read<double>("/metrics/output_frequency"), ", "),
                 fmt::join(file.read<double>("/metrics/target_frequency"), ", "));
  }
  if (file.exists("/metrics") && file.has_attribute("/metrics", "test_nmse_median")) {  // rate-guided runs and tests
    fmt::print("  test: median nMSE {:.5f}, fraction below 0.1 {:.2f}, rate {:.2f} Hz, {:.1f} % of neurons silent\n",
               file.attribute_number("/metrics", "test_nmse_median"),
               file.attribute_number("/metrics", "test_fraction_below_0_1"),
               file.attribute_number("/metrics", "rate_test_hz"),
               100.0 * file.attribute_number("/metrics", "silent_fraction"));
    if (file.has_attribute("/metrics", "pcs_kept"))
      fmt::print("  {} principal components kept; rls: median nMSE {:.5f}\n",
                 file.attribute_number("/metrics", "pcs_kept"), file.attribute_number("/metrics", "rls_nmse_median"));
  }
  if (file.exists("/test") && file.has_attribute("/test", "mean_correlation"))
    fmt::print("  test: {} trials, mean correlation {:.4f}\n", file.attribute_number("/test", "trials"),
               file.attribute_number("/test", "mean_correlation"));
  fmt::print("  contents:\n");
  std::function<void(const std::string&, int)> walk = [&](const std::string& group, int depth) {
    for (const auto& name : file.list(group)) {
      const std::string child = (group == "/" ? "" : group) + "/" + name;
      bool is_group = true;
      try {
        const auto shape = file.shape(child);
        is_group = false;
        fmt::print("  {:{}}{} [{}]\n", "", 2 * depth + 2, name, fmt::join(shape, " x "));
      } catch (const std::exception&) {
      }
      if (is_group) {
        fmt::print("  {:{}}{}/\n", "", 2 * depth + 2, name);
        if (depth < 3) walk(child, depth + 1);
      }
    }
  };
  walk("/", 0);
  return 0;
}

// Every component family with its kinds and parameter tables, or one of
// them; --markdown prints docs/config.md's tables.
int run_describe(const std::string& family, bool markdown) {
  std::vector<const ComponentFamily*> chosen;
  if (!family.empty()) chosen.push_back(&component_family(family));
  for (const ComponentFamily& each : component_families())
    if (family.empty()) chosen.push_back(&each);
  for (const ComponentFamily* each : chosen)
    fmt::print("{}\n", markdown ? family_markdown(*each) : describe_family(*each));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // MPI for the whole process when this build has it (mpirun, srun);
  // otherwise, and when started without them, one process.
  const ranks::Session mpi(argc, argv);
  CLI::App app{"rsnn: train recurrent spiking networks to produce target dynamics"};
  // The library variant the loader picked is part of the answer.
  app.set_version_flag("--version", fmt::format("rsnn {} ({})", version_string, instruction_set()));
  app.require_subcommand(1);

  CommonOptions common;
  fs::path experiment, out, directory;
  std::int64_t loops = -1, trials = -1;
  bool resume = false;

  auto* train = app.add_subcommand("train", "Train the plastic weights of an experiment with RLS");
  train->add_option("experiment", experiment, "Experiment file (TOML)")->required();
  train->add_option("-o,--out", out, "Output directory (default: runs/<experiment name>)");
  train->add_option("--loops", loops, "Number of training loops (overrides training.loops)")->check(non_negative);
  train->add_flag("--resume", resume, "Continue from <out>/checkpoint.h5");
  add_common(train, common);

  auto* test = app.add_subcommand("test", "Evoke the trained dynamics with frozen weights from fresh initial states");
  test->add_option("run", directory, "Run directory (or its run.h5)")->required();
  test->add_option("--trials", trials,
                   "Trials per pattern (default: test.trials; rate-guided runs: protocol.test_trials)")
      ->check(non_negative);
  add_common(test, common);

  auto* simulate = app.add_subcommand("simulate", "Run one trial of an experiment without learning");
  simulate->add_option("experiment", experiment, "Experiment file (TOML)")->required();
  simulate->add_option("--out", out, "Output directory (default: runs/<experiment name>)");
  add_common(simulate, common);

  auto* inspect = app.add_subcommand("inspect", "Summarise a run or checkpoint file");
  inspect->add_option("file", directory, "HDF5 file")->required();

  fs::path figure;
  auto* plot = app.add_subcommand("plot", "Draw the figure of a run (any method) into a PNG");
  plot->add_option("run", directory, "Run directory (or its run.h5, or simulation.h5)")->required();
  plot->add_option("-o,--out", figure, "Figure file (default: beside the run file, with the suffix .png)");

  std::string family;
  bool markdown = false;
  auto* describe = app.add_subcommand("describe",
                                      "List every component kind (protocols, neuron models, signals, ...) "
                                      "and its parameters");
  describe->add_option("family", family,
                       "One family: protocol, teacher, task, neuron, weights, stimulus, target, signal");
  describe->add_flag("--markdown", markdown, "Print the tables of docs/config.md");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : exit_bad_input;
  }
  set_threads(common.threads);
  try {
    if (ranks::count() > 1 && !*train)
      throw InputError(fmt::format("only `rsnn train` runs on several processes; start `rsnn {}` without mpirun",
                                   app.get_subcommands().front()->get_name()));
    if (*train) return run_train(experiment, out, common, loops, resume);
    if (*test) return run_test(directory, trials, common);
    if (*simulate) return run_simulate(experiment, out, common);
    if (*inspect) return run_inspect(directory);
    if (*plot) return cli::run_plot(directory, figure);
    return run_describe(family, markdown);
  } catch (const InputError& error) {
    fmt::print(stderr, "rsnn: error: {}\n", error.what());
    return exit_bad_input;
  } catch (const RuntimeFailure& error) {
    fmt::print(stderr, "rsnn: failed: {}\n", error.what());
    return exit_runtime_failure;
  } catch (const std::exception& error) {
    fmt::print(stderr, "rsnn: failed: {}\n", error.what());
    return exit_runtime_failure;
  }
}
