// The state store, on a temp dir as root: no privileges needed. The locking
// tests fork, because flock() conflicts are between processes (open file
// descriptions), and children leave with _exit so Catch2 runs only once.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"
#include "ocirun/state.hpp"
#include "test_util.hpp"

using namespace ocirun;
using test::TempDir;

namespace {

std::vector<std::string> dir_entries(const std::string& path) {
  std::vector<std::string> out;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd);
  DIR* d = ::fdopendir(fd.release());
  REQUIRE(d != nullptr);
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

ContainerState sample(const std::string& id) {
  ContainerState s;
  s.oci_version = "1.2.0";
  s.id = id;
  s.status = Status::Created;
  s.pid = 4242;
  s.bundle = "/bundles/" + id;
  s.rootfs = "/bundles/" + id + "/rootfs";
  s.created = Timestamp{1700000000, 123456789};
  s.owner_uid = 1000;
  s.annotations = {{"zeta", "last-alphabetically, first in order"}, {"alpha", "x\"y\\z\n"}};
  s.init_start_time = 987654321;
  s.cgroup_driver = CgroupDriver::Systemd;
  s.cgroup_path = "system.slice:ocirun:" + id;
  s.own_pid_namespace = false;
  s.rootless = true;
  s.cleanup = {{"cgroup", "/sys/fs/cgroup/x"}, {"file", "/run/x.pid"}};
  s.extra = {{"execFifo", "exec.fifo"}};
  return s;
}

// A pipe for parent and child to tell each other "now".
struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    ::close(r);
    ::close(w);
  }
  void signal() const { (void)!::write(w, "x", 1); }
  bool wait() const {
    char c;
    return ::read(r, &c, 1) == 1;
  }
  // Whether signal() was called already, without waiting for it.
  bool signalled() const {
    struct pollfd p = {r, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }
};

int wait_child(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

// ---- ids ----

TEST_CASE("validate_container_id accepts what runc accepts", "[state]") {
  for (const char* id : {"a", "abc-DEF_1.2+3", ".hidden", "a..b", "-", "0", "..."})
    CHECK(validate_container_id(id));
  CHECK(validate_container_id(std::string(255, 'a')));
}

TEST_CASE("validate_container_id rejects every bad id clearly", "[state]") {
  auto msg = [](std::string_view id) {
    auto r = validate_container_id(id);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == EINVAL);
    return r.error().msg;
  };
  CHECK(msg("") == "invalid container id \"\": must not be empty");
  CHECK(msg(".") == "invalid container id \".\": \".\" and \"..\" are not allowed");
  CHECK(msg("..") == "invalid container id \"..\": \".\" and \"..\" are not allowed");
  CHECK(msg("a/b") == "invalid container id \"a/b\": only [A-Za-z0-9_+.-] are allowed");
  CHECK(msg("/") == "invalid container id \"/\": only [A-Za-z0-9_+.-] are allowed");
  CHECK(msg("../../etc").find("only [A-Za-z0-9_+.-]") != std::string::npos);
  for (const char* bad : {"a b", "a:b", "a~b", "a*", "é", "a\tb", "$(id)"})
    CHECK(msg(bad).find("only [A-Za-z0-9_+.-] are allowed") != std::string::npos);
  // Control characters, quotes and non-ASCII bytes are escaped, never echoed.
  CHECK(msg(std::string("a\nb\x1b[2J\"\\\xff", 10)) ==
        "invalid container id \"a\\x0ab\\x1b[2J\\\"\\\\\\xff\": only [A-Za-z0-9_+.-] are allowed");
  CHECK(msg(std::string("a\0b", 3)).find("a\\x00b") != std::string::npos);
  // Too long: the echo is cut, with the real size.
  CHECK(msg(std::string(256, 'a')).find("longer than 255 bytes") != std::string::npos);
  std::string huge = msg(std::string(1 << 20, 'x'));
  CHECK(huge.size() < 200);
  CHECK(huge.find("...\" (1048576 bytes): longer than 255 bytes") != std::string::npos);
}

