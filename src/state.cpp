#include "ocirun/state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

namespace {

constexpr const char kStateFile[] = "state.json";
// The version of state.json's own layout, for a later ocirun that changes it.
constexpr std::uint32_t kStateFormat = 1;
// Prefixes of the names a container's directory has while it is not (yet,
// or any more) visible; `~` is not allowed in ids, so they never collide.
constexpr const char kNewPrefix[] = ".~new-";
constexpr const char kDelPrefix[] = ".~del-";

// The id as it may appear in a message: at most 64 bytes of it, with
// quotes, backslashes and anything outside printable ASCII escaped.
std::string printable_id(std::string_view id) {
  constexpr std::size_t kMaxShown = 64;
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < id.size() && i < kMaxShown; i++) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (id.size() > kMaxShown) out += "...";
  return out;
}

bool id_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '.' || c == '-';
}

std::string container_ref(std::string_view id) { return "container \"" + printable_id(id) + "\""; }

// Whether `<root>/<name>` is still the directory open as dir_fd: false once
// it was renamed away (deleted), or replaced by a new container of that id.
Result<bool> still_linked(int root_fd, const std::string& name, int dir_fd) {
  struct stat by_name {}, by_fd {};
  if (::fstatat(root_fd, name.c_str(), &by_name, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    return fail_errno("stat `" + name + "`");
  }
  if (::fstat(dir_fd, &by_fd) < 0) return fail_errno("stat `" + name + "`");
  return by_name.st_dev == by_fd.st_dev && by_name.st_ino == by_fd.st_ino;
}

// Errors of opening `<root>/<id>` that mean there is no such container.
bool means_missing(int code) { return code == ENOENT || code == ENOTDIR || code == ELOOP; }

Result<ContainerState> load_from(int dir_fd, const std::string& dir_path, std::string_view id) {
  std::string file = dir_path + "/" + kStateFile;
  std::string text = TRY_CTX(fs::read_file_at(dir_fd, kStateFile), file);
  ContainerState s = TRY_CTX(parse_state(text), file);
  // A state.json copied between directories by hand would otherwise make
  // every later command act on the wrong container.
  if (s.id != id) return fail(file + ": holds container \"" + printable_id(s.id) + "\", not \"" + printable_id(id) + "\"");
  return s;
}

Result<> flock_fd(int fd, int op) {
  for (;;) {
    if (::flock(fd, op) == 0) return {};
    if (errno != EINTR) return fail_errno("flock");
  }
}

// A name `<prefix><random>` under root_fd that did not exist, made by make().
template <typename Make>
Result<std::string> fresh_name(const char* prefix, Make make) {
  for (int attempt = 0; attempt < 16; attempt++) {
    std::string name = prefix + fs::random_suffix();
    if (make(name) == 0) return name;
    if (errno != EEXIST) return fail_errno(std::string("create `") + name + "`");
  }
  return fail_errno("create a temporary name", EEXIST);
}

}  // namespace

Error container_not_found(std::string_view id) { return Error{ENOENT, container_ref(id) + " does not exist"}; }
Error container_exists(std::string_view id) { return Error{EEXIST, container_ref(id) + " already exists"}; }

// ---- Container ids ----

Result<> validate_container_id(std::string_view id) {
  auto invalid = [&](std::string_view why) {
    std::string msg = "invalid container id \"" + printable_id(id) + "\"";
    if (id.size() > 64) msg += " (" + std::to_string(id.size()) + " bytes)";
    msg += ": ";
    msg += why;
    return fail(std::move(msg));
  };
  if (id.empty()) return invalid("must not be empty");
  // Each container is a directory named after its id.
  if (id.size() > 255) return invalid("longer than 255 bytes");
  if (id == "." || id == "..") return invalid("\".\" and \"..\" are not allowed");
  if (!std::all_of(id.begin(), id.end(), id_char_ok)) return invalid("only [A-Za-z0-9_+.-] are allowed");
  return {};
}

// ---- The root dir ----

