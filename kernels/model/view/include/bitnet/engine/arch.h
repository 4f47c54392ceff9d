// The architectures the engine runs: one row per `general.architecture` value. Everything the
// graph does differently per architecture is a field here; nothing else switches on the name.
// As llama.cpp builds them (src/llama-model.cpp: LLM_ARCH_BITNET, LLM_ARCH_LLAMA) and bitnet.cpp's
// fork (arch "bitnet-b1.58", the 2B4T conversion). docs/engine.md has the table.
#pragma once

#include <span>
#include <string_view>

namespace bitnet::model {

enum class FfnAct { kSilu, kReluSquared };

// kNorm: rotate adjacent pairs (2i, 2i + 1) (LLAMA_ROPE_TYPE_NORM); kNeox: pairs (i, i + n_rot/2).
enum class RopeType { kNorm, kNeox };

struct ArchInfo {
  std::string_view name;        // general.architecture
  std::string_view key_prefix;  // hyper-parameter keys are `<key_prefix>.block_count` etc.
  FfnAct ffn_act;               // act(gate) * up
  RopeType rope;                // llama.cpp's llama_model_rope_type for the arch
  bool sub_norms;               // attn_sub_norm before attn_output, ffn_sub_norm before ffn_down
  bool output_tensor;           // may carry an untied `output.weight` lm_head (else tied embd)
};

inline constexpr ArchInfo kArchs[] = {
    {"bitnet", "bitnet", FfnAct::kSilu, RopeType::kNeox, true, false},
    {"bitnet-b1.58", "bitnet-b1.58", FfnAct::kReluSquared, RopeType::kNeox, true, false},
    {"llama", "llama", FfnAct::kSilu, RopeType::kNorm, false, true},
};

inline const ArchInfo* find_arch(std::string_view name) {
  for (const ArchInfo& a : kArchs)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace bitnet::model
