// The object /dev/boxctl/box1 implementing dev.boxctl.box1.Manager, and the
// container objects below it. Thin: it checks names against the definitions
// on disk, asks systemd, and converts errors; it remembers nothing about run
// state. The set of container objects mirrors the definition files, scanned
// again on every call that names or lists containers and after each
// daemon-reload, which is when ContainerNew/ContainerRemoved are emitted.
// Install and Uninstall run in worker processes (install_jobs.h); the reply
// is sent when the worker is done and the user manager reloaded.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <memory>
#include <string>

#include "bus/dev.boxctl.box1-adaptor.h"
#include "bus/install_bus_types.h"
#include "bus/systemd_client.h"
#include "core/runtime/oci_cgroup.h"
#include "install/install.h"
#include "manager/activity.h"
#include "manager/container_object.h"
#include "manager/container_registry.h"
#include "manager/install_jobs.h"

namespace box::manager {

class ManagerObject final : public sdbus::AdaptorInterfaces<dev::boxctl::box1::Manager_adaptor> {
 public:
  // `install_context` locates installs (the worker makes its own).
  ManagerObject(sdbus::IConnection& connection, ContainerRegistry& registry, SystemdClient& systemd,
                Snapshot& snapshot, Activity& activity, install::InstallContext install_context,
                InstallJobs& jobs);
  ~ManagerObject();

  // Brings the container objects in line with the definition files,
  // announcing what came and went (not on the first scan at startup: those
  // definitions did not appear, the manager did).
  std::vector<ContainerInfo> rescan(bool announce = true);

  // A bus client left: the installs it asked for are cancelled (nobody
  // waits for their result any more).
  void client_gone(const std::string& unique_name);

 private:
  using Row = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                            sdbus::ObjectPath>;
  using PodRow = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                               std::vector<std::string>>;
  enum class Job { kStart, kStop, kRestart };

  std::string Version() override;
  void ListContainers(sdbus::Result<std::vector<Row>>&& result) override;
  void ListPods(sdbus::Result<std::vector<PodRow>>&& result) override;
  sdbus::ObjectPath GetContainer(const std::string& name) override;
  void Start(sdbus::Result<>&& result, std::string name) override;
  void Stop(sdbus::Result<>&& result, std::string name) override;
  void Restart(sdbus::Result<>&& result, std::string name) override;
  void Kill(sdbus::Result<>&& result, std::string name, int32_t signal) override;
  void Enable(sdbus::Result<>&& result, std::string name) override;
  void Disable(sdbus::Result<>&& result, std::string name) override;
  void Reload(sdbus::Result<>&& result) override;
  void Install(sdbus::Result<std::string, sdbus::ObjectPath, VariantMap>&& result,
               std::string source, std::string name, VariantMap options) override;
  void Uninstall(sdbus::Result<>&& result, std::string name, bool keep_data) override;
  bool CancelInstall(const std::string& name) override;
  // On the running container's cgroup (manager_cgroup.cc).
  void Pause(const std::string& name) override;
  void Resume(const std::string& name) override;
  std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string>> Top(
      const std::string& name) override;
  std::map<std::string, uint64_t> Stats(const std::string& name) override;
  // The cgroup of running container `name`; throws NoSuchContainer,
  // NotRunning or CgroupError.
  CgroupDirs running_cgroup(const std::string& name);
  void freeze(const std::string& name, bool frozen);

  // The container's definition, its object made current; throws
  // NoSuchContainer (and InvalidDefinition when `need_valid`).
  ContainerInfo require(const std::string& name, bool need_valid);
  ContainerObject* ensure_object(const ContainerInfo& info, bool announce = true);
  void run_job(Job job, sdbus::Result<>&& result, const std::string& name);
  // The answer to Enable or Disable of `name`, once systemd has done `what`
  // ("enable box@NAME.service"): its error, or the news and the reply.
  SystemdClient::Done autostart_reply(sdbus::Result<>&& result, const std::string& what,
                                      const std::string& name);
  // The unique bus name of the client whose call is being handled.
  std::string caller();
  void progress(const std::string& name, const install::Progress& p);
  void unit_changed(const std::string& unit, const std::string& interface,
                    const std::map<std::string, sdbus::Variant>& changed,
                    const std::vector<std::string>& invalidated);

  sdbus::IConnection& connection_;
  ContainerRegistry& registry_;
  SystemdClient& systemd_;
  Snapshot& snapshot_;
  Activity& activity_;
  const install::InstallContext install_context_;
  InstallJobs& jobs_;
  struct Entry {
    ContainerInfo info;  // as last scanned: only to tell what changed
    std::unique_ptr<ContainerObject> object;
  };
  std::map<std::string, Entry> containers_;
};

}  // namespace box::manager