Result<std::string> state_root_for(uid_t euid, const char* xdg_runtime_dir) {
  if (euid == 0) return std::string("/run/ocirun");
  // /run/ocirun is root's; another user's state goes to their own runtime
  // dir, as runc and crun do.
  if (!xdg_runtime_dir || !*xdg_runtime_dir)
    return fail("choose the state directory: XDG_RUNTIME_DIR is not set, and it is needed when not "
                "running as root; set it or pass --root DIR",
                ENOENT);
  if (xdg_runtime_dir[0] != '/')
    return fail(std::string("choose the state directory: XDG_RUNTIME_DIR `") + xdg_runtime_dir +
                "` is not an absolute path; pass --root DIR");
  std::string root = xdg_runtime_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root != "/") root += '/';
  return root + "ocirun";
}

Result<std::string> default_state_root() { return state_root_for(::geteuid(), std::getenv("XDG_RUNTIME_DIR")); }

// ---- Names of enums ----

const char* status_name(Status s) {
  switch (s) {
    case Status::Creating: return "creating";
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Stopped: return "stopped";
    case Status::Paused: return "paused";
  }
  return "unknown";
}

Result<Status> parse_status(std::string_view s) {
  for (Status st : {Status::Creating, Status::Created, Status::Running, Status::Stopped, Status::Paused})
    if (s == status_name(st)) return st;
  return fail("unknown status \"" + std::string(s.substr(0, 32)) + "\"");
}

const char* cgroup_driver_name(CgroupDriver d) { return d == CgroupDriver::Systemd ? "systemd" : "cgroupfs"; }

Result<CgroupDriver> parse_cgroup_driver(std::string_view s) {
  if (s == "cgroupfs") return CgroupDriver::Cgroupfs;
  if (s == "systemd") return CgroupDriver::Systemd;
  return fail("unknown cgroup driver \"" + std::string(s.substr(0, 32)) + "\"");
}

// ---- Time ----

Timestamp Timestamp::now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return Timestamp{ts.tv_sec, static_cast<std::uint32_t>(ts.tv_nsec)};
}

std::string format_rfc3339(Timestamp t) {
  using namespace std::chrono;
  sys_seconds tp{seconds{t.sec}};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{tp - day};
  // Always nine digits (Go's RFC3339Nano trims trailing zeros; both are RFC
  // 3339, and a fixed width keeps the column aligned in `list`).
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09uZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<unsigned>(t.nsec % 1000000000u));
  return buf;
}

Result<Timestamp> parse_rfc3339(std::string_view s) {
  auto bad = [&] { return fail("invalid RFC 3339 time \"" + std::string(s.substr(0, 64)) + "\""); };
  std::size_t pos = 0;
  // n digits at pos, as a number.
  auto digits = [&](std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; i++) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
  };
  auto expect = [&](char a, char b = 0) {
    if (pos < s.size() && (s[pos] == a || (b && s[pos] == b))) {
      pos++;
      return true;
    }
    return false;
  };
  int year, month, mday, hour, minute, second;
  if (!digits(4, year) || !expect('-') || !digits(2, month) || !expect('-') || !digits(2, mday) ||
      !expect('T', 't') || !digits(2, hour) || !expect(':') || !digits(2, minute) || !expect(':') ||
      !digits(2, second))
    return bad();
  std::uint32_t nsec = 0;
  if (expect('.')) {
    int ndigits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (ndigits < 9) nsec = nsec * 10 + static_cast<std::uint32_t>(s[pos] - '0');
      ndigits++;
      pos++;
    }
    if (ndigits == 0) return bad();
    for (int i = ndigits; i < 9; i++) nsec *= 10;
  }
  std::int64_t offset = 0;
  if (!expect('Z', 'z')) {
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return bad();
    int sign = s[pos++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(2, oh) || !expect(':') || !digits(2, om) || oh > 23 || om > 59) return bad();
    offset = sign * (oh * 3600 + om * 60);
  }
  if (pos != s.size() || hour > 23 || minute > 59 || second > 59) return bad();
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(mday)}};
  if (!ymd.ok()) return bad();
  std::int64_t sec = static_cast<std::int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86400 +
                     hour * 3600 + minute * 60 + second - offset;
  return Timestamp{sec, nsec};
}

