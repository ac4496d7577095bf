#include "core/sys/resident_code.h"

#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace box {
namespace {

int release_segments(dl_phdr_info* info, std::size_t, void*) {
  const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    // Writable segments hold data and the relocated (RELRO) pages: their
    // content differs from the file, and dropping it would lose it.
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W)) continue;
    const std::uintptr_t start = (info->dlpi_addr + ph.p_vaddr) & ~(page - 1);
    const std::uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz + page - 1) & ~(page - 1);
    void* at = reinterpret_cast<void*>(start);
    // No fault-around from now on: a fault maps one page, not 16.
    ::madvise(at, end - start, MADV_RANDOM);
    ::madvise(at, end - start, MADV_DONTNEED);
  }
  return 1;  // the first object is the main program: stop there
}

}  // namespace

void release_startup_code() { ::dl_iterate_phdr(release_segments, nullptr); }

}  // namespace box
