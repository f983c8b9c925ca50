// `ocirun state` and `ocirun list`: read the state store, without locks
// (state.json is only ever replaced by rename, so a reader sees a whole
// file, and `state` during a slow create answers "creating" at once).
#include <unistd.h>

#include <algorithm>

#include "ocirun/commands.hpp"
#include "ocirun/container_pause.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"
#include "ocirun/state.hpp"

namespace ocirun {

namespace {

Result<StateStore> open_store(const cli::Invocation& inv) {
  return StateStore::open(TRY(state_root(inv)), false);
}

// Columns as runc's tabwriter prints them: each at least 12 wide, 3 spaces
// of padding after the widest cell.
std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); c++) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); c++) {
      out += row[c];
      if (c + 1 < row.size()) out.append(std::max<std::size_t>(width[c] + 3, 12) - row[c].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace

Result<std::string> state_root(const cli::Invocation& inv) {
  if (inv.global.root) return *inv.global.root;
  return default_state_root();
}

Result<int> cmd_state(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "state");
  StateStore store = TRY_CTX(open_store(inv), "state");
  ContainerState s = TRY_CTX(store.read(id), "state");
  TRY(fs::write_all(STDOUT_FILENO, state_json(s, observed_status(s), owner_name(s.owner_uid))));
  return 0;
}

Result<int> cmd_list(const cli::Invocation& inv) {
  std::string_view format = inv.value("format").value_or("table");
  if (format != "table" && format != "json")
    return fail("list: invalid format \"" + std::string(format.substr(0, 32)) + "\": expected table or json");
  StateStore store = TRY_CTX(open_store(inv), "list");
  std::vector<std::string> ids = TRY_CTX(store.list_ids(), "list");

  // A container deleted between list_ids() and read() is simply gone.
  std::vector<ContainerState> states;
  for (const std::string& id : ids) {
    Result<ContainerState> s = store.read(id);
    if (s) states.push_back(std::move(*s));
    else if (s.error().code != ENOENT) return tl::unexpected(with_context(s.error(), "list"));
  }

  std::string out;
  if (inv.flag("quiet")) {
    for (const ContainerState& s : states) out += s.id + "\n";
  } else if (format == "json") {
    json::Writer w;
    w.begin_array();
    for (const ContainerState& s : states) write_state_json(w, s, observed_status(s), owner_name(s.owner_uid));
    w.end_array();
    out = w.take() + "\n";
  } else {
    std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const ContainerState& s : states) {
      Status st = observed_status(s);
      rows.push_back({s.id, std::to_string(st == Status::Stopped ? 0 : s.pid), status_name(st), s.bundle,
                      format_rfc3339(s.created), owner_name(s.owner_uid)});
    }
    out = format_table(rows);
  }
  TRY(fs::write_all(STDOUT_FILENO, out));
  return 0;
}

}  // namespace ocirun