// ---- Extra ----

const std::string* find_extra(const ContainerState& s, std::string_view key) {
  for (const auto& [k, v] : s.extra)
    if (k == key) return &v;
  return nullptr;
}

void set_extra(ContainerState& s, std::string_view key, std::string value) {
  for (auto& [k, v] : s.extra) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  s.extra.emplace_back(std::string(key), std::move(value));
}

// ---- state.json ----

namespace {

void write_key_values(json::Writer& w, const KeyValues& kv) {
  w.begin_object();
  for (const auto& [k, v] : kv) w.key(k).value(v);
  w.end_object();
}

Result<std::string> get_string(const json::Node& obj, std::string_view key, bool required) {
  if (required) {
    json::Node n = TRY(obj.require(key, json::Type::String));
    return std::string(TRY(n.string()));
  }
  std::optional<json::Node> n = TRY(obj.get(key, json::Type::String));
  if (!n) return std::string();
  return std::string(TRY(n->string()));
}

Result<bool> get_bool(const json::Node& obj, std::string_view key, bool dflt) {
  std::optional<json::Node> n = TRY(obj.get(key, json::Type::Bool));
  if (!n) return dflt;
  return TRY(n->boolean());
}

Result<KeyValues> get_key_values(const json::Node& obj, std::string_view key) {
  KeyValues out;
  std::optional<json::Node> n = TRY(obj.get(key, json::Type::Object));
  if (!n) return out;
  for (std::size_t i = 0; i < n->member_count(); i++) {
    json::Node v = n->member_value(i);
    TRY(v.expect(json::Type::String));
    out.emplace_back(std::string(n->member_name(i)), std::string(TRY(v.string())));
  }
  return out;
}

}  // namespace

