// The per-peer loaders behind Peer::load (one file each).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bitnet/peers/peer_kernels.h"

namespace bitnet::peers {

// libs: the files find_peer_libraries returned, in its order.
std::unique_ptr<Peer> load_llama_cpp(const PeerSpec& spec, const std::vector<std::string>& libs);
std::unique_ptr<Peer> load_bitnet_cpp(const PeerSpec& spec, const std::vector<std::string>& libs);

// The library file names each peer needs, in load order.
std::vector<std::string> peer_library_names(PeerKind kind);

}  // namespace bitnet::peers