// ---- root ----

TEST_CASE("state_root_for picks /run/ocirun for root, XDG_RUNTIME_DIR otherwise", "[state]") {
  CHECK(*state_root_for(0, nullptr) == "/run/ocirun");
  CHECK(*state_root_for(0, "/run/user/0") == "/run/ocirun");
  CHECK(*state_root_for(1000, "/run/user/1000") == "/run/user/1000/ocirun");
  CHECK(*state_root_for(1000, "/run/user/1000/") == "/run/user/1000/ocirun");
  auto unset = state_root_for(1000, nullptr);
  REQUIRE_FALSE(unset);
  CHECK(unset.error().msg.find("XDG_RUNTIME_DIR is not set") != std::string::npos);
  CHECK(unset.error().msg.find("--root") != std::string::npos);
  CHECK_FALSE(state_root_for(1000, ""));
  auto relative = state_root_for(1000, "run/user");
  REQUIRE_FALSE(relative);
  CHECK(relative.error().msg.find("not an absolute path") != std::string::npos);
}

// ---- time ----

TEST_CASE("RFC 3339 times are UTC with nanoseconds, and parse back", "[state]") {
  CHECK(format_rfc3339({0, 0}) == "1970-01-01T00:00:00.000000000Z");
  CHECK(format_rfc3339({1700000000, 5}) == "2023-11-14T22:13:20.000000005Z");
  CHECK(format_rfc3339({951782400, 999999999}) == "2000-02-29T00:00:00.999999999Z");
  for (Timestamp t : {Timestamp{0, 0}, Timestamp{1700000000, 123456789}, Timestamp{4102444800, 1}, Timestamp::now()})
    CHECK(*parse_rfc3339(format_rfc3339(t)) == t);
  // What Go writes: trimmed fractions, offsets.
  CHECK(*parse_rfc3339("2023-11-14T22:13:20Z") == Timestamp{1700000000, 0});
  CHECK(*parse_rfc3339("2023-11-14T22:13:20.5Z") == Timestamp{1700000000, 500000000});
  CHECK(*parse_rfc3339("2023-11-14T23:13:20.5+01:00") == Timestamp{1700000000, 500000000});
  CHECK(*parse_rfc3339("2023-11-14t21:13:20-01:00") == Timestamp{1700000000, 0});
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z", "2023-11-14T24:00:00Z",
                          "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "2023-1-14T22:13:20Z"})
    CHECK_FALSE(parse_rfc3339(bad));
}

// ---- state.json ----

TEST_CASE("a record survives serialize and parse unchanged", "[state]") {
  ContainerState s = sample("c1");
  auto back = parse_state(serialize_state(s));
  REQUIRE(back);
  CHECK(*back == s);
  // Annotations keep their order, not sorted.
  CHECK(back->annotations[0].first == "zeta");

  // Only what parse_state requires; the rest at its defaults. (The strings
  // are longer than std::string's inline buffer: g++ 12 at -O3 warns about
  // copying short ones, wrongly, -Wmaybe-uninitialized.)
  ContainerState minimal;
  minimal.id = "minimal-container-id";
  minimal.bundle = "/bundles/minimal-container";
  auto m = parse_state(serialize_state(minimal));
  REQUIRE(m);
  CHECK(*m == minimal);
}

