// Per-neuron recursive least squares on plastic recurrent weights.
//
// Neuron i regresses its plastic weights w_i (length K_i) on the filtered
// rates x = r[pre_i] of its plastic inputs. At each learning sample:
//
//   current targets (learning.quantity = "current"):
//     e   = u_E,i + u_I,i + w_i . x - f_i          a-priori error of the
//                                                   recurrent current
//     z   = x                                       regressor
//   rate targets (learning.quantity = "rate", Kim & Chow Eqs. 15-19):
//     v   = u_E,i + u_I,i + w_i . x + b_i           total input (bias b_i)
//     e   = phi(v) - f_i,  z = phi'(v) x            linearised regressor;
//     skipped when v <= 0 (only suprathreshold neurons learn)
//
//   k = P_i z,  c = 1 / (1 + z^T k),  P_i <- P_i - c k k^T
//   w_i <- w_i - e c k          (weight_update = "textbook": = -e P_i,new z)
//   w_i <- w_i - e k            (weight_update = "unscaled": TrainSpikingNet
//                                master's step, larger by 1 + z^T P z)
//   u_plastic,i += (dw) . x     keeps u_plastic = w . r exact
//
// P_i(0) = (lambda I + penmu S)^-1 (S_ab = 1 for same-sign inputs a, b).
// P is never reset: the regression accumulates over all loops.
//
// Dale's law (learning.dale = true): a step that would give weight a the
// opposite sign of its presynaptic neuron's type is rejected for that weight,
// the synapse is frozen, and P_i is conditioned on w_a being fixed
// (P <- P - P e_a e_a^T P / P_aa), which is exactly RLS over the remaining
// inputs from then on.
//
// Block updates (learning.block_size = b > 1, textbook step only): each sample
// stores z and the a-priori error e (taken with the weights from before the
// block); at every b-th sample the b steps are applied at once through the
// Woodbury identity, w <- w - Z e with Z = P_new [z_1 .. z_b] (see
// rls_kernel.hpp), reading P once instead of b times. Between blocks the
// weights, and so the network, stay at their old values: that is the change
// in dynamics, measured in bench/README.md. Samples a neuron skips (rate
// targets below threshold) are left out of its block.
//
// All P_i live in one rls::PackedArena (packed upper triangles; float64,
// float32 or float16 storage). A learner of neurons [first, last) (one rank's
// share) keeps only theirs: the others' regressions have no inputs here.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include "rsnn/error.hpp"
#include "rsnn/hdf5_file.hpp"
#include "rsnn/learner.hpp"
#include "rsnn/packed_arena.hpp"
#include "rsnn/ranks.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rsnn {
namespace {

template <class Real>
class RlsLearner final : public Learner {
 public:
  RlsLearner(const ExperimentSpec& spec, const Network& net, std::size_t first, std::size_t last)
      : quantity_(spec.learning.quantity),
        update_(spec.learning.weight_update),
        dale_(spec.learning.dale),
        block_(spec.learning.block_size),
        first_(std::min(first, net.neuron_count)),
        last_(std::clamp(last, first_, net.neuron_count)) {
    const auto& plastic = net.plastic;
    const std::size_t n = net.neuron_count;
    all_inputs_.resize(n);
    std::vector<std::size_t> inputs(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      all_inputs_[i] = plastic.inputs_of(i);
      if (i < first_ || i >= last_) continue;
      inputs[i] = all_inputs_[i];
      max_inputs_ = std::max(max_inputs_, inputs[i]);
    }
    if (dale_) {
      for (std::size_t s = 0; s < plastic.synapse_count(); ++s)
        if (plastic.sign[s] * plastic.weight[s] < 0.0)
          throw InputError(fmt::format(
              "learning.dale: initial plastic weight {} of synapse {} -> {} has the wrong sign for its presynaptic "
              "population; with Dale's law use plastic.init = \"by_sign\" or \"zero\"",
              plastic.weight[s], plastic.pre[s],
              std::upper_bound(plastic.row_offsets.begin(), plastic.row_offsets.end(), s) -
                  plastic.row_offsets.begin() - 1));
    }
    scale_ = rls::storage_scale<Real>(spec.learning.lambda);
    p_ = rls::PackedArena<Real>(inputs, scale_);
    if (block_ > 1) {
      block_regressors_.assign(plastic.synapse_count() * block_, 0.0);
      block_errors_.assign(n * block_, 0.0);
      block_filled_.assign(n, 0);
    }
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t i = first_; i < last_; ++i)
      p_.initialize(i, spec.learning.lambda, spec.learning.penmu, plastic.sign.data() + plastic.row_offsets[i]);
  }

