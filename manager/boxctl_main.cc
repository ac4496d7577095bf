// boxctl: the command line for box, a client of box-manager over D-Bus.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "boxctl_install.h"
#include "errors.h"
#include "manager_client.h"

namespace {

// Exit codes (documented in docs/boxctl.md).
constexpr int kExitFailure = 1;
constexpr int kExitNoSuchContainer = 4;
constexpr int kExitNoBus = 6;

struct Row {
  std::string name, description, state, sub_state, error;
};

void print_table(const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> cells = {{"NAME", "STATE", "SUB", "DESCRIPTION"}};
  for (const auto& r : rows) {
    cells.push_back({r.name, r.state, r.sub_state, r.error.empty() ? r.description : r.error});
  }
  std::vector<std::size_t> width(4, 0);
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  for (const auto& line : cells) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  }
}

int cmd_list(box::manager::ManagerClient& client, bool json) {
  std::vector<Row> rows;
  for (const auto& s : client.ListContainers()) {
    rows.push_back({std::get<0>(s), std::get<1>(s), std::get<2>(s), std::get<3>(s),
                    std::get<4>(s)});
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back({{"name", r.name},
                     {"description", r.description},
                     {"state", r.state},
                     {"sub_state", r.sub_state},
                     {"error", r.error}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    print_table(rows);
  }
  return 0;
}

int report(const sdbus::Error& e) {
  std::cerr << "boxctl: " << e.getMessage() << "\n";
  if (e.getName() == std::string(box::manager::kErrorPrefix) + "NoSuchContainer")
    return kExitNoSuchContainer;
  return kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"boxctl: control box containers (rootless, run by systemd --user)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "boxctl " BOX_VERSION);

  bool json = false;
  auto* list = app.add_subcommand("list", "List containers and their state");
  list->add_flag("--json", json, "Print JSON for scripts");

  std::string name;
  auto* start = app.add_subcommand("start", "Start a container (box@NAME.service) and wait");
  start->add_option("NAME", name, "Container name")->required();
  auto* stop = app.add_subcommand("stop", "Stop a container and wait");
  stop->add_option("NAME", name, "Container name")->required();

  auto install_commands = box::boxctl::add_install_commands(app);
  CLI11_PARSE(app, argc, argv);
  if (auto rc = install_commands->run()) return *rc;

  std::unique_ptr<sdbus::IConnection> connection;
  try {
    connection = sdbus::createSessionBusConnection();
  } catch (const sdbus::Error& e) {
    std::cerr << "boxctl: cannot connect to the session bus: " << e.getMessage()
              << "\n(box needs a user session: run 'boxctl' as a logged-in user, or set "
                 "XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS)\n";
    return kExitNoBus;
  }
  try {
    box::manager::ManagerClient client(*connection);
    if (*list) return cmd_list(client, json);
    if (*start) {
      client.start(name);
      return 0;
    }
    if (*stop) {
      client.stop(name);
      return 0;
    }
  } catch (const sdbus::Error& e) {
    return report(e);
  }
  return kExitFailure;
}
