// Hostile experiment files: every shipped example, mutated thousands of times
// with a fixed seed (numbers replaced by non-finite, huge, negative or
// mistyped values, lines deleted, duplicated or swapped, text truncated or
// salted with stray bytes), is read by the one experiment reader. Each mutant must
// either parse into a spec whose resolved TOML parses back, or be refused
// with an InputError; anything else (another exception, a crash, a hang)
// fails the test and prints the mutant.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped_experiments() {
  std::vector<fs::path> files;
  for (const char* folder : {"examples", "examples/force", "examples/depasquale", "examples/kim_chow", "examples/ebn",
                             "examples/lsnn", "examples/huh_sejnowski"})
    for (const auto& entry : fs::directory_iterator(testing::source_path(folder)))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// One random edit of `text`.
std::string mutate(const std::string& text, std::mt19937_64& random) {
  static const std::vector<std::string> hostile_values = {"nan",
                                                          "inf",
                                                          "-inf",
                                                          "1e308",
                                                          "-1e308",
                                                          "-1",
                                                          "0",
                                                          "1e-320",
                                                          "18446744073709551616",
                                                          "-9223372036854775809",
                                                          "\"text\"",
                                                          "true",
                                                          "[1, 2]",
                                                          "{}",
                                                          "0.0",
                                                          "3.5",
                                                          "1e6"};
  std::vector<std::string> lines = lines_of(text);
  if (lines.empty()) return text;
  std::uniform_int_distribution<std::size_t> pick_line(0, lines.size() - 1);
  switch (random() % 6) {
    case 0: {  // a number (the first one on a random line) becomes a hostile value
      static const std::regex number(R"([-+]?[0-9][0-9_.eE+-]*)");
      for (int attempt = 0; attempt < 20; ++attempt) {
        std::string& line = lines[pick_line(random)];
        const auto equals = line.find('=');
        if (equals == std::string::npos) continue;
        std::smatch match;
        const std::string value = line.substr(equals + 1);
        if (!std::regex_search(value, match, number)) continue;
        line = line.substr(0, equals + 1) + " " + value.substr(0, match.position(0)) +
               hostile_values[random() % hostile_values.size()] + value.substr(match.position(0) + match.length(0));
        break;
      }
      return joined(lines);
    }
    case 1:
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(pick_line(random)));
      return joined(lines);
    case 2: {
      const std::size_t at = pick_line(random);
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), lines[at]);
      return joined(lines);
    }
    case 3:
      std::swap(lines[pick_line(random)], lines[pick_line(random)]);
      return joined(lines);
    case 4:
      return text.substr(0, random() % (text.size() + 1));
    default: {
      std::string salted = text;
      const char stray[] = {'\0', '\x01', '\x7f', '"', '[', ']', '=', '\n', '\\', '#', '\xff', '\xc3'};
      salted.insert(random() % (salted.size() + 1), 1, stray[random() % sizeof stray]);
      return salted;
    }
  }
}

enum class Outcome { accepted, refused, failed };

// Reads `text` with the one experiment reader: accepted (and its resolved TOML
// read back), refused with an InputError, or failed in any other way (`why`).
Outcome read_or_refuse(const std::string& text, const fs::path& base_dir, std::string& why) {
  try {
    const ExperimentSpec spec = parse_experiment(text, "mutant.toml", {}, base_dir);
    parse_experiment(to_toml(spec), "resolved", {}, base_dir);
  } catch (const InputError&) {
    return Outcome::refused;
  } catch (const std::exception& error) {
    why = std::string(typeid(error).name()) + ": " + error.what();
    return Outcome::failed;
  }
  return Outcome::accepted;
}

TEST(ReaderFuzz, MutatedExamplesParseOrAreRefusedWithAnInputError) {
  std::mt19937_64 random(20261206);
  std::size_t counts[3] = {0, 0, 0};
  for (const fs::path& file : shipped_experiments()) {
    const std::string text = testing::read_text(file);
    for (int round = 0; round < 500; ++round) {
      std::string mutant = mutate(text, random);
      if (round % 3 == 0) mutant = mutate(mutant, random);  // some carry two edits
      std::string why;
      const Outcome outcome = read_or_refuse(mutant, file.parent_path(), why);
      ++counts[static_cast<int>(outcome)];
      if (outcome == Outcome::failed) {
        ADD_FAILURE() << file.filename() << " mutant " << round << " failed outside InputError: " << why
                      << "\n--- mutant ---\n"
                      << mutant;
        return;
      }
    }
  }
  // The mutants exercise both paths: many are refused, many still parse.
  const double total = static_cast<double>(counts[0] + counts[1]);
  std::printf("[measured] %zu mutants: %zu accepted, %zu refused\n", counts[0] + counts[1], counts[0], counts[1]);
  EXPECT_GT(total, 10000.0);
  EXPECT_GT(static_cast<double>(counts[0]) / total, 0.1);
  EXPECT_GT(static_cast<double>(counts[1]) / total, 0.2);
}

}  // namespace
}  // namespace rsnn
