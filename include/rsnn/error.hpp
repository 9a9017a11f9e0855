#pragma once
// Error types. The command-line tool maps InputError to exit code 2 and
// RuntimeFailure to exit code 1.
#include <stdexcept>
#include <string>

namespace rsnn {

// Bad user input: an experiment key, a value, a file. The message names the
// offending key or file and says what was expected.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A run that started correctly but failed: divergence (NaN weights, runaway
// rates), an I/O failure while writing results.
class RuntimeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rsnn