std::string serialize_state(const ContainerState& s) {
  json::Writer w(2);
  w.begin_object();
  w.key("ocirunStateFormat").value(kStateFormat);
  w.key("ociVersion").value(s.oci_version);
  w.key("id").value(s.id);
  w.key("status").value(status_name(s.status));
  w.key("pid").value(static_cast<std::int64_t>(s.pid));
  w.key("initStartTime").value(s.init_start_time);
  w.key("bundle").value(s.bundle);
  w.key("rootfs").value(s.rootfs);
  w.key("created").value(format_rfc3339(s.created));
  w.key("ownerUid").value(static_cast<std::uint64_t>(s.owner_uid));
  w.key("annotations");
  write_key_values(w, s.annotations);
  w.key("cgroupDriver").value(cgroup_driver_name(s.cgroup_driver));
  w.key("cgroupPath").value(s.cgroup_path);
  w.key("ownPidNamespace").value(s.own_pid_namespace);
  w.key("rootless").value(s.rootless);
  w.key("cleanup").begin_array();
  for (const CleanupEntry& c : s.cleanup) w.begin_object().key("kind").value(c.kind).key("path").value(c.path).end_object();
  w.end_array();
  w.key("extra");
  write_key_values(w, s.extra);
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

Result<ContainerState> parse_state(std::string_view text) {
  json::Document doc = TRY(json::Document::parse(text));
  json::Node root = doc.root();
  TRY(root.expect(json::Type::Object));
  json::Node format = TRY(root.require("ocirunStateFormat", json::Type::Number));
  std::uint32_t fmt = TRY(format.uint32());
  if (fmt != kStateFormat)
    return format.fail("format " + std::to_string(fmt) + " is not the one this ocirun reads (" +
                       std::to_string(kStateFormat) + ")");

  ContainerState s;
  s.oci_version = TRY(get_string(root, "ociVersion", false));
  s.id = TRY(get_string(root, "id", true));
  {
    json::Node n = TRY(root.require("status", json::Type::String));
    auto st = parse_status(TRY(n.string()));
    if (!st) return n.fail(st.error().msg);
    s.status = *st;
  }
  if (auto n = TRY(root.get("pid", json::Type::Number))) {
    std::int32_t pid = TRY(n->int32());
    if (pid < 0) return n->fail("negative pid");
    s.pid = pid;
  }
  if (auto n = TRY(root.get("initStartTime", json::Type::Number))) s.init_start_time = TRY(n->uint64());
  s.bundle = TRY(get_string(root, "bundle", true));
  s.rootfs = TRY(get_string(root, "rootfs", false));
  {
    json::Node n = TRY(root.require("created", json::Type::String));
    auto t = parse_rfc3339(TRY(n.string()));
    if (!t) return n.fail(t.error().msg);
    s.created = *t;
  }
  if (auto n = TRY(root.get("ownerUid", json::Type::Number))) s.owner_uid = TRY(n->uint32());
  s.annotations = TRY(get_key_values(root, "annotations"));
  if (auto n = TRY(root.get("cgroupDriver", json::Type::String))) {
    auto d = parse_cgroup_driver(TRY(n->string()));
    if (!d) return n->fail(d.error().msg);
    s.cgroup_driver = *d;
  }
  s.cgroup_path = TRY(get_string(root, "cgroupPath", false));
  s.own_pid_namespace = TRY(get_bool(root, "ownPidNamespace", true));
  s.rootless = TRY(get_bool(root, "rootless", false));
  if (auto arr = TRY(root.get("cleanup", json::Type::Array))) {
    for (std::size_t i = 0; i < arr->size(); i++) {
      json::Node e = arr->at(i);
      TRY(e.expect(json::Type::Object));
      s.cleanup.push_back(CleanupEntry{TRY(get_string(e, "kind", true)), TRY(get_string(e, "path", true))});
    }
  }
  s.extra = TRY(get_key_values(root, "extra"));
  return s;
}

// ---- Status ----

Result<ProcStat> parse_proc_stat(std::string_view text) {
  // "pid (comm) state ppid ...": comm is whatever the process named itself,
  // ")" and spaces included, so fields are counted after the last ')'.
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return fail("parse /proc stat: no command name");
  std::string_view rest = text.substr(close + 1);
  ProcStat ps;
  int field = 2;  // the field just parsed; comm is field 2
  std::size_t pos = 0;
  while (field < 22) {
    while (pos < rest.size() && rest[pos] == ' ') pos++;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (pos >= end) return fail("parse /proc stat: too few fields");
    field++;
    std::string_view tok = rest.substr(pos, end - pos);
    if (field == 3) ps.state = tok[0];
    if (field == 22) {
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), ps.start_time);
      if (ec != std::errc() || p != tok.data() + tok.size()) return fail("parse /proc stat: bad start time");
    }
    pos = end;
  }
  return ps;
}

Result<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return fail("read /proc stat: invalid pid " + std::to_string(pid));
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  auto text = fs::read_file_at(AT_FDCWD, path, 64 * 1024);
  if (!text) {
    if (text.error().code == ENOENT) return fail_errno(path, ESRCH);
    return tl::unexpected<Error>(std::move(text.error()));
  }
  return TRY_CTX(parse_proc_stat(*text), path);
}

bool init_alive(const ContainerState& s) {
  if (s.pid <= 0) return false;
  auto st = read_proc_stat(s.pid);
  if (!st) {
    if (st.error().code == ESRCH) return false;
    // /proc is there but unreadable (hidepid=): existence is all we can know.
    return ::kill(s.pid, 0) == 0 || errno == EPERM;
  }
  // An exited init stays a zombie until its parent reaps it.
  if (st->state == 'Z' || st->state == 'X' || st->state == 'x') return false;
  // 0: unknown (never recorded), so nothing to compare.
  return s.init_start_time == 0 || st->start_time == s.init_start_time;
}

