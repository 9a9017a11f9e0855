// Lowering: ExperimentSpec -> Network. Every random choice is drawn from a
// stream keyed by the neuron it belongs to, so connectivity does not depend on
// the thread count or on the order of construction.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "rsnn/error.hpp"
#include "rsnn/network.hpp"
#include "rsnn/random.hpp"
#include "rsnn/synaptic_filter.hpp"

namespace rsnn {
namespace {

std::size_t population_index(const ExperimentSpec& spec, const std::string& name) {
  for (std::size_t p = 0; p < spec.populations.size(); ++p)
    if (spec.populations[p].name == name) return p;
  throw InputError(fmt::format("unknown population '{}'", name));
}

// `count` distinct values from [0, n) without `excluded` (pass n for none),
// ascending. Floyd's algorithm: O(count) draws.
std::vector<std::uint32_t> sample_distinct(RandomStream& stream, std::size_t n, std::size_t count,
                                           std::size_t excluded) {
  const std::size_t pool = excluded < n ? n - 1 : n;
  std::unordered_set<std::size_t> chosen;
  chosen.reserve(count * 2);
  for (std::size_t j = pool - count; j < pool; ++j) {
    const std::size_t t = stream.below(j + 1);
    chosen.insert(chosen.count(t) ? j : t);
  }
  std::vector<std::uint32_t> values;
  values.reserve(count);
  // Map [0, pool) onto [0, n) skipping the excluded value.
  for (std::size_t v : chosen) values.push_back(static_cast<std::uint32_t>(excluded < n && v >= excluded ? v + 1 : v));
  std::sort(values.begin(), values.end());
  return values;
}

// Bernoulli(p) selection over [0, n) by geometric skipping: O(p n) draws.
std::vector<std::uint32_t> sample_bernoulli(RandomStream& stream, std::size_t n, double p, std::size_t excluded) {
  std::vector<std::uint32_t> values;
  if (p <= 0.0) return values;
  if (p >= 1.0) {
    for (std::size_t v = 0; v < n; ++v)
      if (v != excluded) values.push_back(static_cast<std::uint32_t>(v));
    return values;
  }
  const double log_q = std::log1p(-p);
  double position = -1.0;
  while (true) {
    const double gap = std::floor(std::log(1.0 - stream.uniform()) / log_q);
    position += gap + 1.0;
    if (position >= static_cast<double>(n)) break;
    const auto v = static_cast<std::size_t>(position);
    if (v != excluded) values.push_back(static_cast<std::uint32_t>(v));
  }
  return values;
}

// Nicola & Clopath's Omega on a Bernoulli mask: per presynaptic neuron one
// stream, one uniform per candidate target and, for each accepted one, its
// weight (experiment.hpp, StaticWeights::normal).
void build_normal_weights(const ExperimentSpec& spec, std::size_t index, const Population& pre, const Population& post,
                          StaticProjection& proj) {
  const auto& proj_spec = spec.static_projections[index];
  const bool same = &pre == &post;
  const double scale = proj_spec.gain / (proj_spec.probability * std::sqrt(static_cast<double>(pre.size)));
  std::vector<std::vector<std::uint32_t>> rows(pre.size);
  std::vector<std::vector<double>> row_weights(pre.size);
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t local = 0; local < pre.size; ++local) {
    RandomStream stream(spec.seed, Purpose::recurrent_weights, pre.first + local, static_cast<std::uint32_t>(index));
    for (std::size_t i = 0; i < post.size; ++i) {
      if (!(stream.uniform() < proj_spec.probability)) continue;
      const double w = scale * stream.normal();
      if (same && !proj_spec.autapses && i == local) continue;
      rows[local].push_back(static_cast<std::uint32_t>(post.first + i));
      row_weights[local].push_back(w);
    }
  }
  proj.row_offsets.assign(pre.size + 1, 0);
  for (std::size_t local = 0; local < pre.size; ++local)
    proj.row_offsets[local + 1] = proj.row_offsets[local] + rows[local].size();
  proj.targets.reserve(proj.row_offsets.back());
  proj.weights.reserve(proj.row_offsets.back());
  for (std::size_t local = 0; local < pre.size; ++local) {
    proj.targets.insert(proj.targets.end(), rows[local].begin(), rows[local].end());
    proj.weights.insert(proj.weights.end(), row_weights[local].begin(), row_weights[local].end());
  }
  if (!proj_spec.zero_row_mean) return;
  std::vector<double> row_sum(post.size, 0.0);
  std::vector<std::size_t> row_count(post.size, 0);
  for (std::size_t s = 0; s < proj.targets.size(); ++s) {
    row_sum[proj.targets[s] - post.first] += proj.weights[s];
    ++row_count[proj.targets[s] - post.first];
  }
  for (std::size_t s = 0; s < proj.targets.size(); ++s) {
    const std::size_t row = proj.targets[s] - post.first;
    proj.weights[s] -= row_sum[row] / static_cast<double>(row_count[row]);
  }
}

// The pathway a projection feeds: the named one, or E/I by presynaptic type.
std::size_t pathway_index(const Network& net, const std::string& name, CellType pre_type) {
  if (name.empty()) return pre_type == CellType::excitatory ? excitatory_pathway : inhibitory_pathway;
  for (std::size_t p = 0; p < net.pathways.size(); ++p)
    if (net.pathways[p].name == name) return p;
  throw InputError(fmt::format("unknown pathway '{}'", name));
}

StaticProjection build_static(const ExperimentSpec& spec, const Network& net, std::size_t index) {
  const auto& proj_spec = spec.static_projections[index];
  StaticProjection proj;
  proj.pre_population = population_index(spec, proj_spec.pre);
  proj.post_population = population_index(spec, proj_spec.post);
  const Population& pre = net.populations[proj.pre_population];
  const Population& post = net.populations[proj.post_population];
  proj.pathway = pathway_index(net, proj_spec.pathway, pre.type);
  proj.weight = proj_spec.per_presynaptic_neuron ? proj_spec.weight / static_cast<double>(pre.size) : proj_spec.weight;
  const bool same = proj.pre_population == proj.post_population;

  // Fixed out-degree: every row has the same length, so rows are written
  // straight into the final array (no per-row temporaries: at 10^9 synapses
  // those would double the memory while building).
  if (proj_spec.rule == StaticRule::fixed_outdegree) {
    const std::size_t degree = proj_spec.outdegree;
    proj.row_offsets.resize(pre.size + 1);
    for (std::size_t local = 0; local <= pre.size; ++local) proj.row_offsets[local] = local * degree;
    proj.targets.resize(pre.size * degree);
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t local = 0; local < pre.size; ++local) {
      RandomStream stream(spec.seed, Purpose::static_connectivity, pre.first + local,
                          static_cast<std::uint32_t>(index));
      const std::size_t excluded = (same && !proj_spec.autapses) ? local : post.size;
      const auto chosen = sample_distinct(stream, post.size, degree, excluded);
      for (std::size_t a = 0; a < degree; ++a)
        proj.targets[local * degree + a] = chosen[a] + static_cast<std::uint32_t>(post.first);
    }
    return proj;
  }
  if (proj_spec.weights == StaticWeights::normal) {
    build_normal_weights(spec, index, pre, post, proj);
    return proj;
  }
  std::vector<std::vector<std::uint32_t>> rows(pre.size);
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t local = 0; local < pre.size; ++local) {
    RandomStream stream(spec.seed, Purpose::static_connectivity, pre.first + local, static_cast<std::uint32_t>(index));
    const std::size_t excluded = (same && !proj_spec.autapses) ? local : post.size;
    auto chosen = sample_bernoulli(stream, post.size, proj_spec.probability, excluded);
    for (auto& v : chosen) v += static_cast<std::uint32_t>(post.first);
    rows[local] = std::move(chosen);
  }
  proj.row_offsets.assign(pre.size + 1, 0);
  for (std::size_t local = 0; local < pre.size; ++local)
    proj.row_offsets[local + 1] = proj.row_offsets[local] + rows[local].size();
  proj.targets.reserve(proj.row_offsets.back());
  for (auto& row : rows) proj.targets.insert(proj.targets.end(), row.begin(), row.end());
  return proj;
}

