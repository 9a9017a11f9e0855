#pragma once
// A target signal (rsnn/signals.hpp) as a TOML table: the `target` table of a
// read-out. One reader and one writer, so every experiment spells a signal the
// same way (docs/config.md, "[[readout]]").
#include <filesystem>
#include <string>

#include "config/section_reader.hpp"
#include "rsnn/signals.hpp"

namespace rsnn::config {

// Reads and checks every key of the signal's kind, then rejects leftovers.
// A relative file path resolves against base_dir and must exist.
force::SignalSpec read_signal(SectionReader r, const std::filesystem::path& base_dir);

// The signal's keys, one "key = value" line each (every default written out).
std::string signal_lines(const force::SignalSpec& signal);

}  // namespace rsnn::config
