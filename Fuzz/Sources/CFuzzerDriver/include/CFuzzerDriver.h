// libFuzzer's driver entry (compiler-rt FuzzerInterface.h), linked by `-sanitize=fuzzer`. BERTFuzz calls it from
// its own main, because SwiftPM links an executable's main under another name, so libFuzzer's main never runs.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