  std::string name() const override { return "rls"; }

  std::size_t memory_bytes() const override { return p_.memory_bytes(); }

  void update(Network& net, const float* target) override {
#ifdef _OPENMP
    if (omp_in_parallel()) {  // called by every thread of the engine's region
      update_shared(net, target);
      return;
    }
#endif
#pragma omp parallel if (net.neuron_count >= parallel_neuron_threshold)
    update_shared(net, target);
  }

  // The update with its neurons shared over the calling team (an orphaned
  // work-sharing loop: every thread of the team must call it).
  void update_shared(Network& net, const float* target) {
    PlasticSynapses& plastic = net.plastic;
    const bool block_ends = (samples_seen_ + 1) % block_ == 0;
    {
      std::vector<double> rates(max_inputs_), regressor(max_inputs_), gain(max_inputs_ * block_);
      std::vector<std::size_t> newly_frozen;
#pragma omp for schedule(dynamic, 32)
      for (std::size_t i = first_; i < last_; ++i) {
        const std::size_t k = plastic.inputs_of(i);
        if (k == 0) continue;
        const std::size_t begin = plastic.row_offsets[i];
        double* w = plastic.weight.data() + begin;
        double prediction = 0.0;
        for (std::size_t a = 0; a < k; ++a) {
          rates[a] = net.rate_filter[plastic.pre[begin + a]];
          prediction += w[a] * rates[a];
        }
        const double recurrent = net.static_current(i) + prediction;
        double error = 0.0;
        const double* z = rates.data();
        if (quantity_ == LearnedQuantity::current) {
          error = recurrent - target[i];
        } else {
          const double input = recurrent + net.bias[i];
          if (input <= 0.0) {
            if (block_ > 1 && block_ends) apply_block(net, i, rates.data(), gain.data());
            continue;
          }
          const NeuronGroup& group = *net.population_of_neuron(i).neurons;
          error = group.rate(input) - target[i];
          const double slope = group.rate_derivative(input);
          for (std::size_t a = 0; a < k; ++a) regressor[a] = slope * rates[a];
          z = regressor.data();
        }
        if (block_ > 1) {
          const std::size_t t = block_filled_[i]++;
          std::copy(z, z + k, block_regressors_.begin() + static_cast<std::ptrdiff_t>(begin * block_ + t * k));
          block_errors_[i * block_ + t] = error;
          if (block_ends) apply_block(net, i, rates.data(), gain.data());
          continue;
        }
        const double c = p_.step(i, z, gain.data());
        const double step = update_ == WeightUpdate::textbook ? error * c : error;
        double current_change = 0.0;
        newly_frozen.clear();
        for (std::size_t a = 0; a < k; ++a) {
          double dw = -step * gain[a];
          if (plastic.frozen[begin + a]) {
            dw = 0.0;  // frozen by Dale's law (then gain[a] is 0 anyway) or by a lesion
          } else if (dale_ && plastic.sign[begin + a] * (w[a] + dw) < 0.0) {
            plastic.frozen[begin + a] = 1;
            newly_frozen.push_back(a);
            dw = 0.0;
          }
          w[a] += dw;
          current_change += dw * rates[a];
        }
        for (std::size_t a : newly_frozen) p_.fix_input(i, a);
        net.u_plastic[i] += current_change;
      }
    }
#pragma omp single
    ++samples_seen_;
  }