TEST_CASE("parse_state names what is wrong", "[state]") {
  auto err = [](std::string_view text) {
    auto r = parse_state(text);
    REQUIRE_FALSE(r);
    return r.error().msg;
  };
  std::string good = serialize_state(sample("c1"));
  CHECK(err("").find("invalid JSON") != std::string::npos);
  CHECK(err(good.substr(0, good.size() / 2)).find("invalid JSON") != std::string::npos);
  CHECK(err("[]").find("expected object") != std::string::npos);
  CHECK(err(R"({"id":"x"})").find("ocirunStateFormat") != std::string::npos);
  CHECK(err(R"({"ocirunStateFormat":2,"id":"x"})").find("format 2") != std::string::npos);
  const std::string head = R"({"ocirunStateFormat":1,"id":"x","bundle":"/b","created":"2023-11-14T22:13:20Z",)";
  CHECK(err(head + R"("status":"dancing"})").find("status: unknown status \"dancing\"") != std::string::npos);
  CHECK(err(head + R"("status":"running","pid":"12"})").find("pid") != std::string::npos);
  CHECK(err(head + R"("status":"running","pid":-3})").find("pid: negative pid") != std::string::npos);
  CHECK(err(head + R"("status":"running","annotations":{"a":1}})").find("annotations.a") != std::string::npos);
  CHECK(err(head + R"("status":"running","cleanup":[{"kind":"cgroup"}]})").find("cleanup[0].path") !=
        std::string::npos);
  CHECK(err(R"({"ocirunStateFormat":1,"id":"x","bundle":"/b","status":"running","created":"yesterday"})")
            .find("created: invalid RFC 3339") != std::string::npos);
  // Unknown keys are for newer versions of this format: ignored.
  CHECK(parse_state(head + R"("status":"running","someday":{"a":[1,2]}})"));
}

// ---- /proc and status ----

TEST_CASE("parse_proc_stat counts fields from the last parenthesis", "[state]") {
  std::string tail = " 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10";
  auto ps = parse_proc_stat("77 (a) b (c d)) S" + tail);
  REQUIRE(ps);
  CHECK(ps->state == 'S');
  CHECK(ps->start_time == 123456);
  CHECK_FALSE(parse_proc_stat("77 sh S 1 2"));
  CHECK_FALSE(parse_proc_stat("77 (sh) S 1 2 3"));
  CHECK_FALSE(parse_proc_stat("77 (sh) S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 x12 1000"));
  CHECK(parse_proc_stat("77 (sh) S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12")->start_time == 12);

  auto self = read_proc_stat(::getpid());
  REQUIRE(self);
  CHECK(self->state == 'R');
  CHECK(self->start_time > 0);
}

TEST_CASE("derive_status: a dead init means stopped, except while creating", "[state]") {
  ContainerState s = sample("c");
  struct Row {
    Status stored;
    bool alive;
    Status want;
  };
  for (Row r : {Row{Status::Creating, true, Status::Creating}, Row{Status::Creating, false, Status::Creating},
                Row{Status::Created, true, Status::Created}, Row{Status::Created, false, Status::Stopped},
                Row{Status::Running, true, Status::Running}, Row{Status::Running, false, Status::Stopped},
                Row{Status::Paused, true, Status::Paused}, Row{Status::Paused, false, Status::Stopped},
                Row{Status::Stopped, true, Status::Stopped}, Row{Status::Stopped, false, Status::Stopped}}) {
    s.status = r.stored;
    CHECK(derive_status(s, r.alive) == r.want);
  }
}

TEST_CASE("init_alive detects exit, zombies and pid reuse", "[state]") {
  ContainerState s = sample("c");
  s.status = Status::Running;
  s.pid = ::getpid();
  s.init_start_time = read_proc_stat(::getpid())->start_time;
  CHECK(init_alive(s));
  CHECK(current_status(s) == Status::Running);

  // The same pid with another start time: the pid was reused.
  s.init_start_time += 1;
  CHECK_FALSE(init_alive(s));
  CHECK(current_status(s) == Status::Stopped);

  // An exited child not yet reaped is a zombie: stopped.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  s.pid = child;
  s.init_start_time = 0;
  for (int i = 0; i < 200 && read_proc_stat(child)->state != 'Z'; i++) sleep_ms(5);
  CHECK_FALSE(init_alive(s));
  wait_child(child);
  // Reaped: gone.
  CHECK_FALSE(init_alive(s));
  s.pid = 0;
  CHECK_FALSE(init_alive(s));
}

// ---- output ----

