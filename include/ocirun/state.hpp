// The state store: what the runtime remembers about each container between
// two invocations of the binary.
//
// Layout, under the root dir (--root, default_state_root()):
//
//   <root>/                      0700, made on demand by writers
//   <root>/<id>/                 one directory per container, 0700
//   <root>/<id>/state.json       the ContainerState, replaced atomically
//   <root>/.~new-XXXXXXXXXX/     a container being created (not yet visible)
//   <root>/.~del-XXXXXXXXXX/     a container being deleted (no longer visible)
//
// The names with `~` can never be container ids, so list_ids() skips them.
// A container becomes visible only by renaming its complete directory into
// place, and stops being visible by renaming it away before it is emptied:
// so `<root>/<id>` exists exactly when a whole state.json is in it.
//
// Locking: every command that changes a container holds an exclusive flock
// on its directory (ContainerLock). A lock taken after another command
// deleted the container (or deleted and re-created it) checks that the name
// still leads to the directory it locked, so it reports "does not exist"
// (or locks the new one) instead of writing into a dead directory. Readers
// (`state`, `list`) take no lock: state.json is only ever replaced by rename,
// so they see a whole old or a whole new file, and `state` during a slow
// `create` must be able to answer "creating" rather than wait for it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace json {
class Writer;
}

// ---- Container ids ----

// Accepts what runc accepts ([A-Za-z0-9_+.-]+, not "." or ".."), up to 255
// bytes: the id is a directory name, and NAME_MAX is 255. Errors read
//   invalid container id "a/b": only [A-Za-z0-9_+.-] are allowed
// with the id escaped and shortened, so that a hostile id cannot flood the
// log or put control characters on a terminal.
Result<> validate_container_id(std::string_view id);

// ---- The root dir ----

// The root for this process: /run/ocirun for euid 0, else
// $XDG_RUNTIME_DIR/ocirun; an error when that variable is unset or relative.
Result<std::string> default_state_root();
// The same decision, given its inputs (xdg_runtime_dir may be null).
Result<std::string> state_root_for(uid_t euid, const char* xdg_runtime_dir);

// ---- The stored record ----

enum class Status { Creating, Created, Running, Stopped, Paused };

// "creating", "created", "running", "stopped", "paused".
const char* status_name(Status s);
Result<Status> parse_status(std::string_view s);

enum class CgroupDriver { Cgroupfs, Systemd };

const char* cgroup_driver_name(CgroupDriver d);  // "cgroupfs", "systemd"
Result<CgroupDriver> parse_cgroup_driver(std::string_view s);

// A wall-clock time, as clock_gettime(CLOCK_REALTIME) gives it.
struct Timestamp {
  std::int64_t sec = 0;
  std::uint32_t nsec = 0;  // 0..999999999
  static Timestamp now();
  bool operator==(const Timestamp&) const = default;
};

// RFC 3339 in UTC with nanoseconds: 2024-05-01T12:34:56.123456789Z.
std::string format_rfc3339(Timestamp t);
// Parses what format_rfc3339 writes, and also 0-9 fraction digits and a
// numeric offset (+02:00), as other writers (Go's RFC3339Nano) produce.
Result<Timestamp> parse_rfc3339(std::string_view s);