Status derive_status(const ContainerState& stored, bool init_is_alive) {
  switch (stored.status) {
    case Status::Creating:
    case Status::Stopped:
      return stored.status;
    case Status::Created:
    case Status::Running:
    case Status::Paused:
      return init_is_alive ? stored.status : Status::Stopped;
  }
  return Status::Stopped;
}

Status current_status(const ContainerState& s) {
  if (s.status == Status::Creating || s.status == Status::Stopped) return s.status;
  return derive_status(s, init_alive(s));
}

// ---- Output ----

std::string owner_name_from_passwd(std::string_view passwd, uid_t uid) {
  std::string want = std::to_string(uid);
  while (!passwd.empty()) {
    std::size_t nl = passwd.find('\n');
    std::string_view line = passwd.substr(0, nl);
    passwd = nl == std::string_view::npos ? std::string_view() : passwd.substr(nl + 1);
    // name:password:uid:gid:gecos:home:shell
    std::size_t c1 = line.find(':');
    if (c1 == std::string_view::npos || c1 == 0) continue;
    std::size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::size_t c3 = line.find(':', c2 + 1);
    std::string_view uid_field = line.substr(c2 + 1, c3 == std::string_view::npos ? line.npos : c3 - c2 - 1);
    if (uid_field == want) return std::string(line.substr(0, c1));
  }
  return "#" + want;
}

std::string owner_name(uid_t uid) {
  auto text = fs::read_file_at(AT_FDCWD, "/etc/passwd");
  if (!text) return "#" + std::to_string(uid);
  return owner_name_from_passwd(*text, uid);
}

void write_state_json(json::Writer& w, const ContainerState& s, Status status, std::string_view owner) {
  w.begin_object();
  w.key("ociVersion").value(s.oci_version);
  w.key("id").value(s.id);
  // runc prints 0 once stopped: the pid may already belong to someone else.
  w.key("pid").value(static_cast<std::int64_t>(status == Status::Stopped ? 0 : s.pid));
  w.key("status").value(status_name(status));
  w.key("bundle").value(s.bundle);
  w.key("rootfs").value(s.rootfs);
  w.key("created").value(format_rfc3339(s.created));
  if (!s.annotations.empty()) {
    w.key("annotations");
    write_key_values(w, s.annotations);
  }
  w.key("owner").value(owner);
  w.end_object();
}

std::string state_json(const ContainerState& s, Status status, std::string_view owner) {
  json::Writer w(2);
  write_state_json(w, s, status, owner);
  std::string out = w.take();
  out += '\n';
  return out;
}

std::string state_json(const ContainerState& s) { return state_json(s, current_status(s), owner_name(s.owner_uid)); }

std::string hook_state_json(const ContainerState& s, Status status) {
  json::Writer w;
  write_state_json(w, s, status, owner_name(s.owner_uid));
  std::string out = w.take();
  out += '\n';
  return out;
}

// ---- ContainerLock ----

Result<> ContainerLock::check_live() const {
  if (!m_dir) return fail(container_ref(m_id) + " was removed by this command", EBADF);
  return {};
}

Result<ContainerState> ContainerLock::load() const {
  TRY(check_live());
  return load_from(m_dir.get(), m_path, m_id);
}

Result<> ContainerLock::save(const ContainerState& s) {
  TRY(check_live());
  if (s.id != m_id)
    return fail("save state of " + container_ref(m_id) + ": the record is of \"" + printable_id(s.id) + "\"");
  TRY_CTX(fs::write_file_atomic(m_dir.get(), kStateFile, serialize_state(s), 0600),
          "save state of " + container_ref(m_id));
  return {};
}

Result<> ContainerLock::record_cleanup(ContainerState& s, std::string kind, std::string path) {
  s.cleanup.push_back(CleanupEntry{std::move(kind), std::move(path)});
  return save(s);
}