TEST_CASE("owner names come from /etc/passwd, else #uid", "[state]") {
  std::string passwd = "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\n:x:5:5::/:/bin/sh\n"
                       "daemon:x:1:1::/:/usr/sbin/nologin\nalice:x:1000:1000:Alice:/home/alice:/bin/sh";
  CHECK(owner_name_from_passwd(passwd, 0) == "root");
  CHECK(owner_name_from_passwd(passwd, 1000) == "alice");
  CHECK(owner_name_from_passwd(passwd, 5) == "#5");
  CHECK(owner_name_from_passwd(passwd, 10) == "#10");
  CHECK(owner_name_from_passwd("", 0) == "#0");
  CHECK_FALSE(owner_name(::geteuid()).empty());
}

TEST_CASE("state_json has the OCI state fields, as runc prints them", "[state]") {
  ContainerState s = sample("c1");
  std::string text = state_json(s, Status::Running, "alice");
  CHECK(text.back() == '\n');
  CHECK(text.find("\n  \"id\": \"c1\"") != std::string::npos);  // 2-space indent
  auto doc = json::Document::parse(text);
  REQUIRE(doc);
  json::Node root = doc->root();
  CHECK(*root.find("ociVersion")->string() == "1.2.0");
  CHECK(*root.find("id")->string() == "c1");
  CHECK(*root.find("pid")->int64() == 4242);
  CHECK(*root.find("status")->string() == "running");
  CHECK(*root.find("bundle")->string() == "/bundles/c1");
  CHECK(*root.find("rootfs")->string() == "/bundles/c1/rootfs");
  CHECK(*root.find("owner")->string() == "alice");
  std::string created(*root.find("created")->string());
  CHECK(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)")));
  CHECK(*parse_rfc3339(created) == s.created);
  json::Node ann = *root.find("annotations");
  REQUIRE(ann.member_count() == 2);
  CHECK(ann.member_name(0) == "zeta");
  CHECK(*ann.member_value(1).string() == "x\"y\\z\n");
  // Nothing internal leaks out.
  CHECK_FALSE(root.find("cgroupPath"));
  CHECK_FALSE(root.find("initStartTime"));

  // Stopped: pid 0. No annotations: no key.
  s.annotations.clear();
  auto stopped = json::Document::parse(state_json(s, Status::Stopped, "#0"));
  REQUIRE(stopped);
  CHECK(*stopped->root().find("pid")->int64() == 0);
  CHECK(*stopped->root().find("status")->string() == "stopped");
  CHECK_FALSE(stopped->root().find("annotations"));

  // An array of them, as list --format json writes.
  json::Writer w;
  w.begin_array();
  write_state_json(w, sample("a"), Status::Created, "root");
  write_state_json(w, sample("b"), Status::Paused, "root");
  w.end_array();
  auto list = json::Document::parse(w.str());
  REQUIRE(list);
  REQUIRE(list->root().size() == 2);
  CHECK(*list->root().at(1).find("status")->string() == "paused");
}

// ---- the store ----

