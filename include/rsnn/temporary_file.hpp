#pragma once
// Names for the temporary files that every atomic write goes through (the
// run file, checkpoints, metrics.json, .npy arrays): write beside the target,
// then rename over it. A process killed mid-write (SIGKILL, power loss)
// leaves its temporary behind; the next write to the same target removes
// every temporary whose process is gone, so nothing accumulates.
//
// A temporary of `path` is named "<path>.tmp-<pid>-<n>": the writing
// process and a counter, so concurrent writers (threads or processes) never
// share one.
#include <filesystem>

namespace rsnn {

std::filesystem::path temporary_beside(const std::filesystem::path& path);

// Removes "<path>.tmp-<pid>-<n>" (and the older "<path>.tmp-<pid>") files
// whose process no longer exists; returns how many it removed. Errors are
// ignored: a leftover is harmless, a failed write is not.
std::size_t remove_stale_temporaries(const std::filesystem::path& path);

}  // namespace rsnn