Result<> ContainerLock::remove() {
  TRY(check_live());
  std::string ctx = "remove " + container_ref(m_id);
  // Out of sight first, in one step: from here on, readers and commands
  // waiting for this lock see "does not exist", even if emptying the
  // directory below fails or this process is killed half-way.
  std::string grave = TRY_CTX(fresh_name(kDelPrefix,
                                         [&](const std::string& name) {
                                           return ::renameat2(m_root.get(), m_id.c_str(), m_root.get(),
                                                              name.c_str(), RENAME_NOREPLACE);
                                         }),
                              ctx);
  // The lock is held until the grave is empty, so that sweep_leftovers
  // leaves it to us; it goes with the last fd of the directory.
  Result<> removed = fs::remove_tree_at(m_root.get(), grave);
  m_dir.reset();
  TRY_CTX(std::move(removed), ctx);
  return {};
}

// ---- StateStore ----

Result<StateStore> StateStore::open(std::string root, bool create) {
  if (root.empty()) return fail("open state root: empty path");
  if (create) TRY_CTX(fs::mkdir_p(root, 0700), "create state root");
  // The root itself may be reached through a symlink (/var/run -> /run).
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT && !create) return StateStore(std::move(root), UniqueFd());
    return fail_errno("open state root `" + root + "`");
  }
  return StateStore(std::move(root), std::move(fd));
}

Result<std::vector<std::string>> StateStore::list_ids() const {
  std::vector<std::string> ids;
  if (!m_root) return ids;
  int dup_fd = ::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return fail_errno("list containers: dup");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return fail_errno("list containers: opendir `" + m_root_path + "`");
  }
  ::rewinddir(dir);  // the offset is shared with m_root, used before
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    // Skips ".", "..", the hidden `.~` names and any stray file.
    if (!validate_container_id(name)) {
      errno = 0;
      continue;
    }
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::fstatat(m_root.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) ids.emplace_back(name);
    errno = 0;
  }
  int read_errno = errno;
  ::closedir(dir);
  if (read_errno != 0) return fail_errno("list containers: readdir `" + m_root_path + "`", read_errno);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<ContainerState> StateStore::read(std::string_view id) const {
  TRY(validate_container_id(id));
  if (!m_root) return tl::unexpected<Error>(container_not_found(id));
  std::string name(id);
  std::string path = m_root_path + "/" + name;
  auto dir = fs::open_dir_at(m_root.get(), name);
  if (!dir) {
    if (means_missing(dir.error().code)) return tl::unexpected<Error>(container_not_found(id));
    return tl::unexpected<Error>(with_context(std::move(dir.error()), "read state of " + container_ref(id)));
  }
  auto s = load_from(dir->get(), path, id);
  // Deleted between the open and the read: the delete renamed the directory
  // away before emptying it.
  if (!s && s.error().code == ENOENT && !TRY(still_linked(m_root.get(), name, dir->get())))
    return tl::unexpected<Error>(container_not_found(id));
  return s;
}

