// Quantities with units (rsnn/quantity.hpp): a small table of units by
// dimension, and the parse of "<number> <unit>".
#include "rsnn/quantity.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>

namespace rsnn {
namespace {

struct Unit {
  std::string_view symbol;
  std::string_view dimension;
  double factor;  // to the dimension's first unit
};

constexpr std::array<Unit, 16> units{{
    {"ms", "time", 1.0},
    {"s", "time", 1000.0},
    {"us", "time", 1e-3},
    {"µs", "time", 1e-3},
    {"min", "time", 60000.0},
    {"Hz", "frequency", 1.0},
    {"kHz", "frequency", 1000.0},
    {"1/s", "frequency", 1.0},
    {"1/ms", "frequency", 1000.0},
    {"mV", "voltage", 1.0},
    {"V", "voltage", 1000.0},
    {"uV", "voltage", 1e-3},
    {"µV", "voltage", 1e-3},
    {"rad", "angle", 1.0},
    {"deg", "angle", std::numbers::pi / 180.0},
    {"°", "angle", std::numbers::pi / 180.0},
}};

const Unit* find_unit(std::string_view symbol) {
  for (const Unit& unit : units)
    if (unit.symbol == symbol) return &unit;
  return nullptr;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string known_units(std::string_view dimension) {
  std::string list;
  for (const Unit& unit : units)
    if (unit.dimension == dimension) list += (list.empty() ? "" : ", ") + std::string(unit.symbol);
  return list;
}

}  // namespace

bool accepts_quantity(std::string_view unit) { return find_unit(unit) != nullptr; }

QuantityResult convert_quantity(std::string_view text, std::string_view target_unit) {
  const Unit* target = find_unit(target_unit);
  if (!target)
    return {std::nullopt, fmt::format("expected a number (in {}), got the string \"{}\"", target_unit, text)};
  const std::string_view whole = trimmed(text);
  double number = 0.0;
  const auto [end, error] = std::from_chars(whole.data(), whole.data() + whole.size(), number);
  const std::string_view symbol = trimmed(whole.substr(static_cast<std::size_t>(end - whole.data())));
  const std::string expected = fmt::format("expected a number or a {} such as \"{} {}\" ({}), got \"{}\"",
                                           target->dimension, 20, target->symbol, known_units(target->dimension), text);
  if (error != std::errc() || !std::isfinite(number) || symbol.empty()) return {std::nullopt, expected};
  const Unit* unit = find_unit(symbol);
  if (!unit) return {std::nullopt, fmt::format("{}: unknown unit \"{}\"", expected, symbol)};
  if (unit->dimension != target->dimension)
    return {std::nullopt, fmt::format("{}: \"{}\" is a {}", expected, symbol, unit->dimension)};
  return {number * unit->factor / target->factor, {}};
}

}  // namespace rsnn
