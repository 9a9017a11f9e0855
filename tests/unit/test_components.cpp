// The component registries (rsnn/components.hpp): docs/config.md's tables are
// the registries' own, every kind reads with its table's defaults, and a key
// of another kind is refused by name.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <string>

#include "rsnn/components.hpp"
#include "rsnn/config.hpp"
#include "rsnn/error.hpp"
#include "test_support.hpp"

namespace rsnn {
namespace {

// A minimal experiment with `table` (TOML lines) as the family's table.
std::string experiment_with(const ComponentFamily& family, const std::string& table) {
  const std::string network = "[[population]]\nname = \"E\"\nsize = 10\n[recording]\nneurons = []\n";
  if (family.name == "stimulus") return network + "[stimulus]\n" + table;
  if (family.name == "target") return network + "[plastic]\nrule = \"bernoulli\"\n[target]\n" + table;
  if (family.name == "signal")
    return network +
           "[protocol]\nkind = \"single_trial\"\nduration = 100.0\n[[readout]]\nlearn_start = 0.0\n"
           "learn_stop = 50.0\n[readout.target]\n" +
           table;
  ADD_FAILURE() << "no experiment for family " << family.name;
  return "";
}

// The kinds whose keys all have defaults (file kinds need a file).
bool self_contained(const ComponentKind& kind) {
  for (const ParameterInfo& p : kind.parameters)
    if (p.type == ParameterType::text) return false;
  return true;
}

TEST(Components, DocsMatchTheTables) {
  const std::string docs = testing::read_text(testing::source_path("docs/config.md"));
  for (const ComponentFamily& family : component_families()) {
    const std::string block = fmt::format("<!-- generated: rsnn describe --markdown {} -->\n{}<!-- end generated -->",
                                          family.name, family_markdown(family));
    EXPECT_NE(docs.find(block), std::string::npos)
        << "docs/config.md's table of family '" << family.name
        << "' differs from the registry: run scripts/update_config_tables.py";
  }
}

TEST(Components, DescribeListsEveryKindAndParameter) {
  for (const ComponentFamily& family : component_families()) {
    const std::string text = describe_family(family);
    for (const ComponentKind& kind : family.kinds) {
      EXPECT_NE(text.find("\"" + kind.name + "\""), std::string::npos) << family.name << " " << kind.name;
      for (const ParameterInfo& p : kind.parameters) EXPECT_NE(text.find(p.name), std::string::npos) << p.name;
    }
  }
  const auto cli = testing::run_cli("describe signal");
  EXPECT_EQ(cli.exit_code, 0);
  EXPECT_NE(cli.output.find("van_der_pol"), std::string::npos) << cli.output;
  const auto unknown = testing::run_cli("describe signals");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("known: experiment, protocol"), std::string::npos) << unknown.output;
}

// Every self-contained kind reads with its defaults; every key of another
// kind (not of this one) is an unknown key named in full.
TEST(Components, EachKindAcceptsItsOwnKeysOnly) {
  for (const char* name : {"stimulus", "target", "signal"}) {
    const ComponentFamily& family = component_family(name);
    const std::string selector = family.selector.substr(family.selector.rfind('.') + 1);
    for (const ComponentKind& kind : family.kinds) {
      if (!self_contained(kind)) continue;
      const std::string table = fmt::format("{} = \"{}\"\n", selector, kind.name);
      EXPECT_EQ(rsnn::testing::experiment_error(experiment_with(family, table)), "") << name << " " << kind.name;
      std::set<std::string> own;
      for (const ParameterInfo& p : kind.parameters) own.insert(p.name);
      for (const ParameterInfo& p : family.common) own.insert(p.name);
      for (const ComponentKind& other : family.kinds)
        for (const ParameterInfo& p : other.parameters) {
          if (own.count(p.name) || p.type != ParameterType::number) continue;
          const std::string error =
              rsnn::testing::experiment_error(experiment_with(family, table + p.name + " = 1.0\n"));
          EXPECT_NE(error.find(p.name + ": unknown key"), std::string::npos)
              << name << " " << kind.name << " with " << p.name << ": " << error;
        }
    }
  }
}

TEST(Components, RangesOfTheTablesAreEnforced) {
  const ComponentFamily& signal = component_family("signal");
  const std::string error =
      rsnn::testing::experiment_error(experiment_with(signal, "kind = \"sine\"\nfrequency = -1.0\n"));
  EXPECT_NE(error.find("readout[0].target.frequency: expected a number > 0"), std::string::npos) << error;
  const std::string stop =
      rsnn::testing::experiment_error(experiment_with(component_family("stimulus"), "start = 50.0\nstop = 10.0\n"));
  EXPECT_NE(stop.find("stimulus.stop"), std::string::npos) << stop;
}

}  // namespace
}  // namespace rsnn