void build_plastic(const ExperimentSpec& spec, Network& net) {
  const auto& plastic_spec = spec.plastic;
  PlasticSynapses& plastic = net.plastic;
  const std::size_t n = net.neuron_count;
  plastic.row_offsets.assign(n + 1, 0);
  if (plastic_spec.rule == PlasticRule::none) {
    plastic.build_outgoing_index(n);
    return;
  }
  std::vector<std::vector<std::uint32_t>> rows(n);
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t i = 0; i < n; ++i) {
    RandomStream stream(spec.seed, Purpose::plastic_connectivity, i);
    const std::size_t excluded = plastic_spec.autapses ? n : i;
    if (plastic_spec.rule == PlasticRule::bernoulli) {
      rows[i] = sample_bernoulli(stream, n, plastic_spec.probability, excluded);
    } else {
      for (const auto& pop : net.populations) {
        const auto found = plastic_spec.inputs_from.find(pop.name);
        if (found == plastic_spec.inputs_from.end() || found->second == 0) continue;
        const bool contains_self = i >= pop.first && i < pop.first + pop.size;
        const std::size_t local_excluded = (contains_self && !plastic_spec.autapses) ? i - pop.first : pop.size;
        const std::size_t available = pop.size - (local_excluded < pop.size ? 1 : 0);
        auto chosen = sample_distinct(stream, pop.size, std::min(found->second, available), local_excluded);
        for (auto v : chosen) rows[i].push_back(static_cast<std::uint32_t>(v + pop.first));
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) plastic.row_offsets[i + 1] = plastic.row_offsets[i] + rows[i].size();
  const std::size_t total = plastic.row_offsets.back();
  plastic.pre.resize(total);
  plastic.weight.assign(total, 0.0);
  plastic.sign.resize(total);
  plastic.frozen.assign(total, 0);
  const double mean_inputs = n > 0 ? static_cast<double>(total) / static_cast<double>(n) : 0.0;
  const double normal_std = mean_inputs > 0 ? plastic_spec.gain / std::sqrt(mean_inputs) : 0.0;

#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t begin = plastic.row_offsets[i];
    RandomStream stream(spec.seed, Purpose::initial_weights, i);
    double row_sum = 0.0;
    for (std::size_t a = 0; a < rows[i].size(); ++a) {
      const std::uint32_t j = rows[i][a];
      const bool excitatory = net.population_of_neuron(j).type == CellType::excitatory;
      plastic.pre[begin + a] = j;
      plastic.sign[begin + a] = excitatory ? 1 : -1;
      double w = 0.0;
      switch (plastic_spec.init) {
        case PlasticInit::zero:
          break;
        case PlasticInit::normal:
          w = normal_std * stream.normal();
          break;
        case PlasticInit::by_sign:
          w = excitatory ? plastic_spec.weight_excitatory : plastic_spec.weight_inhibitory;
          break;
      }
      plastic.weight[begin + a] = w;
      row_sum += w;
    }
    if (plastic_spec.init == PlasticInit::normal && plastic_spec.zero_row_mean && !rows[i].empty()) {
      const double mean = row_sum / static_cast<double>(rows[i].size());
      for (std::size_t a = 0; a < rows[i].size(); ++a) plastic.weight[begin + a] -= mean;
    }
  }
  plastic.initial_weight = plastic.weight;
  plastic.build_outgoing_index(n);
}

