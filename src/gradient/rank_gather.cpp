#include "gradient/rank_gather.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <utility>

#include "rsnn/ranks.hpp"

namespace rsnn::gradient_ranks {
namespace {

// The numbers travel as doubles: the counts (terms, windows, errors, the
// length of a block) are far below 2^53, so they convert exactly.
void put_score(const TrialScore& score, std::vector<double>& out) {
  out.insert(out.end(), {score.loss, double(score.terms), score.squared_error, score.target_power,
                         double(score.windows), double(score.errors), double(score.spike_counts.size())});
  out.insert(out.end(), score.spike_counts.begin(), score.spike_counts.end());
}

void put_parameters(const GradientParameters& parameters, std::vector<double>& out) {
  out.insert(out.end(), {double(parameters.neurons), double(parameters.inputs), double(parameters.outputs)});
  for (const std::span<const double> block : parameters.blocks()) {  // input, recurrent, output, output bias, bias
    out.push_back(double(block.size()));
    out.insert(out.end(), block.begin(), block.end());
  }
}

// Reads what put_* wrote, moving `at` past it.
class Reader {
 public:
  explicit Reader(const std::vector<double>& numbers) : at_(numbers.data()), end_(numbers.data() + numbers.size()) {}
  bool done() const { return at_ == end_; }
  double next() {
    if (at_ == end_) throw std::logic_error("gradient_ranks: a gathered batch ended early");
    return *at_++;
  }
  std::size_t count() { return static_cast<std::size_t>(next()); }
  std::vector<double> values(std::size_t n) {
    if (static_cast<std::size_t>(end_ - at_) < n) throw std::logic_error("gradient_ranks: a gathered block is short");
    std::vector<double> out(at_, at_ + n);
    at_ += n;
    return out;
  }
  TrialScore score() {
    TrialScore s;
    s.loss = next();
    s.terms = count();
    s.squared_error = next();
    s.target_power = next();
    s.windows = count();
    s.errors = count();
    s.spike_counts = values(count());
    return s;
  }
  GradientParameters parameters() {
    GradientParameters p;
    p.neurons = count();
    p.inputs = count();
    p.outputs = count();
    for (std::vector<double>* block : {&p.input, &p.recurrent, &p.output, &p.output_bias, &p.bias})
      *block = values(count());
    return p;
  }

 private:
  const double* at_;
  const double* end_;
};

template <class Piece, class Put, class Read>
std::vector<Piece> gather_pieces(std::vector<Piece> mine, std::size_t pieces, Put put, Read read) {
  if (ranks::count() == 1) return mine;
  std::vector<double> numbers;
  for (const Piece& piece : mine) put(piece, numbers);
  const std::vector<double> all = ranks::all_gather(numbers);
  Reader reader(all);
  std::vector<Piece> out;
  out.reserve(pieces);
  while (!reader.done()) out.push_back(read(reader));
  if (out.size() != pieces) throw std::logic_error("gradient_ranks: the ranks gathered another number of pieces");
  return out;
}

}  // namespace

std::vector<TrialScore> gather(std::vector<TrialScore> mine, std::size_t pieces) {
  return gather_pieces(
      std::move(mine), pieces, [](const TrialScore& s, std::vector<double>& out) { put_score(s, out); },
      [](Reader& reader) { return reader.score(); });
}

std::vector<ChunkGradient> gather(std::vector<ChunkGradient> mine, std::size_t pieces) {
  return gather_pieces(
      std::move(mine), pieces,
      [](const ChunkGradient& c, std::vector<double>& out) {
        put_parameters(c.gradient, out);
        put_score(c.score, out);
        put_parameters(c.sensitivity, out);
      },
      [](Reader& reader) {
        ChunkGradient c;
        c.gradient = reader.parameters();
        c.score = reader.score();
        c.sensitivity = reader.parameters();
        return c;
      });
}

}  // namespace rsnn::gradient_ranks
