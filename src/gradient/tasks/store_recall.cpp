// The store-recall task of Bellec et al. 2018 ("Long short-term memory and
// learning-to-learn in networks of spiking neurons"), as the LSNN code
// generates it: a sequence of characters, each a bit (0, 1) or a command
// (STORE, RECALL), shown as Poisson input on its symbol's group of channels;
// at each RECALL the read-out must report the bit shown with the most recent
// STORE.
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "gradient/tasks/task_factories.hpp"
#include "rsnn/error.hpp"

namespace rsnn::detail {
namespace {

// Symbol values double as the index of the symbol's input group.
enum Symbol : std::size_t { zero = 0, one = 1, store = 2, recall = 3 };
constexpr std::size_t symbol_count = 4;
// A sequence the rules reject is drawn again; this many failures mean the
// parameters make a valid sequence (nearly) impossible.
constexpr int max_sequence_draws = 1000000;

bool is_bit(Symbol symbol) { return symbol == zero || symbol == one; }

// The rules of a usable sequence: at least one bit, store and recall; stores
// and recalls alternate, starting with a store and ending with a recall; the
// character after a store is a bit (the value stored).
bool is_valid(const std::vector<Symbol>& sequence) {
  bool has_bit = false;
  bool has_store = false;
  Symbol last_command = recall;  // so that a recall before any store is rejected
  for (std::size_t i = 0; i < sequence.size(); ++i) {
    const Symbol symbol = sequence[i];
    if (is_bit(symbol)) {
      has_bit = true;
      continue;
    }
    if (symbol == last_command) return false;
    if (symbol == store && (i + 1 == sequence.size() || !is_bit(sequence[i + 1]))) return false;
    has_store = has_store || symbol == store;
    last_command = symbol;
  }
  return has_bit && has_store && last_command == recall;
}

class StoreRecallTask final : public GradientTask {
 public:
  StoreRecallTask(const GradientTaskSpec& spec, double dt)
      : characters_(spec.characters),
        character_steps_(duration_steps("character_duration", spec.character_duration, dt)),
        group_size_(spec.inputs_per_symbol),
        spike_probability_(spike_probability("input_rate", spec.input_rate, dt)),
        command_probability_(1.0 / (1.0 + spec.store_delay)) {
    // STORE, bit, RECALL is the shortest valid sequence.
    if (characters_ < 3)
      throw InputError(
          fmt::format("protocol.task.characters: expected at least 3 (STORE, bit, RECALL), got {}", characters_));
    if (group_size_ == 0) throw InputError("protocol.task.inputs_per_symbol: expected at least 1");
    // store_delay = 0 makes every character a command, which is never valid.
    if (!(spec.store_delay > 0.0) || !std::isfinite(spec.store_delay))
      throw InputError(
          fmt::format("protocol.task.store_delay: expected a finite number > 0, got {}", spec.store_delay));
  }

  std::size_t inputs() const override { return symbol_count * group_size_; }
  std::size_t classes() const override { return 2; }
  std::size_t steps() const override { return characters_ * character_steps_; }

  void fill_trial(std::uint64_t seed, TrialSet set, std::uint64_t trial, GradientTrial& result) const override {
    RandomStream random = trial_stream(seed, set, trial);
    const std::vector<Symbol> sequence = draw_sequence(random);
    const std::vector<std::vector<Symbol>> shown = shown_groups(sequence, random);
    reset_trial(result, steps(), inputs());
    for (std::size_t c = 0; c < characters_; ++c)
      for (Symbol group : shown[c])
        add_poisson_spikes(
            result, random, spike_probability_,
            {c * character_steps_, (c + 1) * character_steps_, group * group_size_, (group + 1) * group_size_});
    result.windows = recall_windows(sequence);
  }

 private:
  // Per character: after a RECALL (and at the start) a STORE comes with
  // probability p, after a STORE a RECALL; otherwise a random bit. Drawn
  // again, from the same stream, until the sequence is valid.
  std::vector<Symbol> draw_sequence(RandomStream& random) const {
    std::vector<Symbol> sequence(characters_);
    for (int draw = 0; draw < max_sequence_draws; ++draw) {
      Symbol last_command = recall;
      for (Symbol& symbol : sequence) {
        if (random.uniform() < command_probability_) {
          symbol = last_command == recall ? store : recall;
          last_command = symbol;
        } else {
          symbol = random.uniform() < 0.5 ? zero : one;
        }
      }
      if (is_valid(sequence)) return sequence;
    }
    throw InputError(
        fmt::format("protocol.task.store_delay: no valid store-recall sequence of {} characters in {} draws (p = {})",
                    characters_, max_sequence_draws, command_probability_));
  }

  // The groups that fire during each character. A STORE shows the stored
  // value with it (the next character's bit); the bit character after it then
  // shows the opposite bit with probability 1/2, a distractor, so that the
  // value must be taken from the STORE character.
  static std::vector<std::vector<Symbol>> shown_groups(const std::vector<Symbol>& sequence, RandomStream& random) {
    std::vector<std::vector<Symbol>> shown(sequence.size());
    for (std::size_t c = 0; c < sequence.size(); ++c) shown[c] = {sequence[c]};
    for (std::size_t c = 0; c < sequence.size(); ++c) {
      if (sequence[c] != store) continue;
      const Symbol value = sequence[c + 1];  // is_valid: a bit follows every store
      shown[c].push_back(value);
      if (random.uniform() < 0.5) shown[c + 1] = {value == zero ? one : zero};
    }
    return shown;
  }

  // One window per RECALL character, on the logits averaged over it.
  std::vector<ClassWindow> recall_windows(const std::vector<Symbol>& sequence) const {
    std::vector<ClassWindow> windows;
    std::size_t stored = 0;
    for (std::size_t c = 0; c < sequence.size(); ++c) {
      if (sequence[c] == store) stored = sequence[c + 1];
      if (sequence[c] == recall)
        windows.push_back({c * character_steps_, (c + 1) * character_steps_, stored, /*averaged=*/true});
    }
    return windows;
  }

  std::size_t characters_;
  std::size_t character_steps_;
  std::size_t group_size_;
  double spike_probability_;
  double command_probability_;
};

}  // namespace

std::unique_ptr<GradientTask> make_store_recall_task(const GradientTaskSpec& spec, double dt) {
  return std::make_unique<StoreRecallTask>(spec, dt);
}

}  // namespace rsnn::detail