TEST_CASE("a missing root is an empty store for readers, and made for writers", "[state]") {
  TempDir tmp;
  std::string root = tmp.sub("a/b/ocirun");
  auto reader = StateStore::open(root, false);
  REQUIRE(reader);
  CHECK(reader->list_ids()->empty());
  auto r = reader->read("x");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().msg == "container \"x\" does not exist");
  CHECK(reader->lock("x").error().msg.find("does not exist") != std::string::npos);
  CHECK_FALSE(reader->create(sample("x")));
  CHECK(::access(root.c_str(), F_OK) != 0);  // a reader makes nothing

  auto writer = StateStore::open(root, true);
  REQUIRE(writer);
  struct stat st {};
  REQUIRE(::stat(root.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(StateStore::open(root, true));  // again: fine

  REQUIRE(::close(::open(tmp.sub("file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) == 0);
  CHECK_FALSE(StateStore::open(tmp.sub("file"), true));
  CHECK_FALSE(StateStore::open(tmp.sub("file"), false));
  CHECK_FALSE(StateStore::open("", true));
}

TEST_CASE("create is exclusive, and the record reads back", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  ContainerState s = sample("c1");
  {
    auto lock = store.create(s);
    REQUIRE(lock);
    CHECK(lock->id() == "c1");
    CHECK(lock->path() == tmp.path + "/c1");
    CHECK(*lock->load() == s);
    // Taken while created and locked: busy; a second create: exists.
    auto busy = store.lock("c1", LockWait::NoWait);
    REQUIRE_FALSE(busy);
    CHECK(busy.error().code == EWOULDBLOCK);
    CHECK(busy.error().msg.find("is busy") != std::string::npos);
  }
  auto again = store.create(s);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == EEXIST);
  CHECK(again.error().msg == "container \"c1\" already exists");
  CHECK(*store.read("c1") == s);

  struct stat st {};
  REQUIRE(::stat(tmp.sub("c1").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  REQUIRE(::stat(tmp.sub("c1/state.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  // Nothing but the container's directory, with nothing but its state.
  CHECK(dir_entries(tmp.path) == std::vector<std::string>{"c1"});
  CHECK(dir_entries(tmp.sub("c1")) == std::vector<std::string>{"state.json"});

  CHECK_FALSE(store.create(sample("a/b")));
  CHECK_FALSE(store.read("../c1"));
  CHECK_FALSE(store.lock(".."));
}

TEST_CASE("concurrent creates of one id: exactly one wins", "[state]") {
  TempDir tmp;
  constexpr int kChildren = 6;
  std::vector<pid_t> kids;
  Pipe go;
  for (int i = 0; i < kChildren; i++) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      go.wait();
      auto store = StateStore::open(tmp.path, true);
      if (!store) ::_exit(3);
      auto lock = store->create(sample("race"));
      ::_exit(lock ? 0 : lock.error().code == EEXIST ? 1 : 2);
    }
    kids.push_back(pid);
  }
  for (int i = 0; i < kChildren; i++) go.signal();
  int won = 0, lost = 0;
  for (pid_t k : kids) {
    int rc = wait_child(k);
    won += rc == 0;
    lost += rc == 1;
  }
  CHECK(won == 1);
  CHECK(lost == kChildren - 1);
  CHECK(dir_entries(tmp.path) == std::vector<std::string>{"race"});  // no temp dirs left
}

TEST_CASE("list_ids is sorted and shows only containers", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  for (const char* id : {"b", "a.1", "C", "a", "_z"}) REQUIRE(store.create(sample(id)));
  // Not containers: a stray file, a directory named like no id, and what a
  // killed create or delete leaves.
  REQUIRE(::close(::open(tmp.sub("stray").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) == 0);
  for (const char* d : {"not an id", ".~new-abc", ".~del-abc"}) REQUIRE(::mkdir(tmp.sub(d).c_str(), 0700) == 0);
  auto ids = store.list_ids();
  REQUIRE(ids);
  CHECK(*ids == std::vector<std::string>{"C", "_z", "a", "a.1", "b"});
  CHECK(*store.list_ids() == *ids);  // twice: the directory offset is rewound
}

TEST_CASE("save replaces the state atomically and leaves no temp files", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  ContainerLock lock = *store.create(sample("c"));
  ContainerState s = *lock.load();
  for (int i = 0; i < 20; i++) {
    s.pid = 1000 + i;
    s.status = i % 2 ? Status::Running : Status::Paused;
    REQUIRE(lock.save(s));
    CHECK(*lock.load() == s);
  }
  CHECK(dir_entries(tmp.sub("c")) == std::vector<std::string>{"state.json"});

  // The record must belong to the locked container.
  ContainerState other = sample("d");
  CHECK_FALSE(lock.save(other));

  // record_cleanup is saved before the caller makes the thing.
  REQUIRE(lock.record_cleanup(s, "cgroup", "/sys/fs/cgroup/pids/c"));
  CHECK(store.read("c")->cleanup.back() == CleanupEntry{"cgroup", "/sys/fs/cgroup/pids/c"});

  set_extra(s, "k", "v1");
  set_extra(s, "k", "v2");
  set_extra(s, "k2", "w");
  CHECK(*find_extra(s, "k") == "v2");
  CHECK(find_extra(s, "nope") == nullptr);
  REQUIRE(lock.save(s));
  CHECK(store.read("c")->extra == s.extra);
}

TEST_CASE("write_file_atomic: a failed rename leaves the old file and no temp", "[state]") {
  TempDir tmp;
  UniqueFd dir = *fs::open_dir_at(AT_FDCWD, tmp.path);
  REQUIRE(fs::write_file_atomic(dir.get(), "f", "old"));
  // A non-empty directory in the way of the rename.
  REQUIRE(::mkdir(tmp.sub("blocked").c_str(), 0700) == 0);
  UniqueFd blocked = *fs::open_dir_at(dir.get(), "blocked");
  REQUIRE(fs::write_file_atomic(blocked.get(), "inner", "x"));
  auto r = fs::write_file_atomic(dir.get(), "blocked", "new");
  REQUIRE_FALSE(r);
  CHECK(r.error().msg.find("rename") != std::string::npos);
  CHECK(dir_entries(tmp.path) == std::vector<std::string>{"blocked", "f"});
  CHECK(*fs::read_file_at(dir.get(), "f") == "old");
  REQUIRE(fs::write_file_atomic(dir.get(), "f", "new"));
  CHECK(*fs::read_file_at(dir.get(), "f") == "new");
  CHECK(dir_entries(tmp.path) == std::vector<std::string>{"blocked", "f"});
}

TEST_CASE("a writer killed at any moment leaves the old or the new state", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  // Big records, so that a kill often lands in the middle of a write.
  ContainerState a = sample("c"), b = sample("c");
  a.annotations.emplace_back("big", std::string(1 << 20, 'a'));
  b.annotations.emplace_back("big", std::string(1 << 20, 'b'));
  b.status = Status::Running;
  REQUIRE(store.create(a));

  std::srand(static_cast<unsigned>(::getpid()));
  for (int round = 0; round < 12; round++) {
    Pipe ready;
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto lock = store.lock("c");
      if (!lock) ::_exit(2);
      ready.signal();
      for (int i = 0;; i++)
        if (!lock->save(i % 2 ? a : b)) ::_exit(3);
    }
    REQUIRE(ready.wait());
    sleep_ms(1 + std::rand() % 30);
    ::kill(pid, SIGKILL);
    CHECK(wait_child(pid) == 128 + SIGKILL);

    auto now = store.read("c");
    REQUIRE(now);
    CHECK((*now == a || *now == b));
    // A killed writer may leave its temp file (the next delete removes the
    // whole directory), never a damaged state.json.
    for (const std::string& e : dir_entries(tmp.sub("c")))
      CHECK((e == "state.json" || e.rfind(".state.json.tmp-", 0) == 0));
  }
  // The lock died with its holder.
  CHECK(store.lock("c", LockWait::NoWait));
}

TEST_CASE("a corrupt state file is a clear error naming the file", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  REQUIRE(store.create(sample("c")));
  UniqueFd dir = *fs::open_dir_at(AT_FDCWD, tmp.sub("c"));
  std::string file = tmp.path + "/c/state.json";
  std::string good = serialize_state(sample("c"));

  struct Case {
    std::string text, want;
  };
  for (const Case& c : {Case{good.substr(0, 100), "invalid JSON"}, Case{"", "invalid JSON"},
                        Case{std::string(64, '\0'), "invalid JSON"}, Case{"{}", "ocirunStateFormat"},
                        Case{serialize_state(sample("other")), "holds container \"other\", not \"c\""}}) {
    REQUIRE(fs::write_file_atomic(dir.get(), "state.json", c.text));
    auto r = store.read("c");
    REQUIRE_FALSE(r);
    CHECK(r.error().msg.rfind(file + ": ", 0) == 0);
    CHECK(r.error().msg.find(c.want) != std::string::npos);
    // Still lockable and removable: delete --force must be able to clean up.
    auto lock = store.lock("c");
    REQUIRE(lock);
    CHECK_FALSE(lock->load());
  }
  REQUIRE(::unlink(file.c_str()) == 0);
  auto missing = store.read("c");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().msg.find("does not exist") == std::string::npos);  // the dir does
  auto lock = store.lock("c");
  REQUIRE(lock);
  REQUIRE(lock->remove());
  CHECK(store.read("c").error().code == ENOENT);
}

TEST_CASE("a create killed half-way is left creating, for delete --force", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ContainerState s = sample("c");
    s.status = Status::Creating;
    s.pid = 0;
    s.cleanup.clear();
    auto lock = store.create(s);
    if (!lock || !lock->record_cleanup(s, "cgroup", "/sys/fs/cgroup/pids/c")) ::_exit(2);
    ::raise(SIGKILL);  // before making the cgroup, and before unlocking
    ::_exit(3);
  }
  CHECK(wait_child(pid) == 128 + SIGKILL);

  ContainerState left = *store.read("c");
  CHECK(left.status == Status::Creating);
  CHECK(current_status(left) == Status::Creating);
  CHECK(left.cleanup == std::vector<CleanupEntry>{{"cgroup", "/sys/fs/cgroup/pids/c"}});
  CHECK(*store.list_ids() == std::vector<std::string>{"c"});
  auto lock = store.lock("c", LockWait::NoWait);  // the killed creator's lock is gone
  REQUIRE(lock);
  REQUIRE(lock->remove());
  CHECK(dir_entries(tmp.path).empty());
}

TEST_CASE("remove deletes everything and spends the lock", "[state]") {
  TempDir tmp;
  std::string root = tmp.sub("root");
  StateStore store = *StateStore::open(root, true);
  ContainerLock lock = *store.create(sample("c"));
  // Contents a later module may keep there, and a symlink that delete must
  // not follow.
  REQUIRE(::mkdir(tmp.sub("outside").c_str(), 0700) == 0);
  UniqueFd out = *fs::open_dir_at(AT_FDCWD, tmp.sub("outside"));
  REQUIRE(fs::write_file_atomic(out.get(), "precious", "keep me"));
  REQUIRE(::symlink(tmp.sub("outside").c_str(), (root + "/c/link").c_str()) == 0);
  REQUIRE(::mkdir((root + "/c/sub").c_str(), 0700) == 0);
  REQUIRE(::mkdir((root + "/c/sub/deeper").c_str(), 0700) == 0);
  REQUIRE(::mkfifo((root + "/c/sub/deeper/exec.fifo").c_str(), 0600) == 0);

  REQUIRE(lock.remove());
  CHECK(dir_entries(root).empty());
  CHECK(*fs::read_file_at(out.get(), "precious") == "keep me");
  CHECK(store.read("c").error().msg == "container \"c\" does not exist");
  CHECK(store.lock("c").error().code == ENOENT);
  auto spent = lock.save(sample("c"));
  REQUIRE_FALSE(spent);
  CHECK(spent.error().msg.find("was removed") != std::string::npos);
  CHECK_FALSE(lock.remove());
  // The id is free again.
  CHECK(store.create(sample("c")));
}

TEST_CASE("locking between processes", "[state]") {
  TempDir tmp;
  StateStore store = *StateStore::open(tmp.path, true);
  REQUIRE(store.create(sample("c")));

  SECTION("a held lock makes NoWait fail and Block wait for its release") {
    Pipe held, releasing;
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto lock = store.lock("c");
      if (!lock) ::_exit(2);
      held.signal();
      sleep_ms(300);  // time for the parent to block; nothing is timed
      releasing.signal();
      ::_exit(0);  // the lock goes with the process
    }
    REQUIRE(held.wait());
    auto busy = store.lock("c", LockWait::NoWait);
    REQUIRE_FALSE(busy);
    CHECK(busy.error().code == EWOULDBLOCK);
    auto lock = store.lock("c");
    REQUIRE(lock);
    // The child signals just before it lets the lock go, so Block waited
    // for the release if and only if the signal is there. Ordering, not a
    // clock: a loaded machine cannot make this fail.
    CHECK(releasing.signalled());
    CHECK(lock->load()->bundle == "/bundles/c");
    CHECK(wait_child(pid) == 0);
  }

  SECTION("a command that waited for a delete sees does not exist") {
    Pipe held;
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto lock = store.lock("c");
      if (!lock) ::_exit(2);
      held.signal();
      sleep_ms(200);
      ::_exit(lock->remove() ? 0 : 3);
    }
    REQUIRE(held.wait());
    auto lock = store.lock("c");  // blocks until the delete is done
    REQUIRE_FALSE(lock);
    CHECK(lock.error().code == ENOENT);
    CHECK(lock.error().msg == "container \"c\" does not exist");
    CHECK(wait_child(pid) == 0);
    // And nothing was resurrected.
    CHECK(store.read("c").error().code == ENOENT);
    CHECK(store.list_ids()->empty());
    CHECK(dir_entries(tmp.path).empty());
  }

  SECTION("a command that waited while the id was deleted and re-created locks the new one") {
    Pipe held;
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto locked = store.lock("c");
      if (!locked) ::_exit(2);
      std::optional<ContainerLock> old_lock(std::move(*locked));
      held.signal();
      sleep_ms(200);
      // While still holding the old directory's lock: move it away, and
      // create (and lock) a new container of the same id.
      if (::rename((tmp.path + "/c").c_str(), (tmp.path + "/.~del-test").c_str()) < 0) ::_exit(3);
      ContainerState fresh = sample("c");
      fresh.bundle = "/new";
      auto new_lock = store.create(fresh);
      if (!new_lock) ::_exit(4);
      old_lock.reset();  // releases the old directory's lock: the parent wakes up
      sleep_ms(200);
      ::_exit(0);
    }
    REQUIRE(held.wait());
    auto lock = store.lock("c");
    REQUIRE(lock);
    CHECK(lock->load()->bundle == "/new");
    CHECK(wait_child(pid) == 0);
  }
}

TEST_CASE("sweep_leftovers removes the hidden dirs of killed commands, not those locked", "[state]") {
  TempDir tmp;
  std::string root = tmp.sub("root");
  auto store = StateStore::open(root, true);
  REQUIRE(store);
  // A create killed before its rename, a delete killed while emptying its
  // grave, a create still running (it holds the lock), and a container.
  REQUIRE(::mkdir((root + "/.~new-dead").c_str(), 0700) == 0);
  REQUIRE(::mkdir((root + "/.~del-dead").c_str(), 0700) == 0);
  REQUIRE(::mkdir((root + "/.~del-dead/sub").c_str(), 0700) == 0);
  REQUIRE(::mkdir((root + "/.~new-live").c_str(), 0700) == 0);
  UniqueFd live(::open((root + "/.~new-live").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(live);
  // flock locks belong to the open file description: another open of the
  // dir (the sweeper's) cannot take it.
  REQUIRE(::flock(live.get(), LOCK_EX) == 0);
  ContainerState st;
  st.id = "c1";
  st.status = Status::Creating;
  {
    auto lock = store->create(st);
    REQUIRE(lock);
  }
  REQUIRE(store->sweep_leftovers());
  struct stat sb {};
  CHECK(::stat((root + "/.~new-dead").c_str(), &sb) < 0);
  CHECK(::stat((root + "/.~del-dead").c_str(), &sb) < 0);
  CHECK(::stat((root + "/.~new-live").c_str(), &sb) == 0);
  CHECK(::stat((root + "/c1").c_str(), &sb) == 0);
}