// Whether every row of `proj` is the whole of `post`, in order.
void mark_dense(StaticProjection& proj, const Population& post) {
  proj.dense = false;
  for (std::size_t local = 0; local + 1 < proj.row_offsets.size(); ++local) {
    if (proj.row_offsets[local + 1] - proj.row_offsets[local] != post.size) return;
    for (std::size_t a = 0; a < post.size; ++a)
      if (proj.targets[proj.row_offsets[local] + a] != post.first + a) return;
  }
  proj.dense = proj.row_offsets.size() > 1;
}

// The static pathways: excitatory and inhibitory (synapses.tau_*), then the
// experiment's named ones (their state arrays are allocated later).
void build_pathways(const ExperimentSpec& spec, Network& net) {
  const SynapseSpec& syn = spec.synapses;
  const auto add = [&](std::string name, SynapticFilter filter, bool double_exponential) {
    Pathway& pathway = net.pathways.emplace_back();
    pathway.name = std::move(name);
    pathway.filter = filter;
    pathway.double_exponential = double_exponential;
  };
  add("excitatory", SynapticFilter(syn.tau_rise, syn.tau_excitatory, spec.dt, syn.kernel_scale), syn.tau_rise > 0.0);
  add("inhibitory", SynapticFilter(syn.tau_rise, syn.tau_inhibitory, spec.dt, syn.kernel_scale), syn.tau_rise > 0.0);
  for (const PathwaySpec& named : spec.pathways) {
    const bool peak = named.normalization == JumpNormalization::peak;
    add(named.name,
        peak ? SynapticFilter::peak_normalized(named.tau_decay, spec.dt, syn.kernel_scale)
             : SynapticFilter(named.tau_rise, named.tau_decay, spec.dt, syn.kernel_scale),
        named.tau_rise > 0.0);
  }
}

}  // namespace