// Something a create made, or was about to make, that delete must undo.
// Recorded *before* it is made (ContainerLock::record_cleanup), so that a
// create killed half-way leaves a record delete --force can act on; undoing
// a thing that was never made must therefore be harmless (ENOENT is fine).
struct CleanupEntry {
  std::string kind;  // what it is, e.g. "cgroup", "file", "mount"; read by delete
  std::string path;
  bool operator==(const CleanupEntry&) const = default;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct ContainerState {
  // The OCI state (runtime-spec runtime.md#state), as `state` prints it.
  std::string oci_version;  // the bundle's config.json ociVersion, as runc does
  std::string id;
  Status status = Status::Creating;  // as stored; see derive_status()
  pid_t pid = 0;                     // the container's init, in the runtime's pid namespace
  std::string bundle;                // absolute path
  std::string rootfs;                // absolute path
  Timestamp created;
  uid_t owner_uid = 0;   // euid of the creator; `owner` prints its name
  KeyValues annotations;  // in config.json order

  // Runtime-internal: what later commands need and cannot ask anyone else.
  // /proc/<pid>/stat field 22 (clock ticks after boot) of the init when it
  // was started: a live process with this pid but another start time is a
  // newcomer that reused the pid, and the container is stopped.
  std::uint64_t init_start_time = 0;
  // Podman never passes --systemd-cgroup after create, so the driver
  // chosen at create is remembered here.
  CgroupDriver cgroup_driver = CgroupDriver::Cgroupfs;
  std::string cgroup_path;
  // Without its own pid namespace, the container's processes outlive its
  // init, so kill --all and delete must find them through the cgroup.
  bool own_pid_namespace = true;
  bool rootless = false;
  std::vector<CleanupEntry> cleanup;
  // Anything else a later module needs to keep, by key, in insertion order.
  KeyValues extra;

  bool operator==(const ContainerState&) const = default;
};

// The value of key in extra, or nullptr.
const std::string* find_extra(const ContainerState& s, std::string_view key);
// Sets key in extra (replacing an existing value).
void set_extra(ContainerState& s, std::string_view key, std::string value);

// The record as stored in state.json, and back. Reading is strict about
// types (a damaged file is an error naming the field) and ignores unknown
// keys, so that a newer ocirun can add fields an older one still reads.
std::string serialize_state(const ContainerState& s);
Result<ContainerState> parse_state(std::string_view text);

// ---- Status ----

// /proc/<pid>/stat, the two fields the store needs.
struct ProcStat {
  char state = '?';              // field 3: R, S, D, Z, X, ...
  std::uint64_t start_time = 0;  // field 22
};
// Parses the text of /proc/<pid>/stat (the command name may hold spaces
// and parentheses: fields are counted from the last ')').
Result<ProcStat> parse_proc_stat(std::string_view text);
// Reads /proc/<pid>/stat; ESRCH when there is no such process.
Result<ProcStat> read_proc_stat(pid_t pid);

// Whether the container's init is alive: the pid exists, is not a zombie
// (an exited init waiting for its parent to reap it), and has the stored
// start time (else the pid was reused).
bool init_alive(const ContainerState& s);

// The status to report, from the stored one and whether the init is alive
// (as init_alive() says). Pure, for tests:
//   creating -> creating  (even if the creator died: delete --force cleans up)
//   stopped  -> stopped
//   created / running / paused -> the same while the init lives, else stopped
// "running" vs "created" is stored, not guessed: `start` writes running once
// it has told the init to exec the user's program.
Status derive_status(const ContainerState& stored, bool init_is_alive);
// derive_status() with init_alive() probed now.
Status current_status(const ContainerState& s);

// ---- Output ----

// The owner's user name from /etc/passwd, or "#<uid>" when there is none,
// as runc prints. /etc/passwd is read directly: the binary is static, and
// getpwuid() there would need glibc's NSS modules at run time.
std::string owner_name(uid_t uid);
// The same, from the text of a passwd file.
std::string owner_name_from_passwd(std::string_view passwd, uid_t uid);

// Writes one OCI state object, as `state` prints it and `list --format json`
// prints an array of them: ociVersion, id, pid (0 once stopped), status,
// bundle, rootfs, created, annotations (only if any), owner.
void write_state_json(json::Writer& w, const ContainerState& s, Status status,
                      std::string_view owner);
// `state` output: that object pretty-printed with 2 spaces, and a newline.
std::string state_json(const ContainerState& s, Status status, std::string_view owner);
// The same with the status probed now and the owner looked up.
std::string state_json(const ContainerState& s);
// What hooks read on stdin: the same object on one line, so that a hook
// that reads a single line (`read -r state`) gets all of it.
std::string hook_state_json(const ContainerState& s, Status status);

// ---- The store ----

class StateStore;

// An exclusive flock on one container's directory, held until this object
// is destroyed (or the process dies: a killed command never leaves a lock
// behind). Everything that changes a container goes through one.
class ContainerLock {
 public:
  ContainerLock(ContainerLock&&) noexcept = default;
  ContainerLock& operator=(ContainerLock&&) noexcept = default;

  const std::string& id() const { return m_id; }
  // <root>/<id>, and an fd of it (for files a later module keeps there).
  const std::string& path() const { return m_path; }
  int dir_fd() const { return m_dir.get(); }

  // state.json, read and checked; errors name the file.
  Result<ContainerState> load() const;
  // Replaces state.json atomically. s.id must be this container's id.
  Result<> save(const ContainerState& s);
  // Appends {kind, path} to s.cleanup and saves s: call it before making
  // the thing, so that a crash right after still leaves it recorded.
  Result<> record_cleanup(ContainerState& s, std::string kind, std::string path);
  // Deletes the container: first renamed out of sight (so that waiters
  // and readers see "does not exist" at once), then removed with all its
  // contents. The lock is then spent: every later call fails.
  Result<> remove();

 private:
  friend class StateStore;
  ContainerLock(std::string id, std::string path, UniqueFd root, UniqueFd dir)
      : m_id(std::move(id)), m_path(std::move(path)), m_root(std::move(root)), m_dir(std::move(dir)) {}
  Result<> check_live() const;

  std::string m_id;
  std::string m_path;
  UniqueFd m_root;  // a duplicate of the store's root fd
  UniqueFd m_dir;   // the locked directory; invalid once removed
};

enum class LockWait { Block, NoWait };

class StateStore {
 public:
  // Opens the root dir. With create, a missing root is made (0700, as its
  // parents if missing); without, a missing root is an empty store, so
  // `list` prints nothing and `state X` says X does not exist.
  static Result<StateStore> open(std::string root, bool create);

  const std::string& root() const { return m_root_path; }

  // The ids of all containers, sorted (byte order).
  Result<std::vector<std::string>> list_ids() const;

  // A snapshot of one container's record, without the lock.
  Result<ContainerState> read(std::string_view id) const;

  // Creates the container described by initial (its id, usually status
  // Creating) and returns it locked. Fails with EEXIST and
  //   container "ID" already exists
  // if the id is taken, even by a container being created right now.
  Result<ContainerLock> create(const ContainerState& initial);

  // Locks an existing container, waiting for another command to release it
  // (LockWait::Block) or failing with EWOULDBLOCK (NoWait). A missing
  // container fails with ENOENT and
  //   container "ID" does not exist
  Result<ContainerLock> lock(std::string_view id, LockWait wait = LockWait::Block) const;

  // Removes the hidden dirs that a create or a delete killed half-way
  // left (not yet renamed into place, or renamed away but not emptied):
  // those whose lock nobody holds. Nothing else of a container exists
  // before its dir is in place, nor after it was renamed away.
  Result<> sweep_leftovers() const;

 private:
  StateStore(std::string root, UniqueFd fd) : m_root_path(std::move(root)), m_root(std::move(fd)) {}

  std::string m_root_path;
  UniqueFd m_root;  // invalid when the root does not exist (and create was false)
};

// The errors callers match on, for other modules that need to produce them.
Error container_not_found(std::string_view id);  // ENOENT, "... does not exist"
Error container_exists(std::string_view id);     // EEXIST, "... already exists"

}  // namespace ocirun
