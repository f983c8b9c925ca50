// The command-line parser, fed the exact forms containerd, conmon and Podman
// send (../shared/CLI-CONTRACT.md).
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "ocirun/cli.hpp"

using namespace ocirun;

namespace {

Result<cli::Invocation> parse(std::initializer_list<const char*> words) {
  std::vector<const char*> v(words);
  cli::Invocation inv;
  Result<> r = cli::parse(v, inv);
  if (!r) return tl::unexpected<Error>(r.error());
  return inv;
}

}  // namespace

TEST_CASE("cli: containerd's create", "[cli]") {
  auto inv = parse({"--root", "/run/containerd/runc/default", "--log", "/b/log.json", "--log-format",
                    "json", "--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/b/init.pid",
                    "--console-socket", "/tmp/s.sock", "--no-pivot", "--no-new-keyring", "ctr1"});
  REQUIRE(inv);
  CHECK(*inv->global.root == "/run/containerd/runc/default");
  CHECK(*inv->global.log == "/b/log.json");
  CHECK(inv->global.log_format == cli::LogFormat::Json);
  CHECK(inv->global.systemd_cgroup);
  REQUIRE(inv->command != nullptr);
  CHECK(std::string(inv->command->name) == "create");
  CHECK(*inv->value("bundle") == "/b");
  CHECK(*inv->value("pid-file") == "/b/init.pid");
  CHECK(*inv->value("console-socket") == "/tmp/s.sock");
  CHECK(inv->flag("no-pivot"));
  CHECK(inv->flag("no-new-keyring"));
  CHECK(!inv->flag("preserve-fds"));
  CHECK(inv->args == std::vector<std::string>{"ctr1"});
}

TEST_CASE("cli: --flag=value and single-dash long flags", "[cli]") {
  auto inv = parse({"--root=/r", "-log-format=json", "-debug", "run", "-bundle=/b", "-no-subreaper",
                    "-d", "--preserve-fds=2", "id"});
  REQUIRE(inv);
  CHECK(*inv->global.root == "/r");
  CHECK(inv->global.log_format == cli::LogFormat::Json);
  CHECK(inv->global.debug);
  CHECK(*inv->value("bundle") == "/b");
  CHECK(inv->flag("no-subreaper"));
  CHECK(inv->flag("detach"));
  CHECK(*inv->value("preserve-fds") == "2");
}

TEST_CASE("cli: short flags, combined booleans and explicit booleans", "[cli]") {
  auto inv = parse({"exec", "-dt", "-e", "A=1", "--env=B=2", "-u", "1000:1000", "--detach=false", "id", "sh"});
  REQUIRE(inv);
  CHECK(inv->flag("tty"));
  CHECK(!inv->flag("detach"));  // the last word wins
  CHECK(inv->values("env") == std::vector<std::string_view>{"A=1", "B=2"});
  CHECK(*inv->value("user") == "1000:1000");
}

TEST_CASE("cli: kill's forms", "[cli]") {
  auto a = parse({"kill", "--all", "id", "9"});
  REQUIRE(a);
  CHECK(a->flag("all"));
  CHECK(a->args == std::vector<std::string>{"id", "9"});
  auto b = parse({"kill", "id", "KILL", "-a"});  // flags may follow arguments
  REQUIRE(b);
  CHECK(b->flag("all"));
  CHECK(b->args == std::vector<std::string>{"id", "KILL"});
  CHECK(parse({"kill", "id"})->args.size() == 1);
  CHECK(parse({"kill", "id", "9", "x"}).error().msg.find("too many arguments") != std::string::npos);
}

TEST_CASE("cli: delete ID --force and update --resources=- ID", "[cli]") {
  auto d = parse({"delete", "id", "--force"});
  REQUIRE(d);
  CHECK(d->flag("force"));
  auto u = parse({"update", "--resources=-", "id"});
  REQUIRE(u);
  CHECK(*u->value("resources") == "-");
  auto u2 = parse({"update", "-r", "-", "id"});
  REQUIRE(u2);
  CHECK(*u2->value("resources") == "-");
  CHECK(u2->args == std::vector<std::string>{"id"});
}