Result<ContainerLock> StateStore::create(const ContainerState& initial) {
  const std::string& id = initial.id;
  TRY(validate_container_id(id));
  std::string ctx = "create " + container_ref(id);
  if (!m_root) return fail(ctx + ": state root `" + m_root_path + "` does not exist", ENOENT);
  // Only a fast path for the common case: the rename below decides.
  struct stat st {};
  if (::fstatat(m_root.get(), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return tl::unexpected<Error>(container_exists(id));

  // Shared among creates, exclusive against sweep_leftovers: a sweep must
  // not take this create's hidden dir for a dead one in the moment between
  // its mkdir and its flock (50 parallel creates and deletes hit that).
  TRY_CTX(flock_fd(m_root.get(), LOCK_SH), ctx);
  struct RootUnlock {
    int fd;
    ~RootUnlock() { ::flock(fd, LOCK_UN); }
  } root_unlock{m_root.get()};

  // The directory is made complete under a hidden name, then renamed into
  // place: no command ever sees a container without its state.json.
  std::string tmp = TRY_CTX(
      fresh_name(kNewPrefix, [&](const std::string& name) { return ::mkdirat(m_root.get(), name.c_str(), 0700); }),
      ctx);
  auto made = [&]() -> Result<ContainerLock> {
    UniqueFd dir = TRY(fs::open_dir_at(m_root.get(), tmp));
    TRY(flock_fd(dir.get(), LOCK_EX));
    TRY(fs::write_file_atomic(dir.get(), kStateFile, serialize_state(initial), 0600));
    // RENAME_NOREPLACE makes this the one atomic test-and-set of the id: of
    // two concurrent creates of one id, exactly one wins.
    if (::renameat2(m_root.get(), tmp.c_str(), m_root.get(), id.c_str(), RENAME_NOREPLACE) < 0) {
      if (errno == EEXIST || errno == ENOTEMPTY) return tl::unexpected<Error>(container_exists(id));
      return fail_errno("rename `" + tmp + "` to `" + id + "`");
    }
    int root_dup = ::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0);
    if (root_dup < 0) return fail_errno("dup");
    return ContainerLock(id, m_root_path + "/" + id, UniqueFd(root_dup), std::move(dir));
  }();
  if (!made) {
    (void)fs::remove_tree_at(m_root.get(), tmp);
    if (made.error().code == EEXIST) return made;
    return tl::unexpected<Error>(with_context(std::move(made.error()), ctx));
  }
  return made;
}

Result<> StateStore::sweep_leftovers() const {
  if (!m_root) return {};
  int dup_fd = ::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return fail_errno("sweep the state root: dup");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return fail_errno("sweep the state root: opendir `" + m_root_path + "`");
  }
  ::rewinddir(dir);
  // No create is between its mkdir and its flock while this is held (see
  // create); one that died there left its dir unlocked, for us to remove.
  if (Result<> r = flock_fd(m_root.get(), LOCK_EX); !r) {
    ::closedir(dir);
    return tl::unexpected(with_context(r.error(), "sweep the state root"));
  }
  struct RootUnlock {
    int fd;
    ~RootUnlock() { ::flock(fd, LOCK_UN); }
  } root_unlock{m_root.get()};
  std::vector<std::string> stale;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (!name.starts_with(kNewPrefix) && !name.starts_with(kDelPrefix)) continue;
    // A live create or delete holds the dir's lock.
    UniqueFd d(::openat(m_root.get(), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (d && flock_fd(d.get(), LOCK_EX | LOCK_NB)) stale.emplace_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : stale)
    if (Result<> r = fs::remove_tree_at(m_root.get(), name); !r && r.error().code != ENOENT)
      return tl::unexpected(with_context(r.error(), "sweep `" + name + "`"));
  return {};
}

Result<ContainerLock> StateStore::lock(std::string_view id, LockWait wait) const {
  TRY(validate_container_id(id));
  if (!m_root) return tl::unexpected<Error>(container_not_found(id));
  std::string name(id);
  std::string ctx = "lock " + container_ref(id);
  // Normally one round; another only when the container was deleted and
  // made again while this command waited, and then the new one is locked.
  for (int round = 0; round < 100; round++) {
    auto dir = fs::open_dir_at(m_root.get(), name);
    if (!dir) {
      if (means_missing(dir.error().code)) return tl::unexpected<Error>(container_not_found(id));
      return tl::unexpected<Error>(with_context(std::move(dir.error()), ctx));
    }
    auto locked = flock_fd(dir->get(), LOCK_EX | (wait == LockWait::NoWait ? LOCK_NB : 0));
    if (!locked) {
      if (locked.error().code == EWOULDBLOCK)
        return fail(container_ref(id) + " is busy: another command holds its lock", EWOULDBLOCK);
      return tl::unexpected<Error>(with_context(std::move(locked.error()), ctx));
    }
    if (TRY_CTX(still_linked(m_root.get(), name, dir->get()), ctx)) {
      int root_dup = ::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0);
      if (root_dup < 0) return fail_errno(ctx + ": dup");
      return ContainerLock(name, m_root_path + "/" + name, UniqueFd(root_dup), std::move(*dir));
    }
  }
  return fail(ctx + ": the container keeps being deleted and created again", EAGAIN);
}

}  // namespace ocirun