void PlasticSynapses::build_outgoing_index(std::size_t neuron_count) {
  out_offsets.assign(neuron_count + 1, 0);
  for (std::uint32_t j : pre) ++out_offsets[j + 1];
  for (std::size_t j = 0; j < neuron_count; ++j) out_offsets[j + 1] += out_offsets[j];
  out_post.resize(pre.size());
  out_slot.resize(pre.size());
  std::vector<std::uint64_t> fill(out_offsets.begin(), out_offsets.end() - 1);
  // Walking postsynaptic neurons in ascending order keeps each row sorted.
  for (std::size_t i = 0; i + 1 < row_offsets.size(); ++i) {
    for (std::uint64_t slot = row_offsets[i]; slot < row_offsets[i + 1]; ++slot) {
      const std::uint64_t at = fill[pre[slot]]++;
      out_post[at] = static_cast<std::uint32_t>(i);
      out_slot[at] = slot;
    }
  }
}

namespace {

// Network::synaptic_state for a network or a read-only one.
template <class Net>
auto named_synaptic_state(Net& net) {
  using Named = std::pair<std::string, decltype(&net.u_plastic)>;
  std::vector<Named> arrays;
  for (auto& pathway : net.pathways) arrays.emplace_back("u_" + pathway.name, &pathway.current);
  arrays.emplace_back("u_plastic", &net.u_plastic);
  arrays.emplace_back("rate_filter", &net.rate_filter);
  for (auto& pathway : net.pathways) arrays.emplace_back("rise_" + pathway.name, &pathway.rise);
  arrays.emplace_back("rise_plastic", &net.rise_plastic);
  arrays.emplace_back("rise_rate", &net.rise_rate);
  return arrays;
}

}  // namespace

std::vector<Network::NamedArray> Network::synaptic_state() { return named_synaptic_state(*this); }
std::vector<Network::ConstNamedArray> Network::synaptic_state() const { return named_synaptic_state(*this); }

void Network::clear_synapses() {
  for (const auto& [name, values] : synaptic_state()) std::fill(values->begin(), values->end(), 0.0);
  pending_spikes.clear();
}

namespace {
double* rise_at(std::vector<double>& rise, std::size_t lo) { return rise.empty() ? nullptr : rise.data() + lo; }
}  // namespace

void Network::decay_synapses(std::size_t lo, std::size_t hi) {
  if (graded) return;
  const std::size_t count = hi - lo;
  for (Pathway& pathway : pathways)
    if (pathway.fed) pathway.filter.decay(pathway.current.data() + lo, rise_at(pathway.rise, lo), count);
  if (feeds_plastic) filter_plastic.decay(u_plastic.data() + lo, rise_at(rise_plastic, lo), count);
  filter_plastic.decay(rate_filter.data() + lo, rise_at(rise_rate, lo), count);
}