TEST_CASE("cli: exec and ps stop at the container id", "[cli]") {
  auto e = parse({"exec", "--cwd", "/", "id", "ls", "-la", "--color"});
  REQUIRE(e);
  CHECK(*e->value("cwd") == "/");
  CHECK(e->args == std::vector<std::string>{"id", "ls", "-la", "--color"});
  auto p = parse({"ps", "--format", "json", "id", "-ef"});
  REQUIRE(p);
  CHECK(*p->value("format") == "json");
  CHECK(p->args == std::vector<std::string>{"id", "-ef"});
}

TEST_CASE("cli: -- ends the flags", "[cli]") {
  auto e = parse({"exec", "id", "--", "-x"});
  REQUIRE(e);
  CHECK(e->args == std::vector<std::string>{"id", "-x"});
  auto s = parse({"state", "--", "-weird-id"});
  REQUIRE(s);
  CHECK(s->args == std::vector<std::string>{"-weird-id"});
}

TEST_CASE("cli: every command of the contract is known", "[cli]") {
  for (const char* name : {"create", "run", "start", "state", "pause", "resume", "kill", "delete", "list",
                           "ps", "exec", "update", "events", "checkpoint", "restore", "spec", "features"})
    CHECK(cli::find_command(name) != nullptr);
}

TEST_CASE("cli: errors", "[cli]") {
  CHECK(parse({"frobnicate"}).error().msg == "unknown command \"frobnicate\" (see ocirun --help)");
  CHECK(parse({"create", "--bundle"}).error().msg == "create: flag --bundle needs a value");
  CHECK(parse({"create", "--nope", "id"}).error().msg == "create: flag provided but not defined: \"--nope\"");
  CHECK(parse({"start"}).error().msg == "start: container id cannot be empty");
  CHECK(parse({"--log-format", "xml", "list"}).error().msg ==
        "invalid --log-format \"xml\": expected text or json");
  CHECK(parse({"--rootless", "maybe", "list"}).error().msg ==
        "invalid --rootless \"maybe\": expected true, false or auto");
  CHECK(parse({"run", "--detach=maybe", "id"}).error().msg ==
        "invalid boolean value \"maybe\" for flag --detach");
  CHECK(parse({"--root", "", "list"}).error().msg == "--root needs a non-empty directory");
}

TEST_CASE("cli: global flags survive a command error", "[cli]") {
  std::vector<const char*> v{"--log", "/x.json", "--log-format", "json", "create", "--nope", "id"};
  cli::Invocation inv;
  REQUIRE(!cli::parse(v, inv));
  CHECK(*inv.global.log == "/x.json");
  CHECK(inv.global.log_format == cli::LogFormat::Json);
}

TEST_CASE("cli: help and version", "[cli]") {
  CHECK(parse({"--version"})->version);
  CHECK(parse({"-v"})->version);
  CHECK(parse({"--help"})->help);
  auto h = parse({"create", "--help"});
  REQUIRE(h);
  CHECK(h->help);
  CHECK(std::string(h->command->name) == "create");
  auto h2 = parse({"help", "kill"});
  REQUIRE(h2);
  CHECK(h2->help);
  CHECK(std::string(h2->command->name) == "kill");
  std::string text = cli::help_text(cli::find_command("create"));
  CHECK(text.find("--console-socket PATH") != std::string::npos);
  CHECK(text.rfind("usage: ocirun create [options] CONTAINER_ID", 0) == 0);
  std::string top = cli::help_text(nullptr);
  for (const cli::CommandSpec& c : cli::commands()) CHECK(top.find(c.name) != std::string::npos);
}

TEST_CASE("cli: parse_uint", "[cli]") {
  CHECK(*cli::parse_uint("preserve-fds", "3") == 3);
  CHECK(cli::parse_uint("preserve-fds", "-1").error().msg ==
        "invalid value \"-1\" for flag --preserve-fds: expected a non-negative integer");
  CHECK(!cli::parse_uint("preserve-fds", ""));
  CHECK(!cli::parse_uint("preserve-fds", "3x"));
}