  // Applies neuron i's block of stored steps (if any): P through the
  // Woodbury identity, then w <- w - Z e; `rates` are the current filtered
  // rates of its inputs (u_plastic follows the weight change at them).
  void apply_block(Network& net, std::size_t i, const double* rates, double* gain) {
    PlasticSynapses& plastic = net.plastic;
    const std::size_t count = block_filled_[i];
    block_filled_[i] = 0;
    const std::size_t k = plastic.inputs_of(i);
    if (count == 0 || k == 0) return;
    const std::size_t begin = plastic.row_offsets[i];
    if (!p_.block_step(i, block_regressors_.data() + begin * block_, count, gain)) {
      // P lost definiteness: report it the way other divergences are (the
      // engine checks the currents after each training trial).
      net.u_plastic[i] = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    const double* errors = block_errors_.data() + i * block_;
    double* w = plastic.weight.data() + begin;
    double current_change = 0.0;
    for (std::size_t a = 0; a < k; ++a) {
      if (plastic.frozen[begin + a]) continue;  // lesioned
      double dw = 0.0;
      for (std::size_t t = 0; t < count; ++t) dw -= gain[a * count + t] * errors[t];
      w[a] += dw;
      current_change += dw * rates[a];
    }
    net.u_plastic[i] += current_change;
  }

  void save(h5::File& file, const std::string& group) const override { p_.save(file, group); }
  void load(const h5::File& file, const std::string& group) override {
    std::uint64_t before = 0, whole = 0;  // this learner's values within the whole network's
    for (std::size_t i = 0; i < all_inputs_.size(); ++i) {
      if (i < first_) before += rls::packed_size(all_inputs_[i]);
      whole += rls::packed_size(all_inputs_[i]);
    }
    p_.load_part(file, group, before, whole);
  }

  std::unique_ptr<Learner> gathered() const override {
    const std::span<const Real> mine = p_.values();
    const std::vector<std::byte> all = ranks::gather_to_root(std::as_bytes(mine));
    if (!ranks::is_root()) return nullptr;
    auto whole = std::make_unique<RlsLearner>(*this);
    whole->first_ = 0;
    whole->last_ = all_inputs_.size();
    whole->p_ = rls::PackedArena<Real>(all_inputs_, scale_);
    const std::span<Real> values = whole->p_.mutable_values();
    if (all.size() != values.size_bytes())
      throw std::logic_error("RlsLearner::gathered: the ranks' P matrices do not make the whole network's");
    std::memcpy(values.data(), all.data(), all.size());
    return whole;
  }

  std::vector<double> inverse_correlation(std::size_t neuron) const override {
    if (neuron >= p_.count())
      throw InputError(fmt::format("neuron {} is out of range (the network has {} neurons)", neuron, p_.count()));
    return p_.unpacked(neuron);
  }

 private:
  LearnedQuantity quantity_;
  WeightUpdate update_;
  bool dale_;
  std::size_t block_;                        // steps per block (1: no blocks)
  std::size_t samples_seen_ = 0;             // learning samples so far (blocks end at multiples of block_)
  std::vector<double> block_regressors_;     // neuron i's block at row_offsets[i] * block_: [step][input]
  std::vector<double> block_errors_;         // [neuron][step in block]
  std::vector<std::uint32_t> block_filled_;  // steps stored per neuron
  std::size_t first_, last_;                 // the neurons trained here
  std::vector<std::size_t> all_inputs_;      // plastic inputs of every neuron of the network
  double scale_ = 1.0;                       // P's storage scale (half precision)
  rls::PackedArena<Real> p_;
  std::size_t max_inputs_ = 0;
};

}  // namespace

std::unique_ptr<Learner> make_rls_learner(const ExperimentSpec& spec, const Network& net, std::size_t first,
                                          std::size_t last) {
  if (spec.learning.quantity == LearnedQuantity::rate) {
    for (const auto& pop : net.populations)
      if (!pop.neurons->has_rate_function())
        throw InputError(
            fmt::format("learning.quantity: \"rate\" needs neuron models with a rate function; "
                        "population '{}' has none",
                        pop.name));
  }
  if (spec.learning.precision == Precision::float32) return std::make_unique<RlsLearner<float>>(spec, net, first, last);
  if (spec.learning.precision == Precision::float16)
    return std::make_unique<RlsLearner<_Float16>>(spec, net, first, last);
  return std::make_unique<RlsLearner<double>>(spec, net, first, last);
}

}  // namespace rsnn