void update_graded_output(Network& net, std::size_t lo, std::size_t hi) {
  for (const Population& pop : net.populations) {
    const std::size_t begin = std::max(lo, pop.first), end = std::min(hi, pop.first + pop.size);
    if (begin < end) pop.neurons->output(begin - pop.first, end - pop.first, net.rate_filter.data() + pop.first);
  }
}

void recompute_plastic_current(Network& net, std::size_t lo, std::size_t hi) {
  const PlasticSynapses& plastic = net.plastic;
  for (std::size_t i = lo; i < hi; ++i) {
    double drive = 0.0;
    for (std::uint64_t s = plastic.row_offsets[i]; s < plastic.row_offsets[i + 1]; ++s)
      drive += plastic.weight[s] * net.rate_filter[plastic.pre[s]];
    net.u_plastic[i] = drive;
  }
}

Network build_network(const ExperimentSpec& spec) {
  Network net;
  net.dt = spec.dt;
  net.neuron_count = spec.neuron_count();
  const std::size_t n = net.neuron_count;
  net.bias.resize(n);
  net.population_of.resize(n);
  std::size_t first = 0;
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    const auto& pop_spec = spec.populations[p];
    Population pop;
    pop.name = pop_spec.name;
    pop.first = first;
    pop.size = pop_spec.size;
    pop.type = pop_spec.type;
    pop.neurons = neuron_model(pop_spec.model).create(pop_spec.size, pop_spec.parameters, spec.dt);
    for (std::size_t i = first; i < first + pop.size; ++i) {
      net.bias[i] = pop_spec.bias;
      net.population_of[i] = static_cast<std::uint32_t>(p);
    }
    first += pop.size;
    net.populations.push_back(std::move(pop));
  }
  build_pathways(spec, net);
  net.projections_from.resize(net.populations.size());
  for (std::size_t s = 0; s < spec.static_projections.size(); ++s) {
    net.static_projections.push_back(build_static(spec, net, s));
    mark_dense(net.static_projections.back(), net.populations[net.static_projections.back().post_population]);
    net.projections_from[net.static_projections.back().pre_population].push_back(s);
  }
  build_plastic(spec, net);
  for (const StaticProjection& proj : net.static_projections) net.pathways[proj.pathway].fed = true;
  net.feeds_plastic = net.plastic.synapse_count() > 0;
  std::size_t graded = 0;
  for (const Population& pop : net.populations) graded += pop.neurons->graded() ? 1 : 0;
  if (graded > 0 && graded < net.populations.size())
    throw InputError("population: graded units (tanh_rate) and spiking neurons cannot share a network");
  if (graded > 0 && !net.static_projections.empty())
    throw InputError(
        "static: a network of graded units (tanh_rate) has no static projections; its recurrent input "
        "is the plastic one, u = W r");
  net.graded = graded > 0;
  if (net.graded) net.feeds_plastic = false;  // u_plastic is recomputed as W r, not decayed

  // The per-neuron state, allocated last and together.
  for (Pathway& pathway : net.pathways) {
    pathway.current.assign(n, 0.0);
    if (pathway.double_exponential) pathway.rise.assign(n, 0.0);
  }
  net.u_plastic.assign(n, 0.0);
  net.rate_filter.assign(n, 0.0);
  const auto& syn = spec.synapses;
  if (syn.tau_rise > 0.0 && spec.plastic.rule != PlasticRule::none)
    throw InputError(
        "synapses.tau_rise: plastic synapses need exponential filters (tau_rise = 0); the learner keeps "
        "u_plastic = w . r, which a rise variable would break");
  net.filter_plastic = SynapticFilter(syn.tau_rise, syn.tau_plastic, spec.dt, syn.kernel_scale);
  if (syn.tau_rise > 0.0)
    for (auto* rise : {&net.rise_plastic, &net.rise_rate}) rise->assign(n, 0.0);
  return net;
}

}  // namespace rsnn
