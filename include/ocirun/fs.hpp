// Small filesystem helpers on top of the syscalls, each returning Result and
// keeping errno. They work relative to a directory fd, so that a caller that
// opened its directory once is not affected by later renames of its path,
// and so that unit tests can aim them at a temp dir.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun::fs {

// Creates path and any missing parents, each with mode (as `mkdir -p`).
// An existing directory is fine; an existing non-directory is ENOTDIR.
Result<> mkdir_p(const std::string& path, mode_t mode);

// Opens a directory below dir_fd (or an absolute path, with dir_fd AT_FDCWD)
// for reading and flock, without following a final symlink.
Result<UniqueFd> open_dir_at(int dir_fd, const std::string& name);

// Replaces dir_fd/name with data so that a reader, or a writer killed at any
// point, sees either the old or the new content, never a mix: the data goes
// to a temp file in the same directory, which is renamed over name. The
// temp file is removed on every failure path this process survives.
//
// Not durable across a crash of the machine: nothing is fsynced. Its users
// keep runtime state (state.json, pid files) about processes that a crash
// kills anyway, in /run, which a boot normally clears; and an fsync costs
// about 10 ms on a disk-backed /run (three of them were 60% of create's time
// on the benchmark's machine). runc does not fsync its state either.
Result<> write_file_atomic(int dir_fd, std::string_view name, std::string_view data,
                           mode_t mode = 0600);

// Reads a whole regular file below dir_fd, refusing one larger than max_size.
Result<std::string> read_file_at(int dir_fd, std::string_view name,
                                 std::size_t max_size = 16u << 20);

// Removes dir_fd/name and, if it is a directory, everything below it,
// without following symlinks and without crossing into other mounts (a
// mount inside would fail with EBUSY rather than be emptied).
Result<> remove_tree_at(int dir_fd, std::string_view name);

// Writes all of data to fd, resuming after short writes and EINTR.
Result<> write_all(int fd, std::string_view data);

// A short random string of [a-z0-9], for temp names that must not collide
// with those of another process.
std::string random_suffix(std::size_t len = 10);

}  // namespace ocirun::fs
