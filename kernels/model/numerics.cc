#include "numerics.h"

namespace bitnet::model::detail {

Numerics::Numerics(AttnNumerics requested, bool peer_float_order, const Model& model) {
  bool i2s = false;
  for (const Layer& L : model.layers())
    for (const Weight* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
      i2s = i2s || w->type == TypeId::kI2_S;
  bitnet_cpp_ = requested == AttnNumerics::kBitnetCpp || (requested == AttnNumerics::kAuto && i2s);
  ggml512_order_ = peer_float_order;
}

}  // namespace bitnet::model::detail
